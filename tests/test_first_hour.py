"""A new user's first hour: how to run the command, where the project is, what the
messages say. Each test keeps one of the traps of that hour closed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from handbill.cli import find_project, run
from handbill.scaffold import new_bundle

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def small_project(tmp_path) -> Path:
    """A project as a clinic starts one: the sample's site.yaml and assets, one new bundle."""
    root = tmp_path / "clinic"
    root.mkdir()
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "assets", root / "assets")
    new_bundle(root, "first")
    return root


# ---- 1. How to run the command itself ----------------------------------------------

def test_the_readme_says_how_to_run_the_command_make_installed():
    assert ".venv/bin/handbill" in README
    assert ". .venv/bin/activate" in README


def test_new_says_how_to_run_the_command(small_project, capsys):
    assert run(["--project", str(small_project), "new", "second"]) == 0
    out = capsys.readouterr().out
    # In the tests, handbill runs from a virtual environment that is not on PATH: the
    # message names the command as it can be typed, and how to make it 'handbill'.
    assert "bin/handbill check " in out and "bin/handbill build " in out
    assert "bin/activate" in out


# ---- 2. The project is found from inside it -------------------------------------------

def test_find_project_walks_up_to_site_yaml_or_content(small_project, tmp_path):
    bundle = small_project / "content" / "first"
    (bundle / "deeper").mkdir()
    assert find_project(bundle) == small_project
    assert find_project(bundle / "deeper") == small_project
    assert find_project(small_project / "content") == small_project
    assert find_project(small_project) == small_project
    lone = tmp_path / "nothing-here"
    lone.mkdir()
    assert find_project(lone) == lone  # no marker anywhere above: the folder itself
    (small_project / "site.yaml").unlink()  # a project without site.yaml: its content/
    assert find_project(bundle) == small_project


def test_build_from_a_bundle_folder_builds_into_the_project(small_project, monkeypatch,
                                                            capsys):
    bundle = small_project / "content" / "first"
    monkeypatch.chdir(bundle)
    assert run(["build", "."]) == 0
    assert (small_project / "out" / "first" / "handout.pdf").is_file()
    assert not (bundle / "out").exists()
    err = capsys.readouterr().err
    assert f"handbill: project {small_project}" in err


def test_check_and_build_from_content_use_the_project(small_project, monkeypatch, capsys):
    monkeypatch.chdir(small_project / "content")
    assert run(["build", "first"]) == 0  # a PATH is relative to the current folder
    assert (small_project / "out" / "first" / "handout.pdf").is_file()
    assert not (small_project / "content" / "out").exists()
    capsys.readouterr()
    assert run(["build"]) == 0  # no PATH: the project's content/, here up to date
    assert "0 built, 1 up to date" in capsys.readouterr().out


def test_project_option_wins_over_the_folder_found(small_project, tmp_path, monkeypatch):
    other = tmp_path / "other"
    (other / "content").mkdir(parents=True)
    new_bundle(other, "elsewhere")
    monkeypatch.chdir(small_project / "content" / "first")
    assert run(["--project", str(other), "build"]) == 0
    assert (other / "out" / "elsewhere" / "handout.pdf").is_file()
    assert not (small_project / "out").exists()


def test_no_project_anywhere_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["build"]) == 2
    err = capsys.readouterr().err
    assert "not a handbill project" in err and "--project" in err and "handbill new" in err
