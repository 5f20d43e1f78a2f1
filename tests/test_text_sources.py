"""What a clinic's texts can hold and how handbill says so: characters no font prints
(font coverage), references files (CSL-YAML, CSL-JSON, BibTeX), citation styles, and the
Chinese word segmenter's process."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

from handbill.cli import run

from conftest import alive, clinic_project

META = """title:
  en: Fasting Before Your Blood Test
  zh-Hans: 抽血前的空腹准备
date: 2024-03-04
layouts: [handout]
"""
EN = """## Before you come

Do not eat for eight hours before the test. You may drink water.

Bring your list of medicines.
"""
ZH = """## 来之前

检查前八小时内请不要进食，可以喝水。

请带上您的用药清单。
"""
CITE_EN = "\nFasting rules follow the lab's guide [@lab2021].\n"
CITE_ZH = "\n空腹要求见检验科指南[@lab2021]。\n"
ENTRY = ("- id: lab2021\n  type: report\n  title: Patient preparation for blood tests\n"
         "  issued: 2021\n")


def _fasting(root: Path) -> Path:
    """ROOT made a clinic's project with one short bilingual handout; its bundle folder."""
    clinic_project(root)
    bundle = root / "content" / "fasting"
    bundle.mkdir(parents=True)
    (bundle / "meta.yaml").write_text(META, encoding="utf-8")
    (bundle / "en.md").write_text(EN, encoding="utf-8")
    (bundle / "zh-Hans.md").write_text(ZH, encoding="utf-8")
    return bundle


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _place(path: Path, needle: str) -> tuple[int, int]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


def _check(root: Path, capsys) -> tuple[int, str]:
    code = run(["--project", str(root), "check"])
    captured = capsys.readouterr()
    err = captured.out + captured.err  # the diagnostics, then the summary line
    assert "Traceback" not in err
    assert not (root / "out").exists()
    return code, err


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


# --- font coverage ------------------------------------------------------------------


def test_a_character_only_the_meta_title_has_is_located_there(tmp_path, capsys):
    bundle = _fasting(tmp_path)
    _edit(bundle / "meta.yaml", "en: Fasting Before Your Blood Test",
          "en: Fasting Before Your Blood Test ✡")
    code, err = _check(tmp_path, capsys)
    line, column = _place(bundle / "meta.yaml", "✡")
    assert code == 1
    assert (f"content/fasting/meta.yaml:{line}:{column}: error: no font covers '✡' (U+2721) "
            "for en [font-coverage]") in err


def test_a_system_font_that_has_the_character_is_named_in_the_hint(tmp_path, capsys,
                                                                     monkeypatch):
    bundle = _fasting(tmp_path)
    _append(bundle / "en.md", "\nThe old leaflet marks the star of David ✡ here.\n")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "fc-list").write_text("#!/bin/sh\nprintf 'Noto Sans Symbols,Noto Sans Symbols "
                                  "Regular\\nDejaVu Sans\\n'\n")
    (fake / "fc-list").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    code, err = _check(tmp_path, capsys)
    line, column = _place(bundle / "en.md", "✡")
    assert code == 1
    assert (f"content/fasting/en.md:{line}:{column}: error: no font covers '✡' (U+2721) for en "
            "[font-coverage]\n  hint: the system font DejaVu Sans has it: put its file in the "
            "project's fonts/ folder (or list the family under 'system:' in layouts/fonts.yaml) "
            "and add the family to this language's chain") in err


def test_without_fontconfig_the_hint_says_to_add_a_font(tmp_path, capsys, monkeypatch):
    bundle = _fasting(tmp_path)
    _append(bundle / "en.md", "\nThe old leaflet marks the star of David ✡ here.\n")
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no fc-list to ask
    code, err = _check(tmp_path, capsys)
    line, column = _place(bundle / "en.md", "✡")
    assert code == 1
    assert (f"content/fasting/en.md:{line}:{column}: error: no font covers '✡' (U+2721) for en "
            "[font-coverage]\n  hint: put a font that has it in the project's fonts/ folder and "
            "add its family to layouts/fonts.yaml, or replace the character") in err


