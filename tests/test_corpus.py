"""Real-shaped handouts (tests/corpus/) check clean and print every sentence, in every layout.

Four bilingual handouts written for these tests in the shape of real patient
material (a 15-step inhaler procedure with nested sub-steps; a stomach-flu sheet
with "call your doctor right away if" lists; a fasting test with times, units,
ranges, circled numbers, check marks, a warning and a table; wound care with a
long disclaimer and a copyright line), with the punctuation translators use:
（） and () mixed, ﹕, ——, ……, 《》, 「」, curly apostrophes in Latin names
inside Chinese. Each is checked (no error, no warning), built in all four
layouts, and read back: every sentence of both languages, as the source has it
after handbill's own changes (NFC, the gap between Han and Latin), is found in the
extracted text, with its spaces (not through NFKC, not with white space stripped).
"""

from __future__ import annotations

import re
import unicodedata
import shutil
from pathlib import Path

import pypdf
import pytest

from handbill.cli import run
from handbill.normalize import printed_form
from handbill.typography import autospace
from pdfcheck import all_text, fonts, reading_text, markdown_blocks, page_sizes, sentences

from conftest import CORPUS, REPO, corpus_project
BUNDLES = sorted(p.name for p in CORPUS.iterdir() if (p / "meta.yaml").is_file())
LAYOUTS = {"handout": "handout.pdf", "parallel": "parallel.pdf", "trifold": "trifold.pdf",
           "booklet": "booklet.pdf"}
#: Where a line break in Chinese text leaves no space (between two full-width characters).
_WIDE = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\U00020000-\U0003ffff“”‘’—…]"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return corpus_project(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def built(project) -> Path:
    assert run(["--project", str(project), "build"]) == 0
    return project / "out"


def test_the_corpus_is_four_handouts_of_real_shape():
    assert len(BUNDLES) >= 4
    zh = "".join((CORPUS / b / "zh-Hans.md").read_text(encoding="utf-8") for b in BUNDLES)
    for needed in ("﹕", "——", "……", "（", "(", "《", "’", "℃", "㎎", "㎖", "①", "⑳", "✓", "⚠",
                   "～", "–", "mg/dL", "mmol/L"):
        assert needed in zh, needed
    steps = (CORPUS / "inhaler-spacer" / "en.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^\d+\. ", steps, re.M)) >= 12


def test_every_handout_checks_clean(project, capsys):
    # No error and no warning, but one: the half-width brackets the translators left
    # in the Chinese (the corpus keeps them on purpose), each reported where it is.
    assert run(["--project", str(project), "check"]) == 0
    captured = capsys.readouterr()
    warnings = re.findall(r"^(\S+?):(\d+):(\d+): warning: .*\[([\w-]+)\]$", captured.out, re.M)
    assert {code for *_, code in warnings} == {"zh-punctuation"}, captured.out
    for path, line, column, _ in warnings:
        text = (project / path).read_text(encoding="utf-8").split("\n")[int(line) - 1]
        assert text[int(column) - 1] in "()", (path, line, column)
    assert captured.err.strip() == f"0 errors, {len(warnings)} warnings"
    assert len(warnings) == 16


def _flowed(text: str) -> str:
    """Extracted text as one line: hyphenation undone, a line break next to a full-width
    character kept as a newline (Chinese has no space there, unless the Han-Latin gap
    was the break), other breaks a space."""
    text = re.sub("\u2010\\s*\n\\s*", "", text)
    text = text.replace("\ufffe", "-").replace("\x02", "-")
    text = re.sub(rf"(?<={_WIDE})[ \t\r]*\n\s*|[ \t\r]*\n\s*(?={_WIDE})", "\x00", text)
    return " ".join(text.split()).replace("\x00", "\n")


def _pattern(sentence: str) -> re.Pattern:
    """SENTENCE as it may be extracted: exactly, except that next to a full-width
    character a line break may stand where nothing is, or where a space is."""
    wide = re.compile(_WIDE)
    out = []
    chars = list(sentence)
    for i, char in enumerate(chars):
        if char == " " and 0 < i < len(chars) - 1 and (wide.match(chars[i - 1]) or
                                                      wide.match(chars[i + 1])):
            out.append("[ \n]")
            continue
        out.append(re.escape(char))
        if i + 1 < len(chars) and chars[i + 1] != " " and (wide.match(char) or
                                                         wide.match(chars[i + 1])):
            out.append("\n?")
    return re.compile("".join(out))


