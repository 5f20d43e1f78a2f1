"""Bad input: a located message on stderr, exit code 1, no traceback, no PDF left behind."""

from __future__ import annotations

import re

import pytest

from handbill.cli import run


def _build(project, capsys, *args):
    code = run(["--project", str(project), "build", *args])
    captured = capsys.readouterr()
    return code, captured.err


def _no_pdf(project):
    out = project / "out"
    return not out.exists() or not [p for p in out.rglob("*") if p.is_file()]


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BUNDLE = "content/stem-cells-t2dm"


def test_malformed_yaml(project, capsys):
    _edit(project / BUNDLE / "meta.yaml", "date: 2023-06-29", "date: [2023-06-29")
    code, err = _build(project, capsys)
    assert code == 1
    assert re.search(rf"^{BUNDLE}/meta\.yaml:\d+:\d+: error: invalid YAML", err, re.M), err
    assert "Traceback" not in err
    assert _no_pdf(project)


def test_missing_language_file(project, capsys):
    (project / BUNDLE / "zh-Hans.md").unlink()
    code, err = _build(project, capsys)
    assert code == 1
    assert f"{BUNDLE}/meta.yaml:4: error: no zh-Hans.md for language 'zh-Hans'" in err, err
    assert "hint:" in err
    assert _no_pdf(project)


def test_missing_metadata_field_and_all_problems_at_once(project, capsys):
    _edit(project / BUNDLE / "meta.yaml", "date: 2023-06-29\n", "")
    _edit(project / BUNDLE / "meta.yaml", "  zh-Hans: 干细胞为何对2型糖尿病有效\n", "")
    code, err = _build(project, capsys)
    assert code == 1
    assert f"{BUNDLE}/meta.yaml:2: error: missing 'date'" in err or \
        f"{BUNDLE}/meta.yaml:1: error: missing 'date'" in err, err
    assert re.search(rf"{BUNDLE}/meta\.yaml:\d+: error: 'title' has no 'zh-Hans' entry", err), err
    assert _no_pdf(project)


def test_unknown_layout_in_meta(project, capsys):
    _edit(project / BUNDLE / "meta.yaml", "layouts: [handout]", "layouts: [handout, poster]")
    code, err = _build(project, capsys)
    assert code == 1
    line = next(i for i, l in enumerate((project / BUNDLE / "meta.yaml").read_text().splitlines(), 1)
                if l.startswith("layouts:"))
    assert f"{BUNDLE}/meta.yaml:{line}: error: unknown layout 'poster'" in err, err
    assert _no_pdf(project)


def test_unknown_layout_on_command_line_is_misuse(project, capsys):
    code, err = _build(project, capsys, "--layout", "poster")
    assert code == 2
    assert "unknown layout 'poster'" in err
    assert _no_pdf(project)


def test_missing_cover_image(project, capsys):
    (project / BUNDLE / "cover.svg").unlink()
    code, err = _build(project, capsys)
    assert code == 1
    line = next(i for i, l in enumerate((project / BUNDLE / "meta.yaml").read_text().splitlines(), 1)
                if "image: cover.svg" in l)
    assert f"{BUNDLE}/meta.yaml:{line}: error: cover image 'cover.svg' not found" in err, err
    assert _no_pdf(project)


def test_missing_image_in_markdown(project, capsys):
    _edit(project / BUNDLE / "en.md", "## Conclusion\n", "## Conclusion\n\n![A chart](chart.png)\n")
    code, err = _build(project, capsys)
    assert code == 1
    line = next(i for i, l in enumerate((project / BUNDLE / "en.md").read_text().splitlines(), 1)
                if "chart.png" in l)
    assert f"{BUNDLE}/en.md:{line}: error: image 'chart.png' not found" in err, err
    assert _no_pdf(project)


def test_bad_bundle_is_skipped_and_the_others_still_build(project, capsys):
    import shutil
    shutil.copytree(project / BUNDLE, project / "content" / "broken")
    (project / "content" / "broken" / "en.md").unlink()
    code, err = _build(project, capsys)
    assert code == 1
    assert "content/broken/meta.yaml" in err
    assert (project / "out" / "stem-cells-t2dm" / "handout.pdf").is_file()
    assert not (project / "out" / "broken").exists()


def test_failed_rebuild_keeps_the_previous_pdf_and_no_temporary_file(project, capsys):
    assert _build(project, capsys)[0] == 0
    pdf = project / "out" / "stem-cells-t2dm" / "handout.pdf"
    before = pdf.read_bytes()
    (project / BUNDLE / "cover.svg").write_text("<svg><g></svg>")  # not well-formed: render fails
    code, err = _build(project, capsys)
    assert code == 1, err
    assert "content/stem-cells-t2dm/meta.yaml:18: error: cover image 'cover.svg' is not a valid SVG" in err
    assert pdf.read_bytes() == before
    assert [p.name for p in pdf.parent.iterdir()] == ["handout.pdf"]


def test_remote_image_is_refused_not_fetched(project, capsys):
    _edit(project / BUNDLE / "en.md", "## Conclusion\n",
          "## Conclusion\n\n![A chart](https://example.invalid/chart.png)\n")
    code, err = _build(project, capsys)
    assert code == 1
    assert re.search(rf"{BUNDLE}/en\.md:\d+: error: image 'https://example.invalid/chart.png' "
                     "must be a file inside the bundle", err), err


def test_raw_html_in_markdown_is_printed_as_text(project, capsys):
    _edit(project / BUNDLE / "en.md", "## Conclusion\n",
          "## Conclusion\n\n<img src=\"file:///etc/passwd\"> <b>bold</b>\n")
    code, err = _build(project, capsys, "--lang", "en")
    assert code == 0, err
    from pdfcheck import all_text
    text = all_text(project / "out" / "stem-cells-t2dm" / "handout.en.pdf")
    assert '<img src="file:///etc/passwd">' in text


@pytest.mark.parametrize("argv,message", [
    (["build", "--option", "page-size=A3"], "option page-size=A3 is not one of: A4, A5, Letter"),
    (["build", "--option", "color=red"], "layout 'handout' has no option 'color'"),
    (["build", "--option", "colour=red"], "option colour=red is not one of: rgb, cmyk"),
    (["build", "nowhere"], "nowhere: error: no such file or folder"),
    (["build", "--citation-style", "harvard9"], "unknown citation style 'harvard9'"),
])
def test_misuse_exits_2(project, capsys, argv, message):
    code = run(["--project", str(project), *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err, err
    assert "Traceback" not in err
