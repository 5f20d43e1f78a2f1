"""Typesetting rules a Chinese typesetter and a print designer would check by eye.

Units with their numbers, ranges, times and the Chinese dash and ellipsis kept on
one line; Latin runs inside Chinese in the Latin font (a proportional ’); Chinese
bullets drawn by the Latin font (a bullet, not a middle dot); hyphenation only at
dictionary positions, never in references, titles or addresses, and none at all
with ``hyphens=manual``; half-width punctuation in Chinese found and, with
``check --fix``, made full-width. Each rule is read back from built PDFs.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pyphen
import pytest

from handbill import punctuation
from handbill.cli import run
from handbill.typography import autospace, typeset
from pdfcheck import all_text, printed_fonts

from conftest import CORPUS, REPO, SAMPLE, corpus_project


def _spans(markup: str, cls: str) -> list[str]:
    """The text of every span of class CLS in MARKUP (spans inside taken as text)."""
    found = []
    for match in re.finditer(f'<span class="{cls}">', markup):
        depth, i = 1, match.end()
        while depth:
            opening, closing = markup.find("<span", i), markup.find("</span>", i)
            if opening != -1 and opening < closing:
                depth, i = depth + 1, opening + 5
            else:
                depth, i = depth - 1, closing + 7
        found.append(html.unescape(re.sub(r"<[^>]+>", "", markup[match.end():i - 7])))
    return found


@pytest.mark.parametrize("text, han, kept", [
    ("呕吐通常在1–2天内停止。", True, ["1–2 天"]),
    ("空腹血糖 4.4–7.2 mmol/L（80–130 mg/dL）", True, ["4.4–7.2 mmol/L", "80–130 mg/dL"]),
    ("发烧达到 38 ℃ / 100.4 ℉，每次 10 秒钟，第 7～12 步", True,
     ["38 ℃", "100.4 ℉", "10 秒钟", "7～12 步"]),
    ("喝一杯水(约 250 ㎖)，5 mL，3～5 天", True, ["250 ㎖", "5 mL", "3～5 天"]),
    ("相信您的直觉——您最了解……", True, ["觉——", "解……"]),
    ("at 8:00 p.m. take 70 mg/dL, 2.5 mg or 5 mL for 10 minutes", False,
     ["8:00 p.m.", "70 mg/dL", "2.5 mg", "5 mL"]),
    ("Call 555-0100 within 3–5 days; a fever of 38 °C (100.4 °F)", False,
     ["555-0100", "3–5", "38 °C", "100.4 °F"]),
    # A number alone, a word that starts like a unit, a number in a word: nothing kept.
    ("Take 2 puffs for 3 months, COVID-19 and 5 mgx", False, []),
])
def test_numbers_keep_their_units(text, han, kept):
    assert _spans(typeset(text, han), "nobr") == kept


@pytest.mark.parametrize("text, runs", [
    ("急诊室在Riverside Children’s Hospital（河滨儿童医院）。",
     ["Riverside Children’s Hospital"]),
    ("圣玛丽医院（St. Mary’s Hospital）的 COVID-19 疫苗", ["St. Mary’s Hospital", "COVID-19"]),
    ("医生说“Stop”，不要停药。“流感”不是", ["“Stop”"]),
    ("单位是 mg/dL 或 mmol/L。", ["mg/dL", "mmol/L"]),
])
def test_latin_runs_inside_chinese(text, runs):
    assert _spans(typeset(text, True), "latin") == runs


def test_typesetting_changes_no_character_of_the_corpus():
    # Spans only (and, in Chinese, the Han-Latin gap): the author's characters stay.
    for path in sorted(CORPUS.glob("*/*.md")):
        han = path.name.startswith("zh-Hans")
        for line in path.read_text(encoding="utf-8").splitlines():
            markup = typeset(line, han)
            assert html.unescape(re.sub(r"<[^>]+>", "", markup)) == (
                autospace(line) if han else line), (path.name, line)
            assert markup.count("<span") == markup.count("</span>")


# -- read back from PDFs ------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory) -> Path:
    root = corpus_project(tmp_path_factory.mktemp("typeset"))
    assert run(["--project", str(root), "build", "--layout", "handout"]) == 0
    assert run(["--project", str(root), "build", "--layout", "trifold"]) == 0
    return root


def _lines(pdf: Path) -> str:
    """The PDF's text with its line breaks (\\n) and hyphenation undone."""
    text = all_text(pdf).replace("\r\n", "\n")
    return re.sub("\u2010\n", "", text)


