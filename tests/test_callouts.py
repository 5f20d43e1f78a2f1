"""Callouts (> [!WARNING], [!TIP], [!NOTE], [!IMPORTANT], [!CAUTION]) and fine print
([!FINEPRINT]): parsed, titled in the text's language, counted by translation parity,
printed in a box (fine print small), read back from the PDF."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
import pytest

from handbill import callouts
from handbill.cli import run
from handbill.markdown import make_parser
from pdfcheck import all_text

from conftest import CORPUS, corpus_project


def _html(source: str, strings=None) -> str:
    parser = make_parser()
    tokens = parser.parse(source)
    callouts.transform(tokens)
    return callouts.fill_titles(parser.renderer.render(tokens, parser.options, {}),
                                strings or {"callout-warning": "Warning", "callout-tip": "Tip"})


def test_a_callout_is_a_titled_box():
    html = _html("> [!WARNING]\n> - one\n> - two\n")
    assert html.startswith('<div class="callout callout-warning">\n'
                           '<p class="callout-title callout-title-warning">Warning</p>\n<ul>')
    assert "blockquote" not in html and "[!" not in html


def test_the_author_may_title_it():
    html = _html("> [!warning] Call 911 right away if\n> your child has a seizure.\n")
    assert '<p class="callout-title">Call 911 right away if</p>' in html
    assert "<p>your child has a seizure.</p>" in html


def test_fine_print_has_no_title_and_other_quotes_stay_quotes():
    html = _html("> [!FINEPRINT]\n> © 2025 A clinic.\n\n> A quote.\n\n> [!UNKNOWN]\n> x\n")
    assert '<div class="callout callout-fineprint">' in html and "callout-title" not in html
    assert "<blockquote>\n<p>A quote.</p>" in html
    assert "[!UNKNOWN]" in html  # not a kind handbill knows: printed as written


def test_callouts_inside_callouts_close_at_their_own_end():
    html = _html("> [!NOTE]\n> a\n> > inner quote\n> b\n\nafter\n")
    assert html.count("<div") == html.count("</div>") == 1
    assert html.index("</blockquote>") < html.index("</div>") < html.index("<p>after</p>")


def test_translation_parity_counts_callouts(tmp_path, capsys):
    root = tmp_path / "p"
    root.mkdir()
    shutil.copytree(CORPUS / "stomach-flu", root / "content" / "stomach-flu")
    zh = root / "content" / "stomach-flu" / "zh-Hans.md"
    text = zh.read_text(encoding="utf-8")
    line = text.splitlines().index("> [!WARNING]") + 1
    zh.write_text(text.replace("> [!WARNING]", "> [!TIP]"), encoding="utf-8")
    assert run(["--project", str(root), "check", "--layout", "handout"]) == 1
    out = capsys.readouterr().out
    assert (f"content/stomach-flu/zh-Hans.md:{line}:1: error: section 6 'Go to the emergency "
            "department if': a tip callout in zh-Hans.md, a warning callout in en.md "
            "[translation-parity]") in out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = corpus_project(tmp_path_factory.mktemp("callouts"))
    assert run(["--project", str(root), "build", "--layout", "handout"]) == 0
    return root / "out"


def test_titles_print_in_each_language(built):
    text = all_text(built / "stomach-flu" / "handout.pdf").replace("\r\n", "\n")
    assert "Go to the emergency department if\nWarning\nYour child is very sleepy" in text
    assert "出现以下情况，请去急诊室\n警告\n孩子非常困倦" in text
    fasting = all_text(built / "fasting-blood-test" / "handout.pdf").replace("\r\n", "\n")
    assert "Important\n⚠ If you take insulin" in fasting and "重要\n⚠ 如果您在用胰岛素" in fasting


def test_fine_print_is_smaller_than_the_body(built):
    import pypdfium2
    import pypdfium2.raw as raw

    pdf = pypdfium2.PdfDocument(str(built / "after-surgery-wound" / "handout.pdf"))
    sizes = {}
    for page in pdf:
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        for word in ("©", "Gentle"):
            at = text.find(word)
            if at >= 0:
                sizes[word] = raw.FPDFText_GetFontSize(textpage, at) * 0.75
    assert sizes["©"] < sizes["Gentle"] - 1.5, sizes


def test_a_callout_is_tagged_as_a_division_not_a_quotation(built):
    reader = pypdf.PdfReader(built / "stomach-flu" / "handout.pdf")
    kinds = []

    def walk(node):
        node = node.get_object()
        if "/S" in node:
            kinds.append(str(node["/S"]))
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert "/Div" in kinds and "/BlockQuote" not in kinds