def test_a_roman_numeral_pasted_for_a_letter_is_named_with_the_letter(tmp_path, capsys):
    # "vitamin Ⅽ" pasted from a PDF: U+216D ROMAN NUMERAL ONE HUNDRED, no font has it.
    bundle = _fasting(tmp_path)
    _append(bundle / "en.md", "\nTake vitamin Ⅽ with food.\n")
    code, err = _check(tmp_path, capsys)
    line, column = _place(bundle / "en.md", "Ⅽ")
    assert code == 1
    assert (f"content/fasting/en.md:{line}:{column}: error: no font covers 'Ⅽ' (U+216D) for en "
            "[font-coverage]\n  hint: 'C' (U+0043) is likely what was meant, and prints: write "
            "that instead, or add a font that has the character") in err


def test_every_coverage_error_for_a_pasted_numeral_has_a_line(tmp_path, capsys):
    bundle = _fasting(tmp_path)
    _append(bundle / "en.md", "\nTake vitamin Ⅽ with food.\n")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    coverage = [line.split("\n")[0] for line in _errors(err) if "[font-coverage]" in line]
    line, column = _place(bundle / "en.md", "Ⅽ")
    # The numeral as written, once: not also the lowercase ⅽ text-transform might print.
    assert coverage == [f"content/fasting/en.md:{line}:{column}: error: no font covers 'Ⅽ' "
                        "(U+216D) for en [font-coverage]"], coverage


def test_a_han_character_of_the_font_not_made_yet_says_to_run_setup(tmp_path, capsys,
                                                                      monkeypatch):
    # A checkout where `make setup` has not made Handbill Sans SC Extra: a traditional
    # character pasted from a Hong Kong leaflet is only in that font.
    from handbill import fonts

    monkeypatch.setattr(fonts, "extra_fonts_dirs", lambda: [])
    bundle = _fasting(tmp_path)
    _append(bundle / "zh-Hans.md", "\n香港的单张写作“醫生”。\n")
    code, err = _check(tmp_path, capsys)
    line, column = _place(bundle / "zh-Hans.md", "醫")
    assert code == 1
    assert (f"content/fasting/zh-Hans.md:{line}:{column}: error: no font covers '醫' (U+91AB) "
            "for zh-Hans [font-coverage]\n  hint: Handbill Sans SC Extra has it, but it is not "
            "made yet: run `make setup` (it makes the font from Debian's fonts-noto-cjk)") in err
    assert len(_errors(err)) == 1


def _english_without_han(root: Path) -> Path:
    bundle = _fasting(root)
    (root / "layouts").mkdir()
    (root / "layouts" / "languages.yaml").write_text(
        "en:\n  fonts: [Handbill Text, Handbill Symbols]\n", encoding="utf-8")
    _append(bundle / "en.md", "\nAsk for 糖尿病 at the desk.\n")
    return bundle


def test_a_family_of_another_language_that_has_the_character_is_named(tmp_path, capsys):
    bundle = _english_without_han(tmp_path)
    code, err = _check(tmp_path, capsys)
    line, column = _place(bundle / "en.md", "糖")
    assert code == 1
    assert (f"content/fasting/en.md:{line}:{column}: error: no font covers '糖' (U+7CD6) for en "
            "[font-coverage]\n  hint: Handbill Sans SC") in err
    assert len([e for e in _errors(err) if "[font-coverage]" in e]) == 3  # 糖, 尿, 病


def test_the_family_hint_names_the_file_that_holds_the_chains(tmp_path, capsys):
    _english_without_han(tmp_path)
    _, err = _check(tmp_path, capsys)
    hint = next(line for line in err.splitlines() if line.startswith("  hint: Handbill Sans SC"))
    assert "layouts/languages.yaml" in hint, hint