def _expected(path: Path, lang: str) -> list[str]:
    """Every sentence of a body as it prints: handbill's own changes made."""
    found = []
    for block in markdown_blocks(printed_form(path.read_text(encoding="utf-8"))):
        block = autospace(block) if lang == "zh-Hans" else block
        found += [" ".join(s.split()) for s in sentences(block)]
    return found


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("bundle", BUNDLES)
def test_every_sentence_prints_in_every_layout(built, bundle, layout):
    pdf = built / bundle / LAYOUTS[layout]
    text = _flowed(reading_text(pdf))
    short = "" if layout != "trifold" else ".short"
    missing = []
    for lang in ("en", "zh-Hans"):
        for sentence in _expected(CORPUS / bundle / f"{lang}{short}.md", lang):
            if not _pattern(sentence).search(text):
                missing.append(sentence)
    assert not missing, missing[:5]


@pytest.mark.parametrize("bundle", BUNDLES)
def test_every_pdf_embeds_subset_fonts_only_and_has_its_paper(built, bundle):
    for layout, name in LAYOUTS.items():
        pdf = built / bundle / name
        for font, info in fonts(pdf).items():
            assert info["embedded"] and info["subset"], (pdf.name, font)
            assert "Handbill" in font, (pdf.name, font)
        sizes = set(page_sizes(pdf))
        expected = {"handout": {(595.3, 841.9)}, "parallel": {(841.9, 595.3)},
                    "trifold": {(841.9, 595.3)}, "booklet": {(419.5, 595.3)}}[layout]
        assert sizes == expected, (layout, sizes)
    assert len(pypdf.PdfReader(built / bundle / "trifold.pdf").pages) == 2


def test_no_sentence_was_folded(built):
    # Copy and paste gives back the author's characters: no NFKC anywhere (㎎ stays ㎎,
    # ① stays ①, ﹕ stays ﹕), no look-alike swapped in.
    text = all_text(built / "fasting-blood-test" / "handout.pdf")
    for char in "㎎㎖①⑫⑳✓⚠﹕～–":
        assert char in text, f"U+{ord(char):04X} {unicodedata.name(char)}"


def test_no_layout_leaves_a_page_with_a_few_lines_of_the_sample(capsys):
    # page-fill: the built-in layouts keep text with its neighbours, the sample too.
    assert run(["--project", str(REPO), "check"]) == 0
    out = capsys.readouterr().out
    assert "[page-fill]" not in out and "error" not in out


def test_page_fill_names_the_page_and_the_line_that_starts_it(tmp_path, capsys):
    # A project's own handout layout that sends each language's last paragraph to a page
    # of its own: that page holds 3 (English) and 2 (Chinese) lines.
    root = corpus_project(tmp_path / "p", "stomach-flu")
    shutil.copytree(REPO / "layouts" / "handout", root / "layouts" / "handout")
    css = root / "layouts" / "handout" / "handout.css"
    css.write_text(css.read_text(encoding="utf-8")
                   + "\n.body > p:last-child { break-before: page; }\n", encoding="utf-8")
    assert run(["--project", str(root), "check", "--layout", "handout"]) == 0  # a warning
    out = capsys.readouterr().out
    for lang, page, lines in (("en", 3, 3), ("zh-Hans", 6, 2)):
        source = (CORPUS / "stomach-flu" / f"{lang}.md").read_text(encoding="utf-8")
        line = len(source.rstrip("\n").splitlines())  # the last paragraph
        assert (f"content/stomach-flu/{lang}.md:{line}:1: warning: page {page} of the handout "
                f"layout holds only {lines} lines of text (fewer than 6), from this line on "
                "[page-fill]") in out, out
    assert run(["--project", str(root), "check", "--layout", "handout", "--strict"]) == 1