def test_no_unit_range_time_or_dash_breaks_in_any_corpus_pdf(corpus_build):
    # The trifold's narrow panels break lines often: each keep of the source is found
    # whole on one line of every PDF that prints it.
    checked = 0
    for pdf in sorted((corpus_build / "out").glob("*/*.pdf")):
        text = _lines(pdf)
        short = ".short" if pdf.stem == "trifold" else ""
        for lang, han in (("en", False), ("zh-Hans", True)):
            source = (CORPUS / pdf.parent.name / f"{lang}{short}.md").read_text(encoding="utf-8")
            for line in source.splitlines():
                for kept in _spans(typeset(re.sub(r"[*_`]", "", line), han), "nobr"):
                    if kept[0] in "觉解" or len(kept) < 3:
                        continue
                    assert kept in text, (pdf.parent.name, pdf.name, kept)
                    checked += 1
    assert checked > 60, checked


def test_latin_in_chinese_is_set_in_the_latin_font(corpus_build):
    chars = printed_fonts(corpus_build / "out" / "stomach-flu" / "handout.pdf")
    text = "".join(c for c, _ in chars)
    at = text.index("Riverside Children’s Hospital（")
    name = chars[at:at + len("Riverside Children’s Hospital")]
    assert {font for c, font in name if c != " "} == {"Handbill-Text"}, name
    # The Chinese around it, and Chinese quotation marks, stay in the CJK font.
    assert chars[at - 2][1] == "Handbill-Sans-SC"
    assert chars[text.index("（河滨")][1] == "Handbill-Sans-SC"
    quote = text.index("“流感”")
    assert chars[quote][1] == chars[quote + 3][1] == "Handbill-Sans-SC"


def test_chinese_list_bullets_are_bullets(corpus_build):
    chars = printed_fonts(corpus_build / "out" / "stomach-flu" / "handout.pdf")
    bullets = [font for c, font in chars if c == "•"]
    assert len(bullets) > 20
    assert set(bullets) == {"Handbill-Text"}  # the CJK font draws • as a small middle dot


def _hyphenated(text: str) -> list[tuple[str, str]]:
    """Each word the PDF broke with a hyphen: (before, after)."""
    return re.findall(r"(\w+)\u2010\n(\w+)", text)


def test_english_breaks_only_where_the_dictionary_does(corpus_build, sample_build):
    us = pyphen.Pyphen(lang="en_US", left=3, right=3)
    seen = []
    pdfs = [*sorted((corpus_build / "out").glob("*/*.pdf")),
            *sorted(Path(sample_build).rglob("*.pdf"))]
    for pdf in pdfs:
        for before, after in _hyphenated(all_text(pdf).replace("\r\n", "\n")):
            word = before + after
            assert len(before) in us.positions(word), (pdf.name, f"{before}-{after}")
            seen.append(f"{before}-{after}")
    assert seen, "no word was hyphenated: the rule was not exercised"


def test_references_titles_and_addresses_are_never_hyphenated(sample_build):
    pdfs = sorted(Path(sample_build).rglob("*.pdf"))
    assert len(pdfs) >= 3
    for pdf in pdfs:
        text = all_text(pdf).replace("\r\n", "\n")
        assert "References" in text or "参考文献" in text, pdf
        at = min(i for i in (text.rfind("References"), text.rfind("参考文献")) if i >= 0)
        assert "\u2010\n" not in text[at:], (pdf.name, text[at:][:300])
        for line in text.split("\n"):
            if "example.org" in line or "doi" in line.lower():
                assert not line.endswith("\u2010"), (pdf.name, line)


def test_hyphens_manual_adds_no_hyphen(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".*", "out", "tests", "src",
                                                              "bench", "node_modules"))
    assert run(["--project", str(root), "build", "--layout", "trifold"]) == 0
    auto = all_text(root / "out" / "stem-cells-t2dm" / "trifold.pdf")
    assert "\u2010\r\n" in auto  # the narrow panels hyphenate English by default
    assert run(["--project", str(root), "build", "--layout", "trifold",
                "--option", "hyphens=manual"]) == 0
    manual = all_text(root / "out" / "stem-cells-t2dm" / "trifold.pdf")
    assert "\u2010" not in manual


