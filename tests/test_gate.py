"""``handbill check`` is the gate: every finding in one run, located where it came from,
and what it calls an error is what ``handbill build`` refuses."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from handbill.cli import run
from handbill.registry import CHECKS, finding_schema

from conftest import REPO, SAMPLE

CHECK_SCHEMA = json.loads((REPO / "docs" / "check.schema.json").read_text(encoding="utf-8"))
LONG_PARAGRAPH = ("Bring this leaflet to every visit, and ask your nurse about anything in it "
                  "that is not clear to you.")


def _project(tmp_path: Path, layouts: str = "[handout]") -> Path:
    bundle = tmp_path / "content" / "s"
    shutil.copytree(SAMPLE, bundle)
    meta = bundle / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        "layouts: [handout, parallel, trifold, booklet]", f"layouts: {layouts}"),
        encoding="utf-8")
    return tmp_path


def _findings(capsys, *args) -> tuple[int, list[dict]]:
    capsys.readouterr()
    code = run(["--project", *map(str, args[:1]), "check", "--format", "json", *args[1:]])
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, CHECK_SCHEMA)  # notes of checks not run included
    return code, data["findings"]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- every finding in one run ---------------------------------------------------------

def test_an_uncovered_character_does_not_hide_an_overflowing_panel(tmp_path, capsys):
    project = _project(tmp_path, "[trifold]")
    bundle = project / "content" / "s"
    _edit(bundle / "zh-Hans.short.md", "。", "。\U00017000")  # Tangut: no font of ours has it
    with (bundle / "en.short.md").open("a", encoding="utf-8") as text:
        text.write("".join(f"\n{LONG_PARAGRAPH}\n" for _ in range(40)))
    code, found = _findings(capsys, project)
    assert code == 1
    errors = [(f["check"], f["path"]) for f in found if f["severity"] == "error"]
    assert errors == [("layout-fit", "content/s/en.short.md"),
                      ("font-coverage", "content/s/zh-Hans.short.md")]
    # The fallback the missing glyph makes is no second finding: a note says it was not judged.
    [note] = [f for f in found if f["severity"] == "note"]
    assert note["check"] == "skipped" and note["path"] == "content/s"
    assert note["message"] == ("not checked for the trifold layout: font-fallback, because "
                               "some characters have no font (font-coverage)")
    # And the build refuses the same two, at the same places.
    capsys.readouterr()
    assert run(["--project", str(project), "build"]) == 1
    err = capsys.readouterr().err
    assert "zh-Hans.short.md:3:38: error: no font covers" in err
    assert not (project / "out" / "s" / "trifold.pdf").exists()


def test_a_citation_to_nowhere_stops_only_what_needs_the_citations(tmp_path, capsys):
    project = _project(tmp_path)
    bundle = project / "content" / "s"
    _edit(bundle / "en.md", "[@hu2016]", "[@hu2061]")
    _edit(bundle / "zh-Hans.md", "## ", "## ![](cover.svg)\n\n## ")  # and an image without alt
    code, found = _findings(capsys, project)
    assert code == 1
    checks = {f["check"] for f in found}
    # The content checks all ran: parity sees the changed key, alt text the image.
    assert {"citation", "translation-parity", "alt-text", "readability-en"} <= checks
    [note] = [f for f in found if f["severity"] == "note"]
    assert note["message"].startswith("not checked: font-coverage, fetch, render, layout-fit, "
                                      "type-size, page-fill, impose, font-fallback, "
                                      "because its citations cannot be formatted")


def test_a_bundle_that_does_not_load_says_what_was_not_checked(tmp_path, capsys):
    project = _project(tmp_path)
    _edit(project / "content" / "s" / "meta.yaml", "date: 2023-06-29\n", "")
    code, found = _findings(capsys, project)
    assert code == 1
    assert [f["check"] for f in found] == ["meta", "skipped"]
    assert "because the bundle does not load" in found[1]["message"]
    assert "translation-parity" in found[1]["message"]


# -- layout-fit: located in the file it came from -------------------------------------

def test_overflow_is_located_in_the_text_that_overflowed_not_the_last_that_says_the_same(
        tmp_path, capsys):
    """The same English sentence ends both languages' texts (a shared note). The
    English text overflows the tri-fold: the location is en.short.md, at the paragraph
    whose line did not fit, which a text cut before it shows: without that paragraph
    the leaflet fits, with it it does not."""
    project = _project(tmp_path, "[trifold]")
    bundle = project / "content" / "s"
    en, zh = bundle / "en.short.md", bundle / "zh-Hans.short.md"
    original = en.read_text(encoding="utf-8")
    en.write_text(original + "".join(f"\n{LONG_PARAGRAPH}\n" for _ in range(30)), encoding="utf-8")
    zh.write_text(zh.read_text(encoding="utf-8") + f"\n{LONG_PARAGRAPH}\n", encoding="utf-8")
    code, found = _findings(capsys, project)
    [fit] = [f for f in found if f["check"] == "layout-fit"]
    assert code == 1 and fit["path"] == "content/s/en.short.md", fit
    lines = en.read_text(encoding="utf-8").split("\n")
    assert lines[fit["line"] - 1] == LONG_PARAGRAPH and fit["column"] == 1
    # The oracle: the English up to the paragraph before fits (what overflows then is the
    # Chinese after it); with that paragraph, the English does not.
    def english_overflow(upto: int) -> list[int]:
        en.write_text("\n".join(lines[:upto]) + "\n", encoding="utf-8")
        return [f["line"] for f in _findings(capsys, project)[1]
                if f["check"] == "layout-fit" and f["path"] == "content/s/en.short.md"]

    assert english_overflow(fit["line"] - 1) == []
    assert english_overflow(fit["line"]) == [fit["line"]]


# -- type-size: running text, not the most common size --------------------------------

def _short_text_long_bibliography(project: Path) -> None:
    bundle = project / "content" / "s"
    keys = "; ".join(f"@{k}" for k in ("rangappa2003", "tang2013", "hu2016", "zhou2016",
                                        "carlsson2020"))
    (bundle / "en.md").write_text(f"## Summary\n\nAsk your care team about it [{keys}].\n",
                                  encoding="utf-8")
    (bundle / "zh-Hans.md").write_text(f"## 摘要\n\n请向医护人员咨询[{keys}]。\n",
                                       encoding="utf-8")


def test_a_short_text_with_a_long_bibliography_is_not_small_type(tmp_path, capsys):
    project = _project(tmp_path)
    _short_text_long_bibliography(project)
    code, found = _findings(capsys, project)
    assert [f for f in found if f["check"] == "type-size"] == []
    assert code == 0


def test_small_running_text_is_found_at_its_element_and_line(tmp_path, capsys):
    project = _project(tmp_path)
    _short_text_long_bibliography(project)
    layouts = project / "layouts" / "handout"
    shutil.copytree(REPO / "layouts" / "handout", layouts)
    with (layouts / "handout.css").open("a", encoding="utf-8") as css:
        css.write("\n[lang=\"zh-Hans\"] p { font-size: 10pt; }\n")
    code, found = _findings(capsys, project)
    [small] = [f for f in found if f["check"] == "type-size"]
    assert code == 1
    assert (small["path"], small["line"], small["column"]) == ("content/s/zh-Hans.md", 3, 1)
    assert small["message"] == ("running text set at 10 pt, from this paragraph on (1 line, "
                                "page 2); patients need at least 11 pt")  # the Chinese page
    capsys.readouterr()
    assert run(["--project", str(project), "build"]) == 1  # the build refuses it too
    assert "zh-Hans.md:3:1: error: running text set at 10 pt" in capsys.readouterr().err


def test_fine_print_is_not_running_text(tmp_path, capsys):
    project = _project(tmp_path)
    bundle = project / "content" / "s"
    for name, text in (("en.md", "Copyright 2026 Riverside Clinic."), ("zh-Hans.md", "版权所有。")):
        with (bundle / name).open("a", encoding="utf-8") as body:
            body.write(f"\n> [!FINEPRINT]\n> {text}\n")
    code, found = _findings(capsys, project)
    assert [f for f in found if f["check"] in ("type-size", "translation-parity")] == []


# -- one registry, one shape ----------------------------------------------------------

def test_every_check_id_handbill_uses_is_in_the_registry():
    used = set()
    for path in (REPO / "src" / "handbill").glob("*.py"):
        used |= set(re.findall(r'code\s*=\s*"([a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    assert used - {"skipped"} == set(CHECKS)  # skipped: the note of checks not run
    from handbill.errors import Diagnostic

    with pytest.raises(ValueError, match="no check of that id"):
        Diagnostic("x", 1, "m", code="no-such-check")


def test_the_schemas_and_the_help_come_from_the_registry(capsys):
    for name, key in (("check", "findings"), ("report", "diagnostics")):
        schema = json.loads((REPO / "docs" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert schema["$defs"]["finding"] == finding_schema(), f"docs/{name}.schema.json"
        assert schema["properties"][key]["items"] == {"$ref": "#/$defs/finding"}
    capsys.readouterr()
    assert run(["check", "--help"]) == 0
    shown = capsys.readouterr().out
    for check in CHECKS.values():
        assert re.search(rf"^  {re.escape(check.id)} +{check.severity} ", shown, re.M), check.id


def test_a_finding_has_one_shape_in_check_and_in_the_build_report(tmp_path, capsys):
    project = _project(tmp_path)
    _edit(project / "content" / "s" / "en.md", "[@hu2016]", "[@hu2061]")
    _, found = _findings(capsys, project)
    assert run(["--project", str(project), "build", "--report", str(tmp_path / "r.json")]) == 1
    reported = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["diagnostics"]
    mine = [f for f in found if f["check"] == "citation"]
    assert mine and [f for f in reported if f["check"] == "citation"] == mine
    assert {tuple(f) for f in found + reported} == {tuple(finding_schema()["required"])}


# -- gate and build agree: every check id, in both commands ---------------------------

def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def _layout_css(project: Path, css: str, layout: str = "handout") -> None:
    own = project / "layouts" / layout
    if not own.exists():
        shutil.copytree(REPO / "layouts" / layout, own)
    _append(own / f"{layout}.css", "\n" + css + "\n")


def _overflow_trifold(project: Path):
    _edit(project / "content" / "s" / "meta.yaml", "layouts: [handout]", "layouts: [trifold]")
    _append(project / "content" / "s" / "en.short.md",
            "".join(f"\n{LONG_PARAGRAPH}\n" for _ in range(40)))


def _page_fill(project: Path):  # each language's last paragraph on a page of its own
    from conftest import CORPUS

    shutil.rmtree(project / B)
    shutil.copytree(CORPUS / "stomach-flu", project / B)
    _edit(project / B / "meta.yaml", "layouts: [handout, parallel, trifold, booklet]",
          "layouts: [handout]")
    _layout_css(project, ".body > p:last-child { break-before: page; }")


def _raw_html(project: Path):
    _append(project / B / "meta.yaml", "allow-html: true\n")
    _edit(project / B / "en.md", "## Introduction", "## Introduction\n\n<script>x</script>")


def _symlink(link: Path, target: str):
    link.symlink_to(target)


B = "content/s"
#: For each check id: what makes a bundle fail it (a function of the project), and the
#: command line arguments both commands get.
TRIGGERS = {
    "site": (lambda p: (p / "site.yaml").write_text("organisation: [1, 2\n", encoding="utf-8")
             and _edit(p / "site.yaml", "[1, 2", "{colour: blue}"), []),
    "yaml": (lambda p: _append(p / B / "meta.yaml", "keywords: [unclosed\n"), []),
    "file": (lambda p: (p / B / "en.md").write_bytes(b"## A\n\nbad \xff byte\n"), []),
    "unread-file": (lambda p: _symlink(p / B / "loop.png", "loop.png"), []),
    "outside": (lambda p: _symlink(p / "layouts", "/usr/share"), []),
    "limits": (lambda p: None, ["--max-pages", "1"]),
    "layout": (lambda p: (p / "layouts" / "handout").mkdir(parents=True) or
               (p / "layouts" / "handout" / "layout.yaml").write_text(
                   "name: handout\ntemplate: handout.html.j2\npages: many\n", encoding="utf-8"),
               []),
    "fonts": (lambda p: (p / "fonts").mkdir() or (p / "fonts" / "x.otf").write_bytes(b"OTTO" * 9),
              []),
    "meta": (lambda p: _edit(p / B / "meta.yaml", "date: 2023-06-29\n", ""), []),
    "text": (lambda p: _edit(p / B / "en.md", "Type 2", "Type\x07 2"), []),
    "markdown": (lambda p: _edit(p / B / "en.md", "## Introduction",
                                 "## Introduction\n\n" + "> " * 9 + "deep"), []),
    "markdown-heading": (lambda p: _edit(p / B / "en.md", "## Introduction", "# Introduction"),
                         []),
    "raw-html": (_raw_html, []),
    "link": (lambda p: _edit(p / B / "en.md", "Type 2 diabetes",
                             "[Type 2 diabetes](javascript:alert(1))"), []),
    "image": (lambda p: _edit(p / B / "en.md", "## Introduction",
                              "## Introduction\n\n![a chart](missing.png)"), []),
    "alt-text": (lambda p: _edit(p / B / "en.md", "## Introduction",
                                 "## Introduction\n\n![](cover.svg)"), []),
    "translation-parity": (lambda p: _append(p / B / "en.md", "\n## One more\n\nText.\n"), []),
    "readability-en": (lambda p: None, []),
    "sentence-length-zh": (lambda p: None, []),
    "zh-punctuation": (lambda p: None, []),
    "converted-text": (lambda p: _append(p / B / "meta.yaml", "languages: [en, zh-Hant]\n"), []),
    "placeholder": (lambda p: _append(p / B / "en.md", "\nDear {{ name }}.\n"), []),
    # --data names a file in the project: the arguments are a function of it too.
    "data": (lambda p: (p / "rows.csv").write_text("id,name\n../x,Ann\n", encoding="utf-8"),
             lambda p: ["--data", str(p / "rows.csv")]),
    "references": (lambda p: _edit(p / B / "references.yaml", "  title:", "  note:"), []),
    "citation": (lambda p: _edit(p / B / "en.md", "[@hu2016]", "[@hu2061]"), []),
    "citation-unused": (lambda p: _append(p / B / "references.yaml",
                                          "- id: unused2020\n  type: book\n  title: Unused\n"
                                          "  issued: {date-parts: [[2020]]}\n"), []),
    "font-coverage": (lambda p: _edit(p / B / "zh-Hans.md", "。", "。\U00017000"), []),
    "fetch": (lambda p: _layout_css(p, "body { background: url(file:///etc/hostname); }"), []),
    "render": (lambda p: _layout_css(p, "p { color: nonsense(1); }"), []),
    "layout-fit": (_overflow_trifold, []),
    "type-size": (lambda p: _layout_css(p, "p { font-size: 9pt; }"), []),
    "page-fill": (_page_fill, []),
    "impose": (lambda p: _edit(p / B / "meta.yaml", "layouts: [handout]", "layouts: [booklet]"),
               ["--option", "marks=crop"]),
    "font-fallback": (lambda p: _layout_css(p, "h2 { font-family: 'DejaVu Serif'; }"), []),
}
#: Checks no bundle can make fail in both commands: the command line (exit 2 in both), a
#: bug, writing an output (which check does not do), and "content", the id of a problem
#: that names no check (none does: test_every_check_id_handbill_uses_is_in_the_registry).
NOT_A_BUNDLE = {"usage", "internal", "output", "content"}
#: WeasyPrint logs these as it lays the page out (check does; the build stops before).
LOGGED = {"alt-text", "fetch", "render"}


def test_every_check_has_a_trigger():
    assert set(TRIGGERS) | NOT_A_BUNDLE == set(CHECKS)


@pytest.mark.parametrize("check_id", [
    pytest.param(c, marks=pytest.mark.weasyprint_logs) if c in LOGGED else c
    for c in sorted(TRIGGERS)])
def test_check_and_build_agree(check_id, tmp_path, capsys):
    project = _project(tmp_path)
    shutil.copy(REPO / "site.yaml", project / "site.yaml")
    shutil.copytree(REPO / "assets", project / "assets")
    make, args = TRIGGERS[check_id]
    make(project)
    args = args(project) if callable(args) else args
    check = CHECKS[check_id]
    code, found = _findings(capsys, project, *args)
    mine = [f for f in found if f["check"] == check_id]
    assert mine, (check_id, found)
    assert {f["severity"] for f in mine} == {check.severity}
    capsys.readouterr()
    built = run(["--project", str(project), "build", *args])
    err = capsys.readouterr().err
    pdfs = sorted((project / "out").rglob("*.pdf")) if (project / "out").exists() else []
    if check.blocks_build:
        assert code == 1 and built == 1, (check_id, err)
        assert f"[{check_id}]" in err and not pdfs
    else:
        assert run(["--project", str(project), "check", "--strict", *args]) == 1
        assert built == 0 and pdfs, (check_id, err)
        assert (f"[{check_id}]" in err) == check.build, (check_id, err)


def test_the_readme_lists_every_check_as_the_registry_says():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (error|warning) \| (refuses|warns|—) \| (.+) \|$",
                      readme, re.M)
    build = {True: "refuses", False: "warns"}
    assert rows == [(c.id, c.severity, build[c.blocks_build] if c.build else "—", c.summary)
                    for c in CHECKS.values()]


def test_skip_leaves_out_a_warning_and_refuses_an_error_or_a_misspelt_id(tmp_path, capsys):
    project = _project(tmp_path)
    code, found = _findings(capsys, project)
    assert {"readability-en", "zh-punctuation"} <= {f["check"] for f in found}
    code, found = _findings(capsys, project, "--skip", "readability-en", "--skip",
                            "zh-punctuation")
    assert code == 0 and found and not {"readability-en", "zh-punctuation"} & {
        f["check"] for f in found}
    capsys.readouterr()
    assert run(["--project", str(project), "check", "--skip", "readabilty-en"]) == 2
    assert ("--skip readabilty-en: no check of that id; did you mean 'readability-en'? "
            "[usage]") in capsys.readouterr().err
    assert run(["--project", str(project), "check", "--skip", "translation-parity"]) == 2
    assert "an error cannot be skipped (build refuses it too)" in capsys.readouterr().err


def test_a_single_language_check_judges_that_language_only(tmp_path, capsys):
    project = _project(tmp_path)
    _append(project / "content" / "s" / "en.md", "\n## One more\n\nText.\n")  # no Chinese one
    code, found = _findings(capsys, project, "--lang", "en")
    checks = {f["check"] for f in found}
    assert code == 0 and "readability-en" in checks
    assert not checks & {"translation-parity", "zh-punctuation", "sentence-length-zh"}
    code, found = _findings(capsys, project, "--lang", "zh-Hans")
    checks = {f["check"] for f in found}
    assert code == 0 and "zh-punctuation" in checks and "readability-en" not in checks
    capsys.readouterr()  # and build agrees: the English alone builds
    assert run(["--project", str(project), "build", "--lang", "en"]) == 0
    assert run(["--project", str(project), "build"]) == 1


def test_a_source_line_that_is_not_in_the_file_is_looked_for_by_its_words(tmp_path):
    """Raw HTML (allow-html) may write its own data-src: a line the file does not have is
    no location; the printed words are looked for instead."""
    from handbill.pages import Line, locate

    text = tmp_path / "en.md"
    text.write_text("## A\n\nTake two tablets with water.\n", encoding="utf-8")
    forged = Line(1, "Take two tablets with water.", ("en.md", 9999, 9999), "p", True, 12.0,
                  None)
    assert locate(forged, (text,)) == (text, 3, 1)
    honest = Line(1, "two tablets with water.", ("en.md", 3, 3), "p", True, 12.0, None)
    assert locate(honest, (text,)) == (text, 3, 6)


def test_a_disclaimer_that_does_not_fit_is_located_in_meta_yaml(tmp_path, capsys):
    """The disclaimer is written in meta.yaml, not in a text: the line of it that does not
    fit is located there, at the line that holds its words."""
    project = _project(tmp_path, "[trifold]")
    meta = project / "content" / "s" / "meta.yaml"
    sentences = [f"Note {n}: this leaflet does not replace the advice of your own doctor or "
                 "nurse, who knows your health." for n in range(1, 41)]
    _append(meta, "disclaimer:\n  en: >-\n" + "".join(f"    {s}\n" for s in sentences)
            + "  zh-Hans: 本单张不能代替医生的建议。\n")
    code, found = _findings(capsys, project)
    [fit] = [f for f in found if f["check"] == "layout-fit"]
    assert code == 1 and fit["path"] == "content/s/meta.yaml", fit
    lines = meta.read_text(encoding="utf-8").split("\n")
    assert lines[fit["line"] - 1].lstrip().startswith("Note "), fit
    assert fit["column"] >= 5  # where in that sentence the line that did not fit starts
    # A title is written in meta.yaml too, but is no text that overflows: never found there.
    assert "干细胞" not in lines[fit["line"] - 1]
