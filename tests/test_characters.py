"""Every character Noto Sans CJK SC and Noto Sans have prints, and copies back as written.

One document holds the classes of characters real handouts use (issue 13): small
and vertical forms, CJK compatibility squares, enclosed numbers, dingbats and
symbols, supplemental punctuation, Traditional forms in Simplified text, URO,
Extension A and Extension B hanzi, Latin, Greek and Cyrillic letters with their
marks, and pairs of characters that the CJK font draws with one glyph (· and •,
〜 and ～, ‒ and –), printed side by side. Its text is read back from the PDF with
PDFium and with poppler's pdftotext and compared with the source line by line,
exactly (white space runs aside): no NFKC, no look-alike folding.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from handbill.cli import run
from pdfcheck import all_text

# Each line a paragraph of its own, in the Chinese text. Characters are separated by
# spaces where a line holds no words (so that line breaking and the Han-Latin gap
# leave them as they are).
ZH_LINES = {
    "small and vertical forms": "小写标点 ﹐ ﹑ ﹒ ﹔ ﹕ ﹖ ﹗ ﹙ ﹚ ﹛ ﹜ ﹝ ﹞ ︰ ︱ ︳ ︴ ︵ ︶ ︹ ︺",
    "compatibility squares": "单位 ㎎ ㎏ ㎖ ㏄ ㎜ ㎝ ㎞ ㎡ ㎥ ㏎ ㎍ ㎕ ㏕",
    "enclosed numbers": "步骤 ① ② ③ ④ ⑤ ⑥ ⑦ ⑧ ⑨ ⑩ ⑪ ⑫ ⑬ ⑭ ⑮ ⑯ ⑰ ⑱ ⑲ ⑳ ⑴ ⒈ ㈠ ㊀",
    "dingbats and symbols": "符号 ✓ ✔ ✗ ✘ ⚠ ☎ ☐ ☑ ★ ☆ ♀ ♂ ■ □ ▲ △ ● ○ ◆ ◇",
    "supplemental punctuation": "破折号 ⸺ ⸻ 与省略号 …… 与 ——",
    "traditional forms": "繁体：體 鬱 龍 醫 藥 護 臟 腎 腦 癥",
    "rare hanzi": "罕用字：㐀 㑇 䶮 䶵 𠮷 𡈼 𪚲 龘",
    "look-alike pairs": "成对 · • ‧ ・ 与 〜 ～ 与 ‒ – 与 ‵ ｀",
}
EN_LINES = {
    "latin with marks": "Café naïve Zoë Ångström Łódź Dvořák Nguyễn Ştefan",
    "pinyin": "Pinyin lǜ lǚ nǚ xué ǘ ǚ ǜ ā á ǎ à",
    "greek and cyrillic": "Greek α β γ δ Ω Σ and Cyrillic Ж Щ Ю Я ё",
    "units and signs": "Units 37 ℃ 98.6 ℉ ± 0.5 µg ≥ 5 ≤ 7 № ⅓ ½ ¾ ‰ † ‡",
    "dashes side by side": "Dashes 4.4–7.2 and 1‑2 and − 3 and a — dash",
}
#: Written decomposed in the source (a base and a combining mark), printed precomposed.
DECOMPOSED = "Decomposed u\u0308ber and e\u0301te"


def _bundle(root: Path) -> Path:
    bundle = root / "content" / "characters"
    bundle.mkdir(parents=True)
    (bundle / "meta.yaml").write_text(
        "title: {en: Characters, zh-Hans: 字符}\ndate: 2025-05-01\nlayouts: [handout]\n",
        encoding="utf-8")
    (bundle / "en.md").write_text("## Characters\n\n" + "\n\n".join(
        [*EN_LINES.values(), DECOMPOSED, "A phone \u260e\ufe0f with a variation selector."])
        + "\n", encoding="utf-8")
    (bundle / "zh-Hans.md").write_text("## 字符\n\n" + "\n\n".join(ZH_LINES.values())
                                       + "\n\n电话 ☎\ufe0f 号码。\n", encoding="utf-8")
    return bundle


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("characters")
    _bundle(root)
    assert run(["--project", str(root), "build"]) == 0
    return root / "out" / "characters" / "handout.pdf"


def test_the_document_holds_150_characters_of_every_class():
    chars = {c for line in [*ZH_LINES.values(), *EN_LINES.values()] for c in line
             if not c.isspace()}
    assert len(chars) >= 150, len(chars)


@pytest.mark.parametrize("extract", [all_text, _pdftotext], ids=["pdfium", "pdftotext"])
def test_every_line_copies_back_exactly(built, extract):
    text = " ".join(extract(built).split())
    for name, line in [*ZH_LINES.items(), *EN_LINES.items()]:
        assert line in text, (name, line, [c for c in line if c not in text])


@pytest.mark.parametrize("extract", [all_text, _pdftotext], ids=["pdfium", "pdftotext"])
def test_look_alike_characters_copy_back_as_themselves(built, extract):
    # The CJK font draws each pair with one glyph; copied from the PDF, each must still be
    # the character written (a PDF's ToUnicode map has one text a glyph).
    text = extract(built)
    for char in "·•‧・〜～‒–‵｀‑−—":
        assert char in text, f"U+{ord(char):04X} {unicodedata.name(char)}"


def test_a_decomposed_letter_prints_and_copies_as_its_precomposed_form(built):
    text = " ".join(all_text(built).split())
    assert unicodedata.normalize("NFC", DECOMPOSED) in text
    assert "\u0308" not in text and "\u0301" not in text


def test_a_variation_selector_is_no_coverage_error(built):
    text = all_text(built)
    assert "☎" in text


def test_a_mark_no_font_has_and_a_letter_no_one_font_draws_whole_are_refused(tmp_path, capsys):
    bundle = _bundle(tmp_path)
    en, zh = bundle / "en.md", bundle / "zh-Hans.md"
    # U+0591 (a Hebrew accent): no bundled font has it.
    en.write_text(en.read_text(encoding="utf-8") + "\nStrange a\u0591 mark.\n", encoding="utf-8")
    # 汉 with U+0308: Handbill Sans SC has the hanzi, only Handbill Text the diaeresis; set
    # from two fonts, the mark would not sit on the letter.
    zh.write_text(zh.read_text(encoding="utf-8") + "\n奇怪的汉\u0308字。\n", encoding="utf-8")
    assert run(["--project", str(tmp_path), "build"]) == 1
    err = capsys.readouterr().err
    en_line = len(en.read_text(encoding="utf-8").splitlines())
    zh_line = len(zh.read_text(encoding="utf-8").splitlines())
    assert (f"content/characters/en.md:{en_line}:10: error: no font covers '\u0591' (U+0591) for "
            "en [font-coverage]") in err, err
    assert (f"content/characters/zh-Hans.md:{zh_line}:4: error: no font draws '汉\u0308' (U+6C49 "
            "+ U+0308) as one letter for zh-Hans: its base and its marks would come from "
            "different fonts [font-coverage]") in err, err


def test_the_hint_for_a_character_no_font_has_names_its_likely_replacement():
    # What a font-coverage hint offers: the small colon's usual full-width form, a unit
    # square's letters, nothing for a hanzi (no look-alike is the same word).
    from handbill.coverage import replacement
    from handbill.fonts import plan_fonts

    plan = plan_fonts(Path(__file__).resolve().parents[1])
    assert replacement("﹕", plan) == "："
    assert replacement("㎎", plan) == "mg"
    assert replacement("体", plan) is None