# -- half-width punctuation in Chinese ------------------------------------------------

@pytest.mark.parametrize("source, marks", [
    ("喝一杯水(约 250 ㎖)没有问题", ["(", ")"]),
    ("用注射器(不带针头)或小勺", ["(", ")"]),
    ("口服补液盐(ORS)有效", ["(", ")"]),
    ("(ORS)有效", ["(", ")"]),
    ("注意:不要,也不要;好吗?好!", [":", ",", ";", "?", "!"]),
    ("每 30 mg,每天", [","]),
    # Not between Chinese: times, numbers, English, code, links, citations, addresses.
    ("早上 8:00 到 3,5 之间", []),
    ("English (only), here: fine", []),
    ("见 `a(b)` 与 [链接](https://x.org/a(b)) 和 <span title='a,b'>中</span>", []),
    ("研究显示[@smith2020, p. 3; @li2021]有效", []),
    ("网址 https://example.org/a,b?c=1 和 nurse@example.org", []),
])
def test_half_width_marks_in_chinese(source, marks):
    assert [m.mark for m in punctuation.find(source)] == marks


def test_fenced_code_and_definitions_are_left_alone():
    source = "正文(一)\n```\n代码(二),不改\n```\n[a]: https://x.org/(三)\n"
    assert [(m.line, m.mark) for m in punctuation.find(source)] == [(1, "("), (1, ")")]


def test_check_fix_rewrites_only_the_marks_it_reports(tmp_path, capsys):
    root = corpus_project(tmp_path / "p")
    bundle = str(root / "content" / "stomach-flu")
    zh = root / "content" / "stomach-flu" / "zh-Hans.md"
    before = zh.read_text(encoding="utf-8")
    zh.chmod(0o640)
    assert run(["--project", str(root), "check", bundle]) == 0
    reported = [line for line in capsys.readouterr().out.splitlines() if "[zh-punctuation]" in line]
    assert len(reported) == 4 and all(line.startswith("content/stomach-flu/zh-Hans.md:")
                                      for line in reported)
    assert run(["--project", str(root), "check", "--fix", bundle]) == 0
    captured = capsys.readouterr()
    assert "fixed 4 punctuation marks in content/stomach-flu/zh-Hans.md" in captured.err
    assert "[zh-punctuation]" not in captured.out
    after = zh.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and sorted(changed) == sorted(
        [("(", "（"), (")", "）"), ("(", "（"), (")", "）")])
    assert zh.stat().st_mode & 0o777 == 0o640
    assert run(["--project", str(root), "build", bundle, "--layout",
                "handout"]) == 0
    text = all_text(root / "out" / "stomach-flu" / "handout.pdf")
    assert "水样腹泻（大便稀、呈水状）" in text.replace("\r\n", "")
    # Without --fix, nothing is written.
    assert run(["--project", str(root), "check"]) == 0
    assert zh.read_text(encoding="utf-8") == after


def test_no_chinese_paragraph_ends_with_a_line_of_one_or_two_characters(corpus_build):
    from handbill.normalize import printed_form
    from pdfcheck import markdown_blocks

    closing = "」』）》〉】〕〗”’、。，．；：！？…—"
    checked = 0
    for pdf in sorted((corpus_build / "out").glob("*/*.pdf")):
        short = ".short" if pdf.stem == "trifold" else ""
        source = (CORPUS / pdf.parent.name / f"zh-Hans{short}.md").read_text(encoding="utf-8")
        blocks = [autospace(" ".join(b.split())) for b in markdown_blocks(printed_form(source))]
        lines = [line.strip() for line in _lines(pdf).split("\n")]
        for block in blocks:
            if len(block) < 12:
                continue
            checked += 1
            for line in lines:
                letters = [c for c in line if c not in closing]
                if line and len(letters) <= 2 and block.endswith(line):
                    raise AssertionError(f"{pdf.parent.name}/{pdf.name}: '{block[-20:]}' "
                                         f"ends with the line '{line}'")
    assert checked > 100, checked


def _table_rows(source: str) -> list[list[str]]:
    """The cells of each row of the Markdown tables in SOURCE, header row first."""
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in source.splitlines()
            if line.lstrip().startswith("|") and not re.match(r"^\s*\|[\s:|-]+\|\s*$", line)]


