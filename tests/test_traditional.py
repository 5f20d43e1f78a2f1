"""Traditional Chinese editions: languages: [en, zh-Hant] builds a Traditional handout,
its text converted from zh-Hans.md by OpenCC when the bundle has no zh-Hant.md (a
hand-written one wins), marked for a reviewer, set in Handbill Sans TC; and three
languages in one handout."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import CORPUS, REPO, corpus_project
from handbill.cli import run
from handbill.conversion import convert_markdown, convert_text
from handbill.conversions import bundle_exceptions
from pdfcheck import (all_text, fonts, lang_tags, markdown_blocks, printed_fonts, reading_text,
                      squash)

BUNDLE = "stomach-flu"


def _languages(meta, languages: str) -> None:
    text = meta.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^languages:.*\n", "", text)
    meta.write_text(text + f"languages: {languages}\n", encoding="utf-8")


@pytest.fixture
def traditional(tmp_path):
    root = corpus_project(tmp_path / "p", BUNDLE)
    shutil.copy(REPO / "conversions.yaml", root / "conversions.yaml")
    _languages(root / "content" / BUNDLE / "meta.yaml", "[en, zh-Hant]")
    return root


def _in_order(text: str, blocks: list[str]) -> None:
    flat, at = squash(text), 0
    for block in blocks:
        found = flat.find(squash(block), at)
        assert found >= 0, (block, text[:2000])
        at = found + len(squash(block))


def test_a_traditional_edition_is_converted_from_the_simplified_text(traditional, capsys):
    bundle = traditional / "content" / BUNDLE
    assert run(["--project", str(traditional), "build", str(bundle), "--layout", "handout"]) == 0
    err = capsys.readouterr().err
    # Marked for a reviewer, at the file it was converted from.
    assert re.search(rf"content/{BUNDLE}/zh-Hans\.md: warning: zh-Hant: converted from "
                     r"zh-Hans\.md by OpenCC s2twp \(Taiwan standard, with Taiwan phrases\), "
                     r"\d+ changes: a reviewer must read it \[converted-text\]", err), err
    pdf = traditional / "out" / BUNDLE / "handout.pdf"
    text = reading_text(pdf)
    source = (bundle / "zh-Hans.md").read_text(encoding="utf-8")
    converted = convert_markdown(source, "zh-Hant", bundle_exceptions(bundle, traditional)).text
    assert converted != source
    # Every block of the converted text, in order, exactly; none of the Simplified.
    _in_order(text, markdown_blocks(converted))
    simplified_only = [b for b in markdown_blocks(source) if b not in markdown_blocks(converted)]
    assert simplified_only and not any(squash(b) in squash(text) for b in simplified_only)
    # The title, the interface texts and the clinic's name, converted (its 社區 kept by
    # conversions.yaml: OpenCC's phrases would write 社群).
    meta_title = re.search(r"(?m)^  zh-Hans: (.+)$", (bundle / "meta.yaml").read_text(
        encoding="utf-8")).group(1)
    assert squash(convert_text(meta_title, "zh-Hant").text) in squash(text)
    assert "海港社區診所（示例）" in text and "社群" not in text and "海港社区" not in text
    assert "電話 555-0100" in text
    # Tagged as Traditional Chinese, set in Handbill Sans TC (no Simplified face).
    assert "zh-Hant" in lang_tags(pdf)
    families = {name.split("+")[1] for name in fonts(pdf)}
    assert "Handbill-Sans-TC" in families and "Handbill-Sans-SC" not in families, families


def test_check_and_the_report_mark_the_converted_text(traditional, capsys):
    report = traditional / "report.json"
    assert run(["--project", str(traditional), "build", "--layout", "handout",
                "--report", str(report)]) == 0
    findings = json.loads(report.read_text(encoding="utf-8"))["diagnostics"]
    assert [f["path"] for f in findings if f["check"] == "converted-text"] == [
        f"content/{BUNDLE}/zh-Hans.md"]
    capsys.readouterr()
    assert run(["--project", str(traditional), "check", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [f["check"] for f in found].count("converted-text") == 1


def test_a_hand_written_traditional_text_wins(traditional, capsys):
    bundle = traditional / "content" / BUNDLE
    source = (bundle / "zh-Hans.md").read_text(encoding="utf-8")
    own = convert_markdown(source, "zh-Hant").text.replace("病毒", "病毒（手寫）", 1)
    (bundle / "zh-Hant.md").write_text(own, encoding="utf-8")
    short = bundle / "zh-Hans.short.md"
    if short.exists():
        (bundle / "zh-Hant.short.md").write_text(convert_markdown(
            short.read_text(encoding="utf-8"), "zh-Hant").text, encoding="utf-8")
    assert run(["--project", str(traditional), "build", str(bundle), "--layout", "handout"]) == 0
    assert "converted-text" not in capsys.readouterr().err
    assert "病毒（手寫）" in reading_text(traditional / "out" / BUNDLE / "handout.pdf")


def test_hong_kong_on_request(traditional):
    bundle = traditional / "content" / BUNDLE
    _languages(bundle / "meta.yaml", "[en, zh-Hant-HK]")
    assert run(["--project", str(traditional), "build", str(bundle), "--layout", "handout"]) == 0
    text = reading_text(traditional / "out" / BUNDLE / "handout.pdf")
    source = (bundle / "zh-Hans.md").read_text(encoding="utf-8")
    hk = convert_markdown(source, "zh-Hant-HK", bundle_exceptions(bundle, traditional)).text
    tw = convert_markdown(source, "zh-Hant", bundle_exceptions(bundle, traditional)).text
    assert hk != tw
    _in_order(text, markdown_blocks(hk))
    assert "網上閱讀" in text and "zh-Hant-HK" in lang_tags(
        traditional / "out" / BUNDLE / "handout.pdf")


@pytest.mark.parametrize("layout", ["handout", "booklet"])
def test_three_languages_in_one_handout(traditional, layout):
    """English, Simplified and Traditional Chinese: each language's text, in order."""
    bundle = traditional / "content" / BUNDLE
    _languages(bundle / "meta.yaml", "[en, zh-Hans, zh-Hant]")
    assert run(["--project", str(traditional), "build", str(bundle), "--layout", layout]) == 0
    pdf = traditional / "out" / BUNDLE / f"{layout}.pdf"
    # The whole text (reading_text takes a line that ends two pages for a running
    # footer: Simplified and Traditional may end their pages with the same line).
    text = all_text(pdf)
    source = (bundle / "zh-Hans.md").read_text(encoding="utf-8")
    for blocks in (markdown_blocks((bundle / "en.md").read_text(encoding="utf-8")),
                   markdown_blocks(source),
                   markdown_blocks(convert_markdown(source, "zh-Hant",
                                                    bundle_exceptions(bundle, traditional)).text)):
        _in_order(text, blocks)
    assert {"en", "zh-Hans", "zh-Hant"} <= lang_tags(pdf)


