"""handbill import FILE.docx: Word handouts, in English and Chinese, made one bundle that
checks clean and builds in every layout with its words intact; what Markdown cannot hold
named; a language imported again shown before it is replaced; bad files refused with
nothing written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from handbill.cli import run
from conftest import clinic_project
from pdfcheck import all_text, reading_text, squash

pytest.importorskip("docx")
import docx_factory as factory  # noqa: E402

NAME = "colonoscopy-prep"


def _import(project: Path, docx: Path, lang: str, *extra: str) -> int:
    return run(["--project", str(project), "import", str(docx), "--lang", lang,
                "--into", str(project / "content" / NAME), *extra])


def _words(words: dict) -> list[str]:
    """Every text of the handout, as it should print (the non-breaking spaces kept)."""
    texts = [words["intro"], words["h_steps"], words["h_warn"], words["bold_lead"],
             words["bold_rest"], words["quote"], words["italic"], words["h_table"],
             words["link_text"]]
    for text, subs in words["steps"]:
        texts += [text, *subs]
    texts += words["warnings"] + [cell for row in words["table"] for cell in row]
    return [factory._t(t) for t in texts]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    project = clinic_project(tmp_path_factory.mktemp("import") / "clinic")
    (project / "content").mkdir()
    en = factory.handout(project.parent / "prep-en.docx", factory.EN)
    zh = factory.handout(project.parent / "prep-zh.docx", factory.ZH)
    assert _import(project, en, "en") == 0
    assert _import(project, zh, "zh-Hans") == 0
    return project


def test_the_english_and_chinese_documents_become_one_bundle(imported):
    bundle = imported / "content" / NAME
    meta = (bundle / "meta.yaml").read_text(encoding="utf-8")
    assert "languages: [en, zh-Hans]" in meta
    assert '  en: "Getting ready for your colonoscopy"' in meta
    assert '  zh-Hans: "结肠镜检查前的准备"' in meta
    assert 'subtitle:\n  en: "Bowel preparation with two sachets"\n  zh-Hans: "两袋泻药的肠道准备"\n' \
        in meta
    en = (bundle / "en.md").read_text(encoding="utf-8")
    zh = (bundle / "zh-Hans.md").read_text(encoding="utf-8")
    # Word's Heading 1 is a section; its numbered steps keep their sub-steps, nested.
    assert "## The day before the test\n\n1. Eat a light breakfast before 9\u00a0a.m." in en
    assert ("3. At 5\u00a0p.m., take the first sachet.\n"
            "   1. Stir the powder into 250\u00a0ml of cold water until it dissolves.\n"
            "   2. Drink it over 30 minutes, then drink two more glasses of water.\n"
            "4. Stay near a toilet") in en
    assert "### When to call us\n\n- You vomit and cannot keep fluids down.\n" in en
    assert "**Do not drive** for 24 hours" in en and "*This leaflet does not replace" in en
    assert "| Time | What to do |\n| --- | --- |\n| 9\u00a0a.m. | Last light meal |" in en
    assert "[the NHS page on colonoscopy](https://www.nhs.uk/conditions/colonoscopy/)." in en
    assert "![a glass of water beside a sachet of powder](image-1.png)" in en
    assert "If you take “blood thinners”, tell us before the day — don’t stop" in en
    assert "3. 下午5点，服用第一袋泻药。\n   1. 把药粉倒入250\u00a0ml冷水中" in zh
    assert "**请勿开车**：如果您使用了镇静剂" in zh and "“抗凝药”" in zh
    assert "[英国国家医疗服务体系的结肠镜检查页面](https://www.nhs.uk/conditions/colonoscopy/)。" in zh
    # The image beside the text; the Chinese document's is the same picture: one file.
    assert sorted(p.name for p in bundle.glob("*.png")) == ["image-1.png"]
    assert "![一杯水和一袋药粉](image-1.png)" in zh


def test_the_imported_bundle_checks_clean(imported, capsys):
    assert run(["--project", str(imported), "check", str(imported / "content" / NAME)]) == 0
    out = capsys.readouterr().out
    assert " error" not in out


@pytest.mark.parametrize("layout", ["handout", "parallel", "booklet", "trifold"])
def test_the_imported_bundle_builds_in_every_layout_with_its_words(imported, layout, capsys):
    assert run(["--project", str(imported), "build", str(imported / "content" / NAME),
                "--layout", layout]) == 0, capsys.readouterr().err
    text = squash(reading_text(imported / "out" / NAME / f"{layout}.pdf"))
    words = _words(factory.EN) + _words(factory.ZH)
    # The titles and subtitles, from meta.yaml (also in running headers: the whole text)
    whole = squash(all_text(imported / "out" / NAME / f"{layout}.pdf"))
    for meta_text in (factory.EN["title"], factory.ZH["title"], factory.EN["subtitle"],
                      factory.ZH["subtitle"]):
        assert squash(meta_text) in whole, (layout, meta_text)
    if layout == "trifold":  # a panel's worth: the first steps of each language
        words = [factory.EN["intro"], factory.EN["steps"][0][0], factory.ZH["intro"]]
        words = [factory._t(w) for w in words]
    for words_ in words:
        assert squash(words_) in text, (layout, words_)


def test_what_markdown_cannot_hold_is_named_and_an_image_without_alt_text_is_a_todo(
        tmp_path, capsys):
    project = clinic_project(tmp_path / "clinic")
    (project / "content").mkdir()
    docx = factory.handout(tmp_path / "prep.docx", factory.EN, comment=True, tracked=True,
                           no_alt_image=True, title_paragraph=False)
    assert _import(project, docx, "en") == 0
    err = capsys.readouterr().err
    assert "prep.docx: warning: the document has comments (not imported) [file]" in err
    assert "prep.docx: warning: the document has tracked insertions (imported as if " \
           "accepted) [file]" in err
    bundle = project / "content" / NAME
    en = (bundle / "en.md").read_text(encoding="utf-8")
    # No Title paragraph: the first heading is the title, and not in the body too.
    assert '  en: "Getting ready for your colonoscopy"' in (bundle / "meta.yaml").read_text()
    assert "Getting ready" not in en
    line = en.splitlines().index("![TODO: say what this image shows](image-2.png)") + 1
    assert run(["--project", str(project), "check", str(bundle)]) == 1
    out = capsys.readouterr().out
    assert f"content/{NAME}/en.md:{line}:1: error: image 'image-2.png' has no alt text" in out


def test_a_language_imported_again_shows_what_changes_and_replaces_only_its_body(
        imported, tmp_path, capsys):
    bundle = imported / "content" / NAME
    before = {p.name: p.read_bytes() for p in bundle.iterdir() if p.is_file()}
    words = dict(factory.EN, intro="Your bowel must be empty. Follow every step.")
    revised = factory.handout(tmp_path / "prep-en-v2.docx", words)
    capsys.readouterr()
    assert _import(imported, revised, "en", "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"--- content/{NAME}/en.md\n+++ content/{NAME}/en.md\n" in out
    assert "-Your bowel must be empty so that the doctor" in out
    assert "+Your bowel must be empty. Follow every step." in out
    assert {p.name: p.read_bytes() for p in bundle.iterdir() if p.is_file()} == before
    assert _import(imported, revised, "en") == 0
    assert "+Your bowel must be empty. Follow every step." in capsys.readouterr().out
    after = {p.name: p.read_bytes() for p in bundle.iterdir() if p.is_file()}
    assert [name for name in after if after[name] != before.get(name)] == ["en.md"]
    (bundle / "en.md").write_bytes(before["en.md"])  # as the other tests expect it


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as file:
        file.truncate(size)


def _bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            for _ in range(300):
                part.write(bytes(1 << 20))


@pytest.mark.parametrize("name, make, code, message", [
    ("notes.txt", lambda p: p.write_text("hello"), 1, "handbill imports Word documents (.docx)"),
    ("prep.docx", lambda p: p.write_text("not a zip"), 1,
     "this is not a Word document handbill can read"),
    ("prep.docx", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)), 1,
     "the Word document is password-protected (or an old .doc file)"),
    ("prep.docx", _bomb, 1, "the Word document unpacks to more than"),
    ("prep.docx", lambda p: zipfile.ZipFile(p, "w").writestr("x.txt", "x"), 1,
     "this zip file is not a Word document (it has no word/document.xml)"),
    ("prep.docx", lambda p: _sparse(p, 60_000_000), 1, "the document has 60,000,000 bytes, more than 50,000,000"),
])
def test_a_file_that_is_no_word_document_is_refused_and_nothing_written(
        tmp_path, capsys, name, make, code, message):
    project = clinic_project(tmp_path / "clinic")
    (project / "content").mkdir()
    make(tmp_path / name)
    assert _import(project, tmp_path / name, "en") == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert list((project / "content").iterdir()) == []


def test_a_document_that_is_not_there_is_exit_2(tmp_path, capsys):
    project = clinic_project(tmp_path / "clinic")
    (project / "content").mkdir()
    assert _import(project, tmp_path / "missing.docx", "en") == 2
    err = capsys.readouterr().err
    assert f"handbill: error: {tmp_path / 'missing.docx'}: no such file [usage]" in err
    assert list((project / "content").iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (["--lang", "xx"], "unknown language 'xx'"),
    (["--lang", "en", "--into", "elsewhere/x"], "--into elsewhere/x: a bundle is a folder "
                                                "under content/"),
])
def test_misuse_is_exit_2(tmp_path, capsys, args, message):
    project = clinic_project(tmp_path / "clinic")
    (project / "content").mkdir()
    docx = factory.handout(tmp_path / "prep.docx")
    into = [a if a != "elsewhere/x" else str(project / "elsewhere" / "x") for a in args]
    assert run(["--project", str(project), "import", str(docx), *into]) == 2
    assert message in capsys.readouterr().err
    assert list((project / "content").iterdir()) == []