def test_table_rows_stay_whole_and_headers_repeat(tmp_path):
    # A5 booklet pages are short: the fasting test's table breaks across two pages.
    root = tmp_path / "p"
    shutil.copytree(CORPUS / "fasting-blood-test", root / "content" / "fasting-blood-test")
    assert run(["--project", str(root), "build", "--layout", "booklet"]) == 0
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(root / "out" / "fasting-blood-test" / "booklet.pdf"))
    pages = [re.sub(r"\s+", "", page.get_textpage().get_text_range()) for page in pdf]
    tables_checked, split = 0, False
    for lang in ("en", "zh-Hans"):
        source = (CORPUS / "fasting-blood-test" / f"{lang}.md").read_text(encoding="utf-8")
        rows = [[re.sub(r"\s+", "", autospace(c) if lang == "zh-Hans" else c) for c in row]
                for row in _table_rows(source)]
        header, body = rows[0], rows[1:]
        on = []
        for row in body:
            whole = [n for n, text in enumerate(pages) if all(cell in text for cell in row)]
            assert whole, (lang, row)  # every cell of the row on one page
            on.append(whole[0])
        for n in set(on):
            assert all(cell in pages[n] for cell in header), (lang, n)  # the header above
        tables_checked += 1
        split = split or len(set(on)) > 1
    assert tables_checked == 2 and split  # one table at least did break across pages