def test_a_converted_language_without_a_source_text_is_an_error(traditional, capsys):
    bundle = traditional / "content" / BUNDLE
    (bundle / "zh-Hans.md").unlink()
    assert run(["--project", str(traditional), "check", str(bundle)]) == 1
    out = capsys.readouterr().out
    assert (f"content/{BUNDLE}/meta.yaml: error: no zh-Hant.md for language 'zh-Hant', nor a "
            f"zh-Hans.md to convert it from, in content/{BUNDLE} [meta]") in out, out


def _han_text(text: str) -> str:
    return "".join(c for c in text if "\u4e00" <= c <= "\u9fff")


def test_the_sample_builds_in_traditional_from_its_simplified_text_alone(tmp_path):
    """The issue's own measure: 幹細胞 and 參考文獻 printed, and no character of the
    Traditional edition is a Simplified form (OpenCC would convert it)."""
    from conftest import SAMPLE, clinic_project

    root = clinic_project(tmp_path / "p")
    bundle = root / "content" / "stem-cells-t2dm"
    shutil.copytree(SAMPLE, bundle)
    _languages(bundle / "meta.yaml", "[en, zh-Hant]")
    for layout in ("handout", "trifold"):
        assert run(["--project", str(root), "build", str(bundle), "--layout", layout]) == 0
    for name in ("handout.pdf", "trifold.pdf"):
        text = all_text(root / "out" / "stem-cells-t2dm" / name)
        assert "幹細胞" in text and "參考文獻" in text, name
        # The forms the conversion replaced (Simplified-only, in this text) are gone.
        source = (bundle / "zh-Hans.md").read_text(encoding="utf-8")
        replaced = set(_han_text(source)) - set(_han_text(convert_markdown(source).text))
        assert len(replaced) > 20 and not replaced & set(text), (name, replaced & set(text))
        assert "干细胞" not in text and "参考文献" not in text


def test_a_hand_written_traditional_text_with_common_characters_builds(tmp_path):
    from conftest import SAMPLE, clinic_project

    root = clinic_project(tmp_path / "p")
    bundle = root / "content" / "t"
    shutil.copytree(SAMPLE, bundle)
    for name in ("zh-Hans.short.md", "en.short.md"):
        (bundle / name).unlink()
    _languages(bundle / "meta.yaml", "[en, zh-Hant]")
    source = (bundle / "zh-Hans.md").read_text(encoding="utf-8")
    written = convert_markdown(source, "zh-Hant").text
    note = ("請向醫師或藥師詢問：衛生署建議，身體與牙齒的照護在臺灣的診所裡都能做。"
            "骨折、角膜與直腸的檢查另行預約。")
    written = written.replace("\n## ", f"\n{note}\n\n## ", 1)
    (bundle / "zh-Hant.md").write_text(written, encoding="utf-8")
    assert run(["--project", str(root), "build", str(bundle), "--layout", "handout"]) == 0
    text = all_text(root / "out" / "t" / "handout.pdf")
    assert squash(note) in squash(text)
    for char in "醫藥衛體齒臺灣裡":
        assert char in text
    # 骨 角 直: one code point, Taiwan's glyph forms (locl) from the Traditional face.
    drawn = {}
    for char, font in printed_fonts(root / "out" / "t" / "handout.pdf"):
        drawn.setdefault(char, set()).add(font)
    for char in "骨角直醫":
        assert drawn[char] == {"Handbill-Sans-TC"}, (char, drawn[char])


