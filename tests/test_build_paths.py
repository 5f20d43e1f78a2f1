"""What `handbill build` is asked to build: a folder with no bundle, a language a bundle
lacks, two bundles whose outputs would be one file, and -j 0 through the API."""

from __future__ import annotations

import shutil

import pytest

from handbill.cli import run
from conftest import SAMPLE, clinic_project

B = "stem-cells-t2dm"


@pytest.fixture
def project(tmp_path):
    project = clinic_project(tmp_path / "project")
    shutil.copytree(SAMPLE, project / "content" / B)
    return project


def test_a_folder_with_no_bundle_is_misuse(project, capsys):
    (project / "drafts").mkdir()
    assert run(["--project", str(project), "build", str(project / "drafts")]) == 2
    err = capsys.readouterr().err
    assert "drafts: error: no content bundle here (a bundle is a folder with a meta.yaml) " \
           "[usage]" in err
    assert not (project / "out").exists()


def test_a_language_the_bundle_lacks_is_an_error_naming_what_it_has(project, capsys):
    assert run(["--project", str(project), "build", "--lang", "zh-Hant",
                "--layout", "handout"]) == 1
    err = capsys.readouterr().err
    assert f"content/{B}: error: bundle has no 'zh-Hant' text [meta]\n" \
           "  hint: its languages (meta.yaml): en, zh-Hans" in err
    assert not list(project.rglob("*.pdf"))


def test_two_bundles_whose_outputs_are_one_file_are_refused_and_the_first_built(project,
                                                                                capsys):
    """content/X goes to out/X/, and a bundle X at the project's top too: the second is
    refused, named with the one it collides with; the first is built."""
    shutil.copytree(SAMPLE, project / B)
    assert run(["--project", str(project), "build", str(project / "content" / B),
                str(project / B), "--layout", "handout"]) == 1
    err = capsys.readouterr().err
    assert f"{B}: error: its output out/{B}/handout.pdf collides with that of content/{B} " \
           "[meta]" in err
    assert [p.relative_to(project).as_posix() for p in (project / "out").rglob("*.pdf")] == \
        [f"out/{B}/handout.pdf"]


def test_no_worker_processes_is_misuse_through_the_api(project):
    import handbill
    from handbill.errors import UsageError

    with pytest.raises(UsageError) as raised:
        handbill.build(None, handbill.BuildOptions(project=project, jobs=0))
    assert "-j takes a number of processes, 1 or more" in raised.value.diagnostics[0].message
    assert not (project / "out").exists()