def _list_items(source: str) -> list[str]:
    """The text of each list item of SOURCE (nested items apart), as markdown-it reads it."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(source)
    items, depth = [], 0
    for i, token in enumerate(tokens):
        if token.type == "list_item_open":
            depth += 1
            inline = next(t for t in tokens[i:] if t.type == "inline")
            items.append(inline.content)
        elif token.type == "list_item_close":
            depth -= 1
    return items


def test_trifold_list_items_stay_inside_one_panel(corpus_build):
    import pypdfium2

    from handbill.normalize import printed_form
    from pdfcheck import squash

    checked = 0
    for bundle in sorted(p.name for p in CORPUS.iterdir() if p.is_dir()):
        pdf = pypdfium2.PdfDocument(str(corpus_build / "out" / bundle / "trifold.pdf"))
        panels = []
        for page in pdf:
            width, height = page.get_size()
            textpage = page.get_textpage()
            panels += [squash(textpage.get_text_bounded(k * width / 3, 0, (k + 1) * width / 3,
                                                       height)) for k in range(3)]
        for lang, han in (("en", False), ("zh-Hans", True)):
            source = printed_form((CORPUS / bundle / f"{lang}.short.md").read_text("utf-8"))
            for item in _list_items(source):
                text = squash(re.sub(r"[*_`]|^\[!\w+\]", "", autospace(item) if han else item))
                whole = [n for n, panel in enumerate(panels) if text in panel]
                assert whole, (bundle, lang, item)  # the item is whole in one panel
                checked += 1
    assert checked > 40, checked


def test_trifold_gives_each_language_its_own_panels(corpus_build):
    """The English starts on the first inside panel and goes on in the flap, its numbered
    steps numbering on; the Chinese starts at the top of the second inside panel."""
    import pypdfium2

    from pdfcheck import squash

    pdf = pypdfium2.PdfDocument(str(corpus_build / "out" / "inhaler-spacer" / "trifold.pdf"))
    outside, inside = pdf[0], pdf[1]
    width, height = outside.get_size()

    def panel(page, left_mm, right_mm):
        return page.get_textpage().get_text_bounded(width * left_mm / 297, 0,
                                                    width * right_mm / 297, height)

    first, second, third = panel(inside, 0, 100), panel(inside, 100, 200), panel(inside, 200, 297)
    flap = panel(outside, 0, 97)
    assert squash(first).startswith(squash("Using Your Inhaler with a Spacer Why use a spacer?"))
    assert not re.search(r"[\u4e00-\u9fff]", first)  # no Chinese on the English panel
    assert squash(second).startswith(squash("吸入器配合储雾罐的正确用法 为什么要用储雾罐？"))
    assert squash("何时需要求助") in squash(third)  # the Chinese goes on in the third
    # The steps cut between items: 1-10 inside, 11 on the flap, numbered on.
    assert "Put the cap back on." in first and "Put the cap back on" not in flap
    assert "After a preventer" in flap and "After a preventer" not in first
    assert squash("When to get help") in squash(flap) and "Read online" in flap

    def numbers(text):  # the list markers (PDFium gives them after the text)
        return [int(n) for n in re.findall(r"^\s*(\d+)\.\s*$", text, re.M)]

    assert numbers(first) == list(range(1, 11)) and numbers(flap) == [11], (first, flap)
    # No cover image: the cover says where to call, in both languages.
    cover = squash(panel(outside, 197, 297))
    assert squash("Questions? Call us") in cover and squash("如有疑问，请致电") in cover
    assert "555-0100" in cover


def _tops(pdf_path: Path, words: list[str]) -> dict[str, tuple[int, int]]:
    import pypdfium2

    found = {}
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    for index, page in enumerate(pdf):
        textpage = page.get_textpage()
        for word in words:
            searcher = textpage.search(word)
            hit = searcher.get_next()
            if hit and word not in found:
                left, bottom, right, top = textpage.get_charbox(hit[0])
                found[word] = (index, round(top))
    return found


def test_parallel_aligns_block_by_block_and_its_footer_is_bilingual(tmp_path):
    root = corpus_project(tmp_path / "p", "stomach-flu")
    assert run(["--project", str(root), "build", "--layout", "parallel"]) == 0
    pdf = root / "out" / "stomach-flu" / "parallel.pdf"
    # Paragraphs and lists inside one section, not only the sections' headings.
    pairs = [("The virus spreads easily", "这种病毒很容易"),
             ("The main danger is dehydration", "最主要的危险是脱水"),
             ("Fluids are the most important", "补充液体是最重要的"),
             ("Wash your hands with soap", "用肥皂和清水洗手"),
             ("The nearest emergency department", "本地区很多家庭")]
    tops = _tops(pdf, [w for pair in pairs for w in pair])
    for english, chinese in pairs:
        (page_en, top_en), (page_zh, top_zh) = tops[english], tops[chinese]
        assert page_en == page_zh and abs(top_en - top_zh) <= 3, (english, tops)
    import pypdfium2

    pages = pypdfium2.PdfDocument(str(pdf))
    for number, page in enumerate(pages, 1):
        text = page.get_textpage().get_text_range()
        for part in ("20 January 2025 · 2025年1月20日",
                     "Harbourside Community Clinic (sample) · 海港社区诊所（示例）",
                     f"Page {number} of {len(pages)} · 第 {number} 页，共 {len(pages)} 页"):
            assert part in text, (number, part)


def test_check_fix_leaves_a_read_only_file_alone_and_says_so(tmp_path, capsys, monkeypatch):
    import handbill.punctuation

    root = tmp_path / "p"
    shutil.copytree(CORPUS / "stomach-flu", root / "content" / "stomach-flu")
    zh = root / "content" / "stomach-flu" / "zh-Hans.md"
    before = zh.read_bytes()
    zh.chmod(0o444)
    # As its owner would see it (root may write a read-only file; handbill asks os.access).
    monkeypatch.setattr(handbill.punctuation.os, "access", lambda path, mode: False)
    assert run(["--project", str(root), "check", "--fix", "--layout", "handout"]) == 1
    captured = capsys.readouterr()
    assert ("content/stomach-flu/zh-Hans.md: error: not fixed: the file is read-only [output]"
            in captured.out)
    assert "fixed" not in captured.err and "Traceback" not in captured.err
    assert zh.read_bytes() == before


def test_check_fix_into_a_folder_it_cannot_write_is_an_error_not_a_traceback(tmp_path, capsys):
    import handbill.writing

    root = tmp_path / "p"
    shutil.copytree(CORPUS / "stomach-flu", root / "content" / "stomach-flu")
    zh = root / "content" / "stomach-flu" / "zh-Hans.md"
    before = zh.read_bytes()

    def refuse(path, data):
        raise PermissionError(13, "Permission denied")

    original = handbill.writing.write_atomic
    handbill.writing.write_atomic = refuse
    try:
        code = run(["--project", str(root), "check", "--fix", "--layout", "handout"])
    finally:
        handbill.writing.write_atomic = original
    captured = capsys.readouterr()
    assert code == 1 and "content/stomach-flu/zh-Hans.md: error: not fixed: Permission denied " \
        "[output]" in captured.out
    assert "Traceback" not in captured.err and zh.read_bytes() == before


@pytest.mark.parametrize("source", [
    "如图![血压计示意图,正面](pic.svg)好",  # an image's alt text: an image stays an image
    "空格&nbsp;说明&amp;更多",  # entities
    "[指南][参考,一]\n\n[参考,一]: https://x.org\n",  # a reference link's label
    "详见https://zh.wikipedia.org/wiki/高血压(医学)",  # an address straight after Chinese
    "中文(见[维基](https://w.org/A_(B)))",  # a bracket pair whose ) closes a link
    "`` a`b,中 ``",  # a code span with double backticks
    "`代码,\n中文`",  # a code span over two lines
    "    print(\"中文,x\")\n",  # an indented code block
    "> ```\n> 代码,中文\n> ```\n",  # fenced code inside a quote
    "1. 项目\n\n   ```\n   代码,中\n   ```\n",  # fenced code inside a list item
    "<pre>\n中文,x\n</pre>\n",  # raw HTML
])
def test_fix_changes_nothing_but_text(source):
    # What check reports and --fix rewrites are the marks whose change leaves the
    # document the same to the parser: never code, HTML, an address or a link.
    fixed, marks = punctuation.fix(source)
    assert fixed == source and marks == []


def test_fix_keeps_bracket_pairs_together():
    fixed, marks = punctuation.fix("如图![图(一)](pic.svg)(说明)好,甲`代码,中`丁:戊")
    assert fixed == "如图![图(一)](pic.svg)（说明）好，甲`代码,中`丁：戊"
    assert [m.mark for m in marks] == ["(", ")", ",", ":"]


def test_check_fix_refuses_a_file_that_is_not_utf8(tmp_path, capsys):
    root = tmp_path / "p"
    shutil.copytree(CORPUS / "stomach-flu", root / "content" / "stomach-flu")
    zh = root / "content" / "stomach-flu" / "zh-Hans.md"
    findings = [type("F", (), {"code": "zh-punctuation",
                               "path": "content/stomach-flu/zh-Hans.md"})()]
    zh.write_bytes(zh.read_text(encoding="utf-8").encode("utf-16"))
    before = zh.read_bytes()
    done, problems = punctuation.fix_files(findings, root)
    assert done == [] and [p.message for p in problems] == ["not fixed: the file is not UTF-8"]
    assert zh.read_bytes() == before


def test_fine_print_keeps_the_words_on_its_marker_line():
    from handbill import callouts
    from handbill.markdown import make_parser

    parser = make_parser()
    tokens = parser.parse("> [!FINEPRINT] Copyright 2025 Riverside. Do not copy.\n> More.\n")
    callouts.transform(tokens)
    html = parser.renderer.render(tokens, parser.options, {})
    assert "<p>Copyright 2025 Riverside. Do not copy.\nMore.</p>" in html


def test_a_line_too_wide_for_its_panel_is_an_error(tmp_path, capsys):
    root = tmp_path / "p"
    shutil.copytree(CORPUS / "inhaler-spacer", root / "content" / "inhaler-spacer")
    short = root / "content" / "inhaler-spacer" / "zh-Hans.short.md"
    short.write_text(short.read_text(encoding="utf-8") + "\n" + "antidisestablishment" * 8
                     + "。\n", encoding="utf-8")
    assert run(["--project", str(root), "build", "--layout", "trifold"]) == 1
    err = capsys.readouterr().err
    line = len(short.read_text(encoding="utf-8").splitlines())
    assert (f"content/inhaler-spacer/zh-Hans.short.md:{line}:1: error: text does not fit its "
            "column or panel on page 2") in err
    assert not (root / "out" / "inhaler-spacer" / "trifold.pdf").exists()


def test_a_chinese_paragraph_wrapped_in_the_source_prints_without_gaps(tmp_path):
    """Editors wrap Markdown at 80 columns; a line break between two full-width characters
    is no space in Chinese (CSS Text 3), while one between English words stays a space."""
    bundle = tmp_path / "content" / "s"
    shutil.copytree(REPO / "content" / "stem-cells-t2dm", bundle)
    zh = bundle / "zh-Hans.md"
    lines = zh.read_text(encoding="utf-8").split("\n")
    first = next(k for k, line in enumerate(lines) if line and not line.startswith("#"))
    wrapped = lines[first].replace("、", "、\n").replace("。", "。\n").rstrip("\n")
    assert wrapped.count("\n") >= 4
    lines[first] = wrapped
    zh.write_text("\n".join(lines), encoding="utf-8")
    en = bundle / "en.md"
    en.write_text(en.read_text(encoding="utf-8").replace("insulin resistance, impaired",
                                                         "insulin\nresistance, impaired"),
                  encoding="utf-8")
    assert run(["--project", str(tmp_path), "build", "--layout", "handout"]) == 0
    text = all_text(tmp_path / "out" / "s" / "handout.pdf")
    joined = text.replace("\n", "")
    for piece in wrapped.split("\n")[1:]:
        start = html.unescape(piece)[:2]  # Han both: a Latin letter gets its gap
        assert re.search(r"[、。]" + re.escape(start), joined), start  # no gap before it
        assert not re.search(r"[、。] +" + re.escape(start), joined), start
    assert "insulin resistance" in re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("source,html", [
    ("第一句。\n第二句", "第一句。<span"),            # Han and full-width marks: joined
    ("中文\n**粗体**", "中文<strong>粗体</strong>"),  # through markup
    ("中文\nEnglish", "\n"),                          # Han and Latin: a space stays
    ("한국어\n문장", "한국어\n문장"),                 # Hangul keeps its space (CSS Text 3)
])
def test_line_breaks_between_full_width_characters(source, html):
    from handbill.markdown import parse_body

    body, _ = parse_body("zh-Hans", Path("/tmp/zh-Hans.md"), source + "\n", Path("/tmp"), None)
    assert html in body.html, body.html


def test_chinese_words_in_headings_titles_and_cells_are_kept_whole():
    assert typeset("食物或饮料", True, words=True) == (
        '<span class="nobr">食物</span>或<span class="nobr">饮料</span>')
    # Running text may break anywhere: no word is bound there.
    assert typeset("食物或饮料", True) == "食物或饮料"
    assert typeset("食物或饮料", False, words=True) == "食物或饮料"  # not a Han language


WORDY = ("出现以下情况请立即联系我们的护士或者前往最近的急诊室就诊并告诉医生您正在服用的所有药物"
         "包括处方药非处方药维生素和中草药")


def test_no_chinese_heading_title_or_cell_breaks_inside_a_word(tmp_path):
    """A long Chinese heading, title and table cell, set in the narrow tri-fold panels
    and on A5: every line ends between two of jieba's words, never inside one."""
    import rjieba

    root = corpus_project(tmp_path / "p", "fasting-blood-test")
    bundle = root / "content" / "fasting-blood-test"
    for name in ("zh-Hans.md", "zh-Hans.short.md"):
        path = bundle / name
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^## .*$", f"## {WORDY}", text, count=1, flags=re.M)
        text = text.replace("| 只喝白开水。 |", f"| {WORDY[:30]} |", 1)
        assert WORDY[:30] in text or name.endswith("short.md")
        path.write_text(text, encoding="utf-8")
    meta = bundle / "meta.yaml"
    meta_text = meta.read_text(encoding="utf-8")
    meta.write_text(re.sub(r"(?m)^(  zh-Hans: )空腹血糖检测前的准备$", rf"\g<1>{WORDY[:24]}",
                           meta_text, count=1), encoding="utf-8")
    assert WORDY[:24] in meta.read_text(encoding="utf-8")
    assert run(["--project", str(root), "build", str(bundle), "--layout", "trifold",
                "--layout", "booklet"]) == 0
    boundaries = set()
    position = 0
    for word in rjieba.cut(WORDY):
        position += len(word)
        boundaries.add(position)
    checked = 0
    for pdf in (root / "out" / "fasting-blood-test").glob("*.pdf"):
        lines = [line.strip() for line in _lines(pdf).split("\n")]
        for first, second in zip(lines, lines[1:]):
            # Two lines that are one piece of WORDY broken across them.
            for cut in range(1, len(first) + 1):
                piece = first[-cut:] + second
                start = WORDY.find(first[-cut:] + second[:2])
                if len(second) >= 2 and start >= 0 and piece[:cut + 2] in WORDY:
                    checked += 1
                    assert start + cut in boundaries, (pdf.name, first, second)
                    break
    assert checked >= 4, checked


