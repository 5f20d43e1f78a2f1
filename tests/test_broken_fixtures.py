"""`handbill check` on the broken bundles in tests/fixtures/broken: each defect at its place.

Each fixture is a small bundle made of the sample's own sentences with one
defect; meta.yaml's first line says which. The texts are written for clinicians,
so readability and sentence-length warnings come too: only errors are compared.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handbill.cli import run

from conftest import REPO

BROKEN = Path(__file__).parent / "fixtures" / "broken"
SHOWN = "tests/fixtures/broken"

EXPECTED = {
    "missing-section": [
        f"{SHOWN}/missing-section/en.md:12:1: error: section 'Clinical Evidence' (3rd) has no "
        "counterpart in zh-Hans.md [translation-parity]"],
    "extra-citation": [
        f"{SHOWN}/extra-citation/zh-Hans.md:10:55: error: section 2 'Mechanisms of Action': its "
        "1st citation is [@hu2016; @zhou2016] in zh-Hans.md, [@hu2016] in en.md "
        "[translation-parity]"],
    "uncovered-character": [
        f"{SHOWN}/uncovered-character/zh-Hans.md:21:1: error: no font covers '𪚥' (U+2A6A5) for "
        "zh-Hans [font-coverage]"],
    # Each side that runs over, located: the English goes on in the flap (outside), the
    # Chinese has the inside's last two panels.
    "overflowing-trifold": [
        f"{SHOWN}/overflowing-trifold/en.md:25:4: error: the text does not fit the layout's 2 "
        "pages: it overflows by 29 lines (164 mm of text) onto 2 more, from this line on, in the "
        "section 'Clinical Evidence' [layout-fit]",
        f"{SHOWN}/overflowing-trifold/zh-Hans.md:41:66: error: the text does not fit the layout's "
        "2 pages: it overflows by 21 lines (122 mm of text) onto 1 more, from this line on, in "
        "the section '结论' [layout-fit]"],
    "missing-alt-text": [
        f"{SHOWN}/missing-alt-text/en.md:17:1: error: image 'figure.svg' has no alt text "
        "[alt-text]"],
    "list-item-count": [
        f"{SHOWN}/list-item-count/zh-Hans.md:9:1: error: section 2 'Mechanisms of Action': "
        "4 numbered items in en.md, 3 in zh-Hans.md [translation-parity]"],
}


def test_every_fixture_has_its_expected_finding():
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_finds_the_defect_at_its_place(name, capsys):
    assert run(["--project", str(REPO), "check", str(BROKEN / name)]) == 1
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if ": error: " in line] == EXPECTED[name], out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_json_gives_the_same_finding_with_its_check_id(name, capsys):
    assert run(["--project", str(REPO), "check", "--format", "json", str(BROKEN / name)]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    errors = [f for f in findings if f["severity"] == "error"]
    assert len(errors) == len(EXPECTED[name])
    for error, expected in zip(errors, EXPECTED[name]):
        path, line, column, rest = expected.split(":", 3)
        assert (error["path"], error["line"], error["column"]) == (path, int(line), int(column))
        assert f"[{error['check']}]" in rest


#: What `build` refuses too: every error of `handbill check` (test_gate enumerates them).
REFUSED_BY_BUILD = tuple(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_build_refuses_what_cannot_print_right_and_writes_no_pdf_then(name, tmp_path, capsys):
    code = run(["--project", str(REPO), "build", str(BROKEN / name), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    if name in REFUSED_BY_BUILD:
        assert code == 1
        assert EXPECTED[name][0] in err
        assert list(tmp_path.rglob("*.pdf")) == []
    else:
        assert code == 0
        assert len(list(tmp_path.rglob("*.pdf"))) == 1
