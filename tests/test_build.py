"""The sample handout, built through the CLI and read back."""

from __future__ import annotations

import re

import pypdf
import pytest

from handbill.cli import run
from pdfcheck import (all_text, body_text, fonts, markdown_blocks, page_sizes, sentences, squash,
                      vancouver_cite)

from conftest import REPO, SAMPLE

A4 = (595.3, 841.9)
LETTER = (612.0, 792.0)


def _pdf(sample_build, name="handout.pdf"):
    return sample_build / "stem-cells-t2dm" / name


def test_bilingual_handout_is_a4_with_a_few_pages(sample_build):
    sizes = page_sizes(_pdf(sample_build))
    assert 2 <= len(sizes) <= 6
    assert all(size == A4 for size in sizes), sizes


def test_letter_option_changes_the_paper(sample_build):
    sizes = page_sizes(sample_build / "letter" / "stem-cells-t2dm" / "handout.pdf")
    assert sizes and all(size == LETTER for size in sizes), sizes


def test_every_font_is_embedded_and_subset(sample_build):
    for name in ("handout.pdf", "handout.en.pdf", "handout.zh-Hans.pdf"):
        found = fonts(_pdf(sample_build, name))
        assert found, name
        for font, info in found.items():
            assert info["embedded"], (name, font)
            assert info["subset"], (name, font)


def test_metadata_title_language_and_dates(sample_build):
    reader = pypdf.PdfReader(_pdf(sample_build))
    info = reader.metadata
    assert info.title == "Stem Cells for Type 2 Diabetes · 干细胞为何对2型糖尿病有效"
    assert str(reader.trailer["/Root"]["/Lang"]) == "en"
    assert info["/CreationDate"].startswith("D:20230629")
    zh = pypdf.PdfReader(_pdf(sample_build, "handout.zh-Hans.pdf"))
    assert str(zh.trailer["/Root"]["/Lang"]) == "zh-Hans"
    assert zh.metadata.title == "干细胞为何对2型糖尿病有效"


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_every_sentence_of_the_source_is_in_the_pdf(sample_build, lang):
    text = squash("".join(body_text(_pdf(sample_build))))
    source = (SAMPLE / f"{lang}.md").read_text(encoding="utf-8")
    checked = 0
    for block in markdown_blocks(source, cite=vancouver_cite(SAMPLE)):
        for sentence in sentences(block):
            assert squash(sentence) in text, sentence
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("lang,other", [("en", "zh-Hans"), ("zh-Hans", "en")])
def test_single_language_handout_holds_only_that_language(sample_build, lang, other):
    text = squash("".join(body_text(_pdf(sample_build, f"handout.{lang}.pdf"))))
    for block in markdown_blocks((SAMPLE / f"{lang}.md").read_text(encoding="utf-8"),
                                 cite=vancouver_cite(SAMPLE)):
        assert squash(block) in text, block
    for block in markdown_blocks((SAMPLE / f"{other}.md").read_text(encoding="utf-8")):
        if any(ord(c) > 0x2E80 for c in block) or other == "en":
            assert squash(block) not in text, block


def test_title_block_references_and_page_furniture(sample_build):
    pages = [page.extract_text() for page in pypdf.PdfReader(_pdf(sample_build)).pages]
    text = all_text(_pdf(sample_build))
    for expected in ("DIABETES", "29 June 2023", "2 min read", "Mechanisms and Clinical Evidence",
                     "References", "参考文献", "2023年6月29日", "糖尿病", "阅读约 2 分钟",
                     "Rangappa S et al. Stem cell therapy for diabetes mellitus",
                     "Diabetologia. 2020;63:2257–67."):
        assert squash(expected) in squash(text), expected
    count = len(pypdf.PdfReader(_pdf(sample_build)).pages)
    assert f"Page 1 of {count}" in text
    assert f"第 {count} 页，共 {count} 页" in text
    # Every page carries its own number, in its section's language, and no other page's.
    assert len(pages) == count and all(page.strip() for page in pages)
    for number, page in enumerate(pages[:count], start=1):
        marks = [f"Page {n} of {count}" in page or f"第 {n} 页，共 {count} 页" in page
                 for n in range(1, count + 1)]
        assert marks.count(True) == 1 and marks[number - 1], (number, page[-200:])


def test_running_header_is_in_each_sections_language(sample_build):
    pdf = _pdf(sample_build)
    import pypdfium2
    document = pypdfium2.PdfDocument(str(pdf))
    headers = []
    for page in document:
        width, height = page.get_size()
        headers.append(page.get_textpage().get_text_bounded(0, height - 20 * 72 / 25.4, width, height))
    assert headers[0].strip() == ""  # the title block stands there instead
    assert "Stem Cells for Type 2 Diabetes" in headers[1]
    assert "干细胞为何对 2 型糖尿病有效" in headers[-1]  # with the Han-Latin gap


def test_same_input_same_bytes_in_any_folder(tmp_path):
    """Two copies of the project in different folders build byte-identical PDFs."""
    import shutil
    outputs = []
    for name in ("first", "second copy"):
        project = tmp_path / name
        (project / "content").mkdir(parents=True)
        shutil.copytree(SAMPLE, project / "content" / "stem-cells-t2dm")
        shutil.copy(REPO / "site.yaml", project / "site.yaml")
        shutil.copytree(REPO / "assets", project / "assets")
        assert run(["--project", str(project), "build"]) == 0
        outputs.append((project / "out" / "stem-cells-t2dm" / "handout.pdf").read_bytes())
    assert outputs[0] == outputs[1]
    assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "stem-cells-t2dm" / "handout.pdf").read_bytes() == outputs[0]


def test_build_without_arguments_builds_all_content(project, capsys):
    second = project / "content" / "second"
    (project / "content" / "stem-cells-t2dm").rename(project / "content" / "first")
    import shutil
    shutil.copytree(project / "content" / "first", second)
    assert run(["--project", str(project), "build"]) == 0
    assert (project / "out" / "first" / "handout.pdf").is_file()
    assert (project / "out" / "second" / "handout.pdf").is_file()
    captured = capsys.readouterr()
    assert "wrote out/first/handout.pdf (4 pages" in captured.err  # progress, as it goes
    assert re.search(r"^out/second/handout\.pdf +4 +[\d,]+ +[\d.]+ +built$", captured.out, re.M)
    assert "2 outputs: 2 built, 0 up to date, 0 failed" in captured.out  # the summary