def test_emphasis_beside_full_width_punctuation_is_set_not_printed(tmp_path):
    """**“空腹”**是指 (a closing ** after a mark, before a letter): CommonMark prints the
    asterisks; handbill's parser sets it bold, in the PDF too."""
    from handbill.markdown import make_parser

    parser = make_parser()
    for source, html in [("**“空腹”**是指", "<strong>“空腹”</strong>是指"),
                         ("这是**（重要）**内容", "这是<strong>（重要）</strong>内容"),
                         ("请在**检查前 8 小时**禁食", "请在<strong>检查前 8 小时</strong>禁食"),
                         ("__“空腹”__是指", "<strong>“空腹”</strong>是指"),
                         ("*「注意」*：", "<em>「注意」</em>：")]:
        assert parser.render(source).strip() == f"<p>{html}</p>", source
    bundle = tmp_path / "content" / "stem-cells-t2dm"
    shutil.copytree(SAMPLE, bundle)
    zh = bundle / "zh-Hans.md"
    zh.write_text(zh.read_text(encoding="utf-8").replace(
        "## ", "**“空腹”**是指检查前 8 小时内不吃东西。\n\n## ", 1), encoding="utf-8")
    assert run(["--project", str(tmp_path), "build", "--layout", "handout",
                "--out", str(tmp_path / "out")]) == 0
    pdf = tmp_path / "out" / "stem-cells-t2dm" / "handout.pdf"
    text = all_text(pdf)
    assert "“空腹”是指检查前" in text.replace(" ", "") and "**" not in text


