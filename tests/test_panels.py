"""A text cut where its first panel ends (handbill.panels), and numbered lists that
start at a number: the tri-fold's English goes on in its flap, numbering on."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import SAMPLE, clinic_project
from handbill.cli import run
from handbill.markdown import ordered_list_starts
from handbill.panels import Fit, split, split_list, top_level_elements
from pdfcheck import all_text

STEPS = ('<ol data-src="en.md:3-5">\n<li data-src="en.md:3-3">Wash your hands.</li>\n'
         '<li data-src="en.md:4-4">Dry them <em>well</em>.</li>\n'
         '<li data-src="en.md:5-5">Open the pack:<ul><li>tear here</li></ul></li>\n</ol>\n')


def test_a_list_is_cut_between_its_items_and_numbers_on():
    head, tail = split_list(STEPS, 2)
    assert head == ('<ol data-src="en.md:3-5">\n<li data-src="en.md:3-3">Wash your hands.</li>\n'
                    '<li data-src="en.md:4-4">Dry them <em>well</em>.</li>\n</ol>')
    assert tail == ('<ol start="3" data-src="en.md:3-5" style="counter-reset: list-item 2">\n'
                    '<li data-src="en.md:5-5">Open the pack:<ul><li>tear here</li></ul></li>\n'
                    '</ol>\n')
    # A list that already starts at 4 goes on from 4 + the items before the cut.
    four = STEPS.replace("<ol ", '<ol start="4" ')
    assert 'start="6"' in split_list(four, 2)[1]
    # Bullets have no numbers to carry on; an id stays with the first part.
    bullets = STEPS.replace("<ol ", '<ul id="x" ').replace("</ol>", "</ul>")
    head, tail = split_list(bullets, 1)
    assert tail.startswith('<ul data-src="en.md:3-5">\n<li data-src="en.md:4-4">')
    assert head.startswith('<ul id="x" ') and head.endswith("</ul>")


@pytest.mark.parametrize("items", [0, 3, 4, -1])
def test_a_list_is_not_cut_before_its_first_item_or_after_its_last(items):
    assert split_list(STEPS, items) is None


def test_only_one_list_is_cut():
    assert split_list("<p>a</p>" + STEPS, 1) is None
    assert split_list(STEPS + STEPS, 1) is None


def test_a_text_is_cut_where_the_panel_ends_and_a_heading_goes_with_what_follows():
    blocks = ["<h2>One</h2>", "<p>a</p>", "<h2>Two</h2>", STEPS, "<p>b</p>"]
    # Three elements fit: the heading "Two" would be left at the panel's foot.
    assert split(blocks, Fit(3)) == (["<h2>One</h2>", "<p>a</p>"],
                                     ["<h2>Two</h2>", STEPS, "<p>b</p>"])
    # ... unless the list after it begins there too.
    head, rest = split(blocks, Fit(3, items=1))
    assert head[:3] == ["<h2>One</h2>", "<p>a</p>", "<h2>Two</h2>"]
    assert "Wash your hands" in head[3] and "Dry them" not in head[3]
    assert "Dry them" in rest[0] and 'start="2"' in rest[0] and rest[1:] == ["<p>b</p>"]
    assert split(blocks, Fit(5)) == (blocks, [])
    assert split(blocks, Fit(0)) == ([], blocks)


def test_elements_are_counted_at_the_top_level_only():
    assert top_level_elements(STEPS) == 1
    assert top_level_elements("<p>a<br>b</p><hr><img src=x><div><p>c</p></div>") == 4


def test_a_numbered_list_that_starts_at_a_number_counts_from_it():
    assert ordered_list_starts('<ol start="7" data-src="a.md:1-2">') == (
        '<ol start="7" data-src="a.md:1-2" style="counter-reset: list-item 6">')
    assert ordered_list_starts("<ol><li>x</li></ol>") == "<ol><li>x</li></ol>"
    assert ordered_list_starts('<ol start="0">') == '<ol start="0" style="counter-reset: list-item -1">'
    # Not a number (the sanitiser keeps the attribute as written): left as it is.
    assert ordered_list_starts('<ol start="x">') == '<ol start="x">'


def test_markdown_steps_that_start_at_a_number_print_it(tmp_path):
    """A translator continues a procedure after a note: '4.' must print 4, not 1
    (WeasyPrint reads start only as a presentational hint); and so does an author's own
    <ol start="7">, where meta.yaml allows HTML."""
    root = clinic_project(tmp_path / "p")
    for folder, html in (("steps", False), ("raw", True)):
        bundle = root / "content" / folder
        shutil.copytree(SAMPLE, bundle)
        if html:  # the author's own HTML is read as HTML (sanitised)
            meta = bundle / "meta.yaml"
            meta.write_text(meta.read_text(encoding="utf-8") + "allow-html: true\n",
                            encoding="utf-8")
        for name, note in (("en.md", "Then, after the note:"), ("zh-Hans.md", "然后：")):
            path = bundle / name
            four, five, seven = (("Four", "Five", "Seven") if name == "en.md"
                                 else ("第四步", "第五步", "第七步"))
            added = (f'\n<ol start="7"><li>{seven}</li></ol>\n' if html
                     else f"\n\n{note}\n\n4. {four}\n5. {five}\n")
            path.write_text(path.read_text(encoding="utf-8") + added, encoding="utf-8")
    assert run(["--project", str(root), "build", "--layout", "handout"]) == 0
    text = all_text(root / "out" / "steps" / "handout.pdf")
    for words in ("Four", "Five", "第四步", "第五步"):
        assert words in text
    numbers = re.findall(r"^\s*(\d+)\.\s*$", text, re.M)
    # The sample's lists have at most four items: each 5 is the added list's, once a
    # language, and so is a 4 beyond the sample's two.
    assert numbers.count("5") == 2 and numbers.count("4") == 4, numbers
    text = all_text(root / "out" / "raw" / "handout.pdf")
    assert "Seven" in text and "第七步" in text and "<ol" not in text
    assert re.findall(r"^\s*(\d+)\.\s*$", text, re.M).count("7") == 2


def test_a_panels_flow_that_runs_on_beside_it_is_an_error(tmp_path, capsys):
    """A column a panel's own flow makes beside it is cut off as surely as text below
    it: located, never a silent loss."""
    root = clinic_project(tmp_path / "p")
    layouts = root / "layouts" / "narrow"
    layouts.mkdir(parents=True)
    (layouts / "layout.yaml").write_text("template: narrow.html.j2\npages: 1\n"
                                           "options:\n  page-size: {default: A4}\n", encoding="utf-8")
    (layouts / "narrow.html.j2").write_text(
        '{% extends "_partials/base.html.j2" %}{% block body %}'
        '<div style="height: 30mm; width: 80mm; overflow: hidden; columns: 2; '
        'column-fill: auto">{{ sections[0].body }}</div>{% endblock %}', encoding="utf-8")
    bundle = root / "content" / "s"
    shutil.copytree(SAMPLE, bundle)
    assert run(["--project", str(root), "build", str(bundle), "--layout", "narrow"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"error: text does not fit its column or panel on page 1: \d+ lines run "
                     r"\d+ mm past its edge and would be cut off", err), err