def test_one_traditional_language_alone(traditional):
    bundle = traditional / "content" / BUNDLE
    assert run(["--project", str(traditional), "build", str(bundle), "--layout", "handout",
                "--lang", "zh-Hant"]) == 0
    pdf = next((traditional / "out" / BUNDLE).glob("*.pdf"))
    text = all_text(pdf)
    assert "海港社區診所" in text and "Harbourside" not in squash(text).replace(
        "clinic.example.org", "")
    assert lang_tags(pdf) >= {"zh-Hant"}


def test_the_parallel_layout_sets_two_of_three_languages_side_by_side(traditional, capsys):
    bundle = traditional / "content" / BUNDLE
    _languages(bundle / "meta.yaml", "[en, zh-Hans, zh-Hant]")
    source = (bundle / "zh-Hans.md").read_text(encoding="utf-8")
    traditional_text = convert_markdown(source, "zh-Hant",
                                        bundle_exceptions(bundle, traditional)).text
    english = (bundle / "en.md").read_text(encoding="utf-8")
    pdf = traditional / "out" / BUNDLE / "parallel.pdf"
    for pair, shown, absent in ((None, source, traditional_text),
                                ("en,zh-Hant", traditional_text, source)):
        extra = ["--option", f"pair={pair}"] if pair else []
        assert run(["--project", str(traditional), "build", str(bundle), "--layout",
                    "parallel", *extra]) == 0
        text = squash(all_text(pdf))
        assert squash(markdown_blocks(english)[0]) in text
        only = [b for b in markdown_blocks(shown) if b not in markdown_blocks(absent)]
        gone = [b for b in markdown_blocks(absent) if b not in markdown_blocks(shown)]
        assert only and all(squash(b) in text for b in only), pair
        assert gone and not any(squash(b) in text for b in gone), pair
        assert len(lang_tags(pdf) & {"zh-Hans", "zh-Hant"}) == 1
    capsys.readouterr()
    assert run(["--project", str(traditional), "build", str(bundle), "--layout", "parallel",
                "--option", "pair=en,es"]) == 2
    assert ("handbill: error: --option pair=en,es: the parallel layout sets two of the "
            "bundle's languages side by side (en, zh-Hans, zh-Hant) [usage]") in \
        capsys.readouterr().err


def test_a_pair_in_meta_yaml_the_bundle_does_not_print_is_an_error_at_its_line(traditional,
                                                                                capsys):
    bundle = traditional / "content" / BUNDLE
    meta = bundle / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "options:\n  pair: en,zh-Hans\n",
                    encoding="utf-8")
    line = meta.read_text(encoding="utf-8").splitlines().index("  pair: en,zh-Hans") + 1
    assert run(["--project", str(traditional), "build", str(bundle), "--layout",
                "parallel"]) == 1
    err = capsys.readouterr().err
    assert (f"content/{BUNDLE}/meta.yaml:{line}: error: option pair: en,zh-Hans: two of the "
            "bundle's languages, side by side (en, zh-Hant) [meta]") in err, err
    assert not (traditional / "out" / BUNDLE / "parallel.pdf").exists()


@pytest.mark.parametrize("row, line, message", [
    ("  convert-from: zh-Hans\n", 1, "'zh-Tw.conversion' is needed: a converted language names "
     "both 'convert-from' (the tag its text comes from) and 'conversion' (zh-Hant, "
     "zh-Hant-TW or zh-Hant-HK)"),
    ("  convert-from: zh-Hans\n  conversion: zh-Hant-SG\n", 7, "'zh-Tw.conversion' is not a "
     "conversion handbill makes: no conversion to 'zh-Hant-SG': the variants are zh-Hant, "
     "zh-Hant-TW, zh-Hant-HK [layout]"),
])
def test_a_converted_row_that_is_wrong_is_an_error_at_its_line(traditional, capsys, row,
                                                               line, message):
    layouts = traditional / "layouts"
    layouts.mkdir()
    (layouts / "languages.yaml").write_text(
        "zh-Tw:\n  name: 臺灣\n  script: Hant\n  fonts: [Handbill Sans TC]\n"
        "  csl-locale: zh-TW\n" + row, encoding="utf-8")
    assert run(["--project", str(traditional), "check"]) == 1
    out = capsys.readouterr().out
    assert re.search(rf"^layouts/languages\.yaml:{line}: error: {re.escape(message)}", out,
                     re.M), out