def test_emphasis_without_cjk_beside_it_is_commonmarks_own():
    """Where no CJK character touches a delimiter, handbill's parser answers exactly as
    markdown-it does: every delimiter between every pair of neighbours, and the sample."""
    from itertools import product

    from markdown_it import MarkdownIt

    from handbill.markdown import make_parser

    ours, plain = make_parser(), MarkdownIt("commonmark").enable("table")
    plain.validateLink = lambda url: True
    sides = [" ", "a", ".", "(", ")", "\"", "“", "”", "-", "1", "é", ""]
    cases = [f"{a}{d}{b}word{c}{d}{e}" for d in ("*", "**", "_", "__", "***")
             for a, b, c, e in product(sides, repeat=4)]
    cases += [re.sub(r"\[@[^\]]*\]", "", (SAMPLE / "en.md").read_text(encoding="utf-8"))]
    differ = [c for c in cases if ours.render(c) != plain.render(c)]
    assert differ == [] and len(cases) > 100_000


COMPRESSED = """## 服药前

请注意：“先喝一杯水。”然后按时服药。

他说：“好。”我们再看（第二次）。
"""


def test_adjacent_chinese_marks_are_compressed_in_the_pdf_and_lone_ones_are_not(tmp_path):
    """clreq 3.1.6, measured on the page: where two full-width marks meet, the first (a
    closing mark's blank right half) takes half an em; a mark beside a character keeps
    its whole em. Advances from PDFium's loose boxes (the font's advance widths)."""
    import pypdfium2 as pdfium

    project = tmp_path / "p"
    bundle = project / "content" / "x"
    bundle.mkdir(parents=True)
    (bundle / "meta.yaml").write_text("title:\n  zh-Hans: 标点挤压\ndate: 2026-11-20\n"
                                      "layouts: [handout]\nlanguages: [zh-Hans]\n",
                                      encoding="utf-8")
    (bundle / "zh-Hans.md").write_text(COMPRESSED, encoding="utf-8")
    assert run(["--project", str(project), "build"]) == 0
    page = pdfium.PdfDocument(project / "out" / "x" / "handout.pdf")[0]
    textpage = page.get_textpage()
    text = textpage.get_text_range()

    def advance(index: int) -> float:  # from this character's left to the next one's
        return textpage.get_charbox(index + 1, loose=True)[0] - \
            textpage.get_charbox(index, loose=True)[0]

    em = advance(text.index("一杯"))
    assert 10 < em < 20  # the body's size, in points
    for pair in ("：“先", "水。”", "说：“", "好。”", "次）。"):
        first = text.index(pair[:2])  # the pair's first mark, or the character before it
        mark = first + 1 if pair[0] not in "：。）" else first
        assert abs(advance(mark) - em / 2) < 0.05 * em, (pair, advance(mark), em)
    for lone in ("服药。",):  # a mark after a character, before a line's end: a whole em
        mark = text.index(lone) + 2
        assert abs(textpage.get_charbox(mark, loose=True)[2]
                   - textpage.get_charbox(mark, loose=True)[0] - em) < 0.05 * em
    # The mark after a character keeps its whole em: 然 follows ” a full em on.
    closing = text.index("。”然") + 1
    assert abs(advance(closing) - em) < 0.05 * em
