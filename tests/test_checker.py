"""handbill check: every check, no PDF written, findings at their place, text or JSON."""

from __future__ import annotations

import json
import re
import shutil

import jsonschema

from handbill.cli import run

from conftest import REPO, SAMPLE

SCHEMA = json.loads((REPO / "docs" / "check.schema.json").read_text(encoding="utf-8"))


def _check(project, capsys, *args):
    code = run(["--project", str(project), "check", *args])
    captured = capsys.readouterr()
    return code, captured.out


def test_sample_passes_with_only_the_warnings_its_clinical_text_earns(capsys):
    code, out = _check(REPO, capsys)
    assert code == 0
    findings = [line for line in out.splitlines() if not line.startswith("  hint:")]
    # The seed's Chinese uses half-width punctuation (the author's text, kept): zh-punctuation.
    assert findings and all(re.search(r": warning: .*\[(readability-en|sentence-length-zh|"
                                      r"zh-punctuation)\]$", f) for f in findings), out
    assert re.search(r"^content/stem-cells-t2dm/en\.md:1: warning: Flesch-Kincaid grade "
                     r"\d+\.\d; patient materials aim at grades 6 to 8 \[readability-en\]$", out, re.M)
    assert not list((REPO / "content").rglob("*.pdf"))


def test_strict_makes_warnings_fail(capsys):
    code, _ = _check(REPO, capsys, "--strict")
    assert code == 1


def test_uncovered_character_is_found_at_its_place(project, capsys):
    zh = project / "content" / "stem-cells-t2dm" / "zh-Hans.md"
    zh.write_text(zh.read_text(encoding="utf-8").replace("## 结论", "## 结论\n\n𪚥检很重要。"), "utf-8")
    code, out = _check(project, capsys, "--layout", "handout")
    line = zh.read_text(encoding="utf-8").splitlines().index("𪚥检很重要。") + 1
    assert code == 1
    assert (f"content/stem-cells-t2dm/zh-Hans.md:{line}:1: error: no font covers '𪚥' (U+2A6A5) "
            "for zh-Hans [font-coverage]") in out
    assert not (project / "out").exists()


def test_overflowing_trifold_is_found(project, capsys):
    bundle = project / "content" / "stem-cells-t2dm"
    for name in ("en.short.md", "zh-Hans.short.md"):
        (bundle / name).unlink()
    code, out = _check(project, capsys, "--layout", "trifold")
    assert code == 1
    assert re.search(r"^content/stem-cells-t2dm/(en|zh-Hans)\.md:\d+:\d+: error: the text does not "
                     r"fit the layout's 2 pages: it overflows by \d+ lines \(\d+ mm of text\) onto "
                     r"\d+ more, from this line on, in the section '[^']+' \[layout-fit\]$", out, re.M), out


def test_small_body_type_is_found(project, capsys):
    css = project / "layouts" / "handout" / "handout.css"
    css.parent.mkdir(parents=True)
    css.write_text(":root { --body-size: 9pt; }\n", encoding="utf-8")
    code, out = _check(project, capsys, "--layout", "handout")
    assert code == 1
    # At the first paragraph of running text (en.md's line 3), with how much there is of it.
    assert re.search(r"^content/stem-cells-t2dm/en\.md:3:1: error: running text set at 9 pt, "
                     r"from this paragraph on \(\d+ lines, pages 1-\d\); patients need at "
                     r"least 11 pt \[type-size\]$", out, re.M), out
    code, out = _check(project, capsys, "--layout", "handout", "--option", "large-print=yes")
    assert "type-size" not in out  # large print sets 14 pt over the layout's own size


def test_json_findings_follow_their_schema(project, capsys):
    en = project / "content" / "stem-cells-t2dm" / "en.md"
    en.write_text(en.read_text(encoding="utf-8").replace("[@hu2016]", "[@hu2061]"), "utf-8")
    code, out = _check(project, capsys, "--format", "json")
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert code == 1 and data["failed"] and data["errors"] >= 1
    checks = {f["check"] for f in data["findings"] if f["severity"] == "error"}
    assert checks == {"citation", "translation-parity"}  # zh-Hans.md still cites hu2016
    [error] = [f for f in data["findings"] if f["check"] == "citation"]
    assert error["severity"] == "error" and error["path"] == "content/stem-cells-t2dm/en.md"
    assert error["hint"] == ("did you mean 'hu2016' or 'zhou2016'? Otherwise add an entry "
                             "'hu2061' to content/stem-cells-t2dm/references.yaml")
    lines = en.read_text(encoding="utf-8").splitlines()
    assert lines[error["line"] - 1][error["column"] - 1:].startswith("@hu2061")


def test_broken_schema_is_reported(tmp_path, capsys):
    bundle = tmp_path / "content" / "x"
    shutil.copytree(SAMPLE, bundle)
    (bundle / "meta.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    code, out = _check(tmp_path, capsys)
    assert code == 1
    assert re.search(r"^content/x/meta\.yaml:2:1: error: invalid YAML", out, re.M), out
