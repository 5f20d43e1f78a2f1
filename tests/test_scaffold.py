"""`new_bundle` makes a bundle that loads and builds, and refuses bad names."""

from __future__ import annotations

import datetime

import pytest

from handbill.cli import run
from handbill.content import load_bundle
from handbill.errors import UsageError
from handbill.scaffold import new_bundle, slugify, template_dir


@pytest.fixture
def empty_project(tmp_path):
    (tmp_path / "content").mkdir()
    return tmp_path


def test_new_bundle_loads_and_builds(empty_project):
    folder = new_bundle(empty_project, "my-handout")
    assert folder == empty_project / "content" / "my-handout"
    assert sorted(p.name for p in folder.iterdir()) == [
        "en.md", "meta.yaml", "references.yaml", "zh-Hans.md"]
    bundle = load_bundle(folder, empty_project)
    assert bundle.meta.title == {"en": "New handout", "zh-Hans": "新资料"}
    assert bundle.meta.date == datetime.date.today()
    assert bundle.meta.layouts == ("handout",)
    assert [r.id for r in bundle.references] == ["example2024"]

    assert run(["--project", str(empty_project), "build", "--layout", "handout"]) == 0
    pdf = empty_project / "out" / "my-handout" / "handout.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_both_languages_have_the_same_shape(empty_project):
    folder = new_bundle(empty_project, "shape")
    texts = {lang: (folder / f"{lang}.md").read_text(encoding="utf-8")
             for lang in ("en", "zh-Hans")}

    def shape(text):
        sections = text.split("\n## ")
        return [(s.count("\n- "), s.count("[@example2024]")) for s in sections]

    assert shape(texts["en"]) == shape(texts["zh-Hans"]) == [(0, 0), (3, 1)]
    assert all(text.count("\n## ") + text.startswith("## ") == 2 for text in texts.values())


def test_titles_are_written_as_given(empty_project):
    folder = new_bundle(empty_project, "diet", title_en='Diet: what "low sugar" means',
                        title_zh="饮食：什么是“低糖”")
    meta = load_bundle(folder, empty_project).meta
    assert meta.title == {"en": 'Diet: what "low sugar" means', "zh-Hans": "饮食：什么是“低糖”"}


def test_an_existing_bundle_is_refused_and_kept(empty_project):
    folder = new_bundle(empty_project, "twice")
    (folder / "en.md").write_text("## Mine\n\nMy own words.\n", encoding="utf-8")
    with pytest.raises(UsageError) as error:
        new_bundle(empty_project, "twice")
    assert "already exists" in str(error.value)
    assert error.value.diagnostics[0].path == "content/twice"
    assert (folder / "en.md").read_text(encoding="utf-8") == "## Mine\n\nMy own words.\n"


@pytest.mark.parametrize("name", ["My Handout", "../x", "a/b", "", "-x", "x-", "ünïcode", ".hidden"])
def test_a_name_that_is_not_a_slug_is_refused(empty_project, name):
    with pytest.raises(UsageError) as error:
        new_bundle(empty_project, name)
    message = str(error.value)
    assert f"'{name}' is not a valid bundle name" in message
    assert "lowercase letters, digits and hyphens" in message
    assert error.value.exit_code == 2
    assert list((empty_project / "content").iterdir()) == []
    assert not (empty_project / "x").exists()


def test_the_hint_suggests_a_slug(empty_project):
    with pytest.raises(UsageError) as error:
        new_bundle(empty_project, "My Handout")
    assert "'my-handout'" in error.value.diagnostics[0].hint
    assert slugify("  Type 2 Diabetes & You! ") == "type-2-diabetes-you"


def test_a_blank_title_is_refused(empty_project):
    with pytest.raises(UsageError, match="title is blank"):
        new_bundle(empty_project, "blank", title_en="  ")
    assert not (empty_project / "content" / "blank").exists()


def test_templates_are_package_data():
    assert {p.name for p in template_dir().iterdir()} >= {
        "meta.yaml", "en.md", "zh-Hans.md", "references.yaml"}


def test_new_takes_any_languages_of_the_table(empty_project, capsys):
    """A Traditional Chinese clinic starts in Traditional: its zh-Hant.md is the Chinese
    scaffold converted, so it checks and builds with nothing converted at build time."""
    assert run(["--project", str(empty_project), "new", "tw", "--languages", "en,zh-Hant",
                "--title-zh", "洗手的方法"]) == 0
    out = capsys.readouterr().out
    assert "write the text in en.md and zh-Hant.md" in out
    folder = empty_project / "content" / "tw"
    assert sorted(p.name for p in folder.iterdir()) == ["en.md", "meta.yaml",
                                                         "references.yaml", "zh-Hant.md"]
    bundle = load_bundle(folder, empty_project)
    assert bundle.meta.languages == ("en", "zh-Hant")
    assert bundle.meta.title["zh-Hant"] == "洗手的方法"
    assert "關於這份資料" in (folder / "zh-Hant.md").read_text(encoding="utf-8")
    assert not bundle.converted
    assert run(["--project", str(empty_project), "check", str(folder)]) == 0
    assert run(["--project", str(empty_project), "build", str(folder)]) == 0


def test_new_with_a_project_language_and_an_unknown_one(empty_project, capsys):
    import shutil
    from pathlib import Path

    fixture = Path(__file__).resolve().parent / "fixtures" / "spanish" / "layouts"
    shutil.copytree(fixture, empty_project / "layouts")
    assert run(["--project", str(empty_project), "new", "es1", "--languages", "en,es"]) == 0
    folder = empty_project / "content" / "es1"
    assert (folder / "es.md").is_file() and not (folder / "zh-Hans.md").exists()
    assert run(["--project", str(empty_project), "build", str(folder)]) == 0
    capsys.readouterr()
    assert run(["--project", str(empty_project), "new", "x", "--languages", "en,esp"]) == 2
    assert "handbill: error: unknown language 'esp' (--languages) [usage]" in \
        capsys.readouterr().err
    assert not (empty_project / "content" / "x").exists()