def test_a_layout_file_that_is_not_text_does_not_stop_the_search(tmp_path, capsys):
    # The character is in the project's strings.yaml; a stray Windows-1252 file in the
    # project's layouts/, before it, is passed over on the way.
    _fasting(tmp_path)
    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts" / "notes.yaml").write_bytes("caf\xe9: 1\n".encode("latin-1"))
    (tmp_path / "layouts" / "strings.yaml").write_text(
        "en:\n  phone: Tel. ✡\n", encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert "layouts/strings.yaml:2:15: error: no font covers '✡' (U+2721) for en " \
           "[font-coverage]" in err, err


def test_a_character_of_site_yaml_is_located_in_site_yaml(tmp_path, capsys):
    _fasting(tmp_path)
    _edit(tmp_path / "site.yaml", "en: Harbourside Community Clinic (sample)",
          "en: Harbourside Community Clinic ✡")
    _, err = _check(tmp_path, capsys)
    line, column = _place(tmp_path / "site.yaml", "✡")
    assert f"site.yaml:{line}:{column}: error: no font covers '✡' (U+2721) for en" in err


def test_a_control_character_in_a_bibtex_title_is_located(tmp_path, capsys):
    # A title pasted from Word with a vertical tab (Word's line break) in it.
    bundle = _fasting(tmp_path)
    _append(bundle / "en.md", CITE_EN)
    _append(bundle / "zh-Hans.md", CITE_ZH)
    (bundle / "references.bib").write_text(
        "@report{lab2021,\n  title = {Patient preparation\x0bfor blood tests},\n"
        "  year = {2021}\n}\n", encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert ("content/fasting/references.bib:2:31: error: the control character U+000B is not "
            "text (a line break from Word?); delete it, or use a blank line [text]") in err


def test_a_string_nested_in_brackets_of_a_css_content_rule_counts():
    from handbill.coverage import css_strings

    found = css_strings(('li::before { content: ("☞ ") counter(item); }',), ("en",))
    assert found == {"en": "☞ "}


# --- references files -----------------------------------------------------------------


def _cited(root: Path) -> Path:
    bundle = _fasting(root)
    _append(bundle / "en.md", CITE_EN)
    _append(bundle / "zh-Hans.md", CITE_ZH)
    return bundle


def test_a_references_file_of_another_format_is_refused(tmp_path, capsys):
    bundle = _cited(tmp_path)
    (bundle / "refs.txt").write_text("Lab guide, 2021\n", encoding="utf-8")
    _append(bundle / "meta.yaml", "references: refs.txt\n")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert ("content/fasting/refs.txt: error: references must be CSL-YAML (.yaml), CSL-JSON "
            "(.json) or BibTeX (.bib) [references]") in err


def test_a_reference_id_given_twice_is_an_error_at_the_second(tmp_path, capsys):
    bundle = _cited(tmp_path)
    (bundle / "references.yaml").write_text(
        ENTRY + ENTRY.replace("blood tests", "blood tests (2nd printing)"), encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert ("content/fasting/references.yaml:5: error: duplicate reference id 'lab2021' (first "
            "at line 1) [references]") in err


def test_dates_of_the_wrong_shape_are_errors_with_their_hint(tmp_path, capsys):
    bundle = _cited(tmp_path)
    (bundle / "references.yaml").write_text(
        "- id: lab2021\n  type: report\n  title: Patient preparation for blood tests\n"
        "  issued: [2021]\n", encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert ("content/fasting/references.yaml:1: error: reference 'lab2021': 'issued' must be a "
            "date [references]\n  hint: issued: {date-parts: [[2016, 3, 1]]}, or a year: "
            "issued: 2016") in err


def test_a_season_written_as_a_word_in_date_parts_is_an_error(tmp_path, capsys):
    bundle = _cited(tmp_path)
    (bundle / "references.yaml").write_text(
        "- id: lab2021\n  type: report\n  title: Patient preparation for blood tests\n"
        "  issued: {date-parts: [[2021, spring]]}\n", encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert ("content/fasting/references.yaml:4: error: reference 'lab2021': 'issued' has "
            "[2021, 'spring'], which is not a date of numbers [references]") in err


def test_a_raw_date_and_a_yaml_date_in_a_note_are_accepted(tmp_path, capsys):
    bundle = _cited(tmp_path)
    (bundle / "references.yaml").write_text(
        "- id: lab2021\n  type: report\n  title: Patient preparation for blood tests\n"
        "  issued: {raw: Spring 2021}\n  note: 2024-01-15\n", encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    assert (code, _errors(err)) == (0, [])
    from handbill.content import load_bundle

    (reference,) = load_bundle(bundle, tmp_path).references
    assert reference.csl["note"] == "2024-01-15"


def test_an_unquoted_yaml_date_is_a_date(tmp_path, capsys):
    bundle = _cited(tmp_path)
    (bundle / "references.yaml").write_text(
        "- id: lab2021\n  type: report\n  title: Patient preparation for blood tests\n"
        "  issued: 2021-03-04\n", encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    assert (code, _errors(err)) == (0, [])


def test_an_empty_references_yaml_leaves_the_keys_unknown(tmp_path, capsys):
    bundle = _cited(tmp_path)
    (bundle / "references.yaml").write_text("# the lab's guide goes here\n", encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    line, column = _place(bundle / "en.md", "@lab2021")
    assert code == 1
    assert (f"content/fasting/en.md:{line}:{column}: error: unknown citation key 'lab2021' "
            "[citation]\n  hint: add an entry 'lab2021' to content/fasting/references.yaml") in err


@pytest.mark.parametrize("text", [
    "references:\n" + ENTRY,
    '{"references": [\n  {"id": "lab2021", "type": "report", "title": "Patient preparation",'
    ' "issued": 2021}\n]}\n',
], ids=["yaml", "json"])
def test_pandocs_metadata_form_references_is_read(tmp_path, capsys, text):
    bundle = _cited(tmp_path)
    name = "references.yaml" if text.startswith("references") else "references.json"
    (bundle / name).write_text(text, encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    assert (code, _errors(err)) == (0, [])


@pytest.mark.parametrize("name,text,expected", [
    ("references.yaml", "id: lab2021\ntitle: Patient preparation\n",
     "references.yaml:1: error: a references file is a list of CSL entries"),
    ("references.json", '{"references": [\n  {"id": "lab2021",\n   "type": "report"}\n]}\n',
     "references.json:2: error: reference 'lab2021' has no title"),
    ("references.json", '{"items": []}\n', "references.json:1: error: CSL-JSON is a list of entries"),
    ("references.json", '{"id": "lab2021",, }\n',
     "references.json:1:18: error: invalid JSON: Expecting property name enclosed in double quotes"),
    ("references.json", '{"a": ' * 100000, "references.json:1: error: invalid JSON: nested too deeply"),
    ("references.json", "[" * 100000, "references.json:1: error: invalid JSON: nested too deeply"),
    ("references.json", '[\n {"id": "lab2021", "title": "Guide", "issued": 2021},\n'
     ' {"id": "who2019", "title": }\n]\n',
     "references.json:3:29: error: invalid JSON: Expecting value"),
    ("references.json", '[\n {"id": "lab2021", "title": "Guide", "issued": 2021}\n'
     ' {"id": "who2019", "title": "Fasting", "issued": 2019}\n]\n',
     "references.json:3: error: invalid JSON: expected ',' or ']' after an entry"),
    ("references.json", '[\n {"id": "lab2021", "title": "Guide", "issued": 2021}\n]\n]\n',
     "references.json:3: error: invalid JSON: text after the list of entries"),
], ids=["yaml-mapping", "json-metadata-no-title", "json-mapping", "json-broken", "json-deep-object",
        "json-deep-list", "json-entry-broken", "json-no-comma", "json-trailing"])
def test_a_broken_references_file_is_an_error_at_its_line(tmp_path, capsys, name, text,
                                                         expected):
    bundle = _cited(tmp_path)
    (bundle / name).write_text(text, encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert f"content/fasting/{expected} [references]" in err, err


def test_an_entry_pandoc_cannot_read_is_placed_at_the_entry(tmp_path, capsys):
    bundle = _cited(tmp_path)
    (bundle / "references.yaml").write_text(ENTRY + "  author: [{family: [Smith]}]\n",
                                            encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert ("content/fasting/references.yaml:1: error: reference 'lab2021': Pandoc cannot read "
            "it: [0].family: parsing Text failed, expected String, but encountered Array "
            "[references]") in err


def test_an_author_written_as_plain_text_prints(tmp_path):
    from handbill.citations import find_style, resolve_citations
    from handbill.content import load_bundle

    bundle_dir = _cited(tmp_path)
    (bundle_dir / "references.yaml").write_text(ENTRY + "  author: [World Health Organization]\n",
                                                encoding="utf-8")
    bundle = load_bundle(bundle_dir, tmp_path)
    found = resolve_citations(bundle, find_style("vancouver", bundle, tmp_path), tmp_path)
    assert [(e.label, e.html) for e in found.entries["en"]] == [
        ("1.", "World Health Organization. Patient preparation for blood tests. 2021.")]


# --- citation styles ------------------------------------------------------------------


DEPENDENT = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text">
  <info>
    <title>Harbourside house style</title>
    <id>http://example.org/styles/harbourside</id>
    <link href="{href}" rel="independent-parent"/>
    <updated>2024-01-01T00:00:00+00:00</updated>
  </info>
</style>
"""


def _styled(root: Path, style: str | bytes, name: str = "house.csl") -> Path:
    bundle = _cited(root)
    (bundle / "references.yaml").write_text(ENTRY, encoding="utf-8")
    _append(bundle / "meta.yaml", f"citation-style: {name}\n")
    if isinstance(style, bytes):
        (bundle / name).write_bytes(style)
    else:
        (bundle / name).write_text(style, encoding="utf-8")
    return bundle


def test_a_style_path_outside_the_project_is_refused(tmp_path, capsys):
    bundle = _cited(tmp_path)
    _append(bundle / "meta.yaml", "citation-style: ../../../elsewhere/house.csl\n")
    code, err = _check(tmp_path, capsys)
    line, _ = _place(bundle / "meta.yaml", "citation-style:")
    assert code == 1
    assert (f"content/fasting/meta.yaml:{line}: error: citation style "
            "'../../../elsewhere/house.csl' is outside the project; handbill reads only files "
            "inside the project [outside]") in err


def _layout_names_a_style(root: Path, style: str) -> Path:
    """ROOT's own copy of the handout layout, naming STYLE; its layout.yaml."""
    import shutil

    from conftest import REPO

    bundle = _cited(root)
    (bundle / "references.yaml").write_text(ENTRY, encoding="utf-8")
    shutil.copytree(REPO / "layouts" / "handout", root / "layouts" / "handout")
    manifest = root / "layouts" / "handout" / "layout.yaml"
    _append(manifest, f"citation-style: {style}\n")
    return manifest


def test_a_layouts_style_outside_the_project_is_refused(tmp_path, capsys):
    _layout_names_a_style(tmp_path, "../../../shared-styles/house.csl")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert (": error: citation style '../../../shared-styles/house.csl' is outside the project; "
            "handbill reads only files inside the project [outside]") in err


def test_a_layouts_style_outside_the_project_is_an_error_at_the_layout(tmp_path, capsys):
    manifest = _layout_names_a_style(tmp_path, "../../../shared-styles/house.csl")
    _, err = _check(tmp_path, capsys)
    line, _ = _place(manifest, "citation-style:")
    assert (f"layouts/handout/layout.yaml:{line}: error: citation style "
            "'../../../shared-styles/house.csl' is outside the project") in err


def test_a_saved_web_page_is_not_a_style(tmp_path, capsys):
    _styled(tmp_path, "<!DOCTYPE html>\n<html><head><title>Zotero Style Repository</title>"
                      "</head><body/></html>\n")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert ("content/fasting/house.csl:1: error: not a CSL style (its root element is not "
            "<style>) [citation]") in err


def test_a_style_saved_in_latin_1_is_refused(tmp_path, capsys):
    from handbill.citations import styles_dir

    apa = (styles_dir() / "apa.csl").read_bytes()
    _styled(tmp_path, apa.replace(b'encoding="utf-8"', b'encoding="ISO-8859-1"')
            .replace(b"APA Style", "APA Stil \xe9".encode("latin-1")))
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert "content/fasting/house.csl: error: file is not valid UTF-8 [citation]" in err


def test_a_link_handbill_cannot_take_out_is_refused(tmp_path, capsys):
    from handbill.citations import styles_dir

    apa = (styles_dir() / "apa.csl").read_text(encoding="utf-8")
    own = '<link href="http://www.zotero.org/styles/apa" rel="self"/>'
    assert own in apa
    _styled(tmp_path, apa.replace(own, '<link href="http://example.org/a>b" rel="self"/>'))
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert ("content/fasting/house.csl: error: a <link> in the style that handbill cannot take "
            "out [citation]") in err


def test_a_dependent_style_whose_link_names_no_style_is_an_error_at_the_link(tmp_path, capsys):
    _styled(tmp_path, DEPENDENT.format(href=""))
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert ("content/fasting/house.csl:6: error: a dependent CSL style whose parent ('') names no "
            "style file [citation]\n  hint: its <link rel=\"independent-parent\"> should be the "
            "parent's address, such as http://www.zotero.org/styles/apa") in err


def test_a_parent_that_is_itself_dependent_is_an_error_at_the_parent(tmp_path, capsys):
    _styled(tmp_path, DEPENDENT.format(href="http://www.zotero.org/styles/harbourside-parent"))
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "harbourside-parent.csl").write_text(
        DEPENDENT.format(href="http://www.zotero.org/styles/apa"), encoding="utf-8")
    code, err = _check(tmp_path, capsys)
    assert code == 1
    assert ("styles/harbourside-parent.csl:6: error: the parent of content/fasting/house.csl is "
            "itself a dependent style [citation]\n  hint: a parent must be an independent style "
            "(one with its own <citation>)") in err


def _macro(text: str, name: str) -> str:
    return re.search(rf'<macro name="{name}">.*?</macro>', text, re.S).group(0)


def _house_copies():
    """Built-in styles as a clinic edits them, keeping the <id>: (file, macro, edit)."""
    nlm, apa, gbt = ("nlm-citation-sequence.csl", "apa.csl",
                     "china-national-standard-gb-t-7714-2015-numeric.csl")
    return [
        # web pages dated in full already: nothing to add
        (nlm, "date", lambda m: m.replace('<else-if type="report">',
                                          '<else-if type="webpage">\n<date form="text" '
                                          'variable="issued"/>\n</else-if>\n'
                                          '<else-if type="report">')),
        # every date printed in full: no year-only branch to copy
        (nlm, "date", lambda m: m.replace('<date date-parts="year" form="numeric" '
                                          'variable="issued"/>\n          <text macro='
                                          '"date-of-citation"/>\n        </else>',
                                          '<date form="text" variable="issued"/>\n'
                                          '        </else>')),
        # no final <else>
        (nlm, "date", lambda m: re.sub(r"<else>\s*<date date-parts=\"year\".*?</else>", "", m,
                                       flags=re.S)),
        # the report number printed without the label macro
        (nlm, "report-number", lambda m: m.replace('<text macro="label-number"/>',
                                                   '<text variable="number"/>')),
        # the macro left out
        (nlm, "report-number", lambda m: ""),
        # reports handled by the clinic already
        (apa, "identifier-number", lambda m: m.replace('<if type="thesis"', '<if type="report '
                                                       'thesis"')),
        # no genre branch
        (apa, "identifier-number", lambda m: m.replace('<else-if variable="number">',
                                                       '<else-if variable="collection-number">')),
        # no mark for web pages
        (gbt, "type-id", lambda m: m.replace('type="post post-weblog webpage"', 'type="post"')),
        # no type of which marks archives
        (gbt, "type-id", lambda m: m.replace('<if type="article bill', '<if type="bill')),
    ]


@pytest.mark.parametrize("name,macro,edit", _house_copies())
def test_a_house_copy_of_a_corrected_style_keeps_the_macro_it_rewrote(name, macro, edit):
    from handbill import citations

    text = (citations.styles_dir() / name).read_text(encoding="utf-8")
    original = _macro(text, macro)
    edited = edit(original)
    assert edited != original
    house = text.replace(original, edited)
    corrected = citations._corrected_style(house)
    if edited:
        assert _macro(corrected, macro) == edited
    else:
        assert f'<macro name="{macro}">' not in corrected


# --- the segmenter's process ------------------------------------------------------------


TEXT = "检查前八小时内请不要进食，可以喝水。"


@pytest.fixture
def segmenter():
    from handbill import segmenter as module

    saved = module._server
    module._server = None
    yield module
    if module._server is not None and module._server is not saved:
        module.stop()
    module._server = saved


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def test_when_the_segmenter_cannot_be_forked_the_words_are_cut_here(segmenter, monkeypatch):
    import rjieba

    before = _open_fds()

    def no_fork():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    segmenter.start()
    assert segmenter._server is None
    assert _open_fds() == before  # its four pipe ends closed again
    assert segmenter.cut(TEXT) == rjieba.cut(TEXT)


def test_a_second_start_keeps_the_one_segmenter(segmenter):
    import rjieba

    segmenter.start()
    first = segmenter._server
    assert first is not None and alive(first.pid)
    segmenter.start()
    assert segmenter._server is first
    assert segmenter.cut(TEXT) == rjieba.cut(TEXT)
    segmenter.stop()
    assert segmenter._server is None and not alive(first.pid)


def test_a_segmenter_that_does_not_leave_is_stopped(segmenter):
    # A segmenter stuck in its dictionary does not see its pipe close: closing waits two
    # seconds, then kills it; no process is left behind.
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the stuck child
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(60)
        os._exit(0)
    stuck = segmenter._Segmenter(pid, reader, writer)
    started = time.monotonic()
    stuck.close()
    assert 1.5 < time.monotonic() - started < 10
    assert not alive(pid)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
