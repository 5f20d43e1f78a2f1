"""What the laid-out pages hold: their lines of text, each traced to its source line.

WeasyPrint lays the document out (``pdf.lay_out``); the checks that judge the
pages read them here: lines past a layout's last page or cut off by a panel
(``layout-fit``), the size of the running text (``type-size``), pages that hold
a few lines (``page-fill``). Every block of a body carries the file and the lines
it came from (``data-src="zh-Hans.md:12-14"``, set by ``handbill.markdown``), so
a printed line is located in the text it was printed from, never in another
text that says the same (an English disclaimer at the end of both languages).
Text that comes from elsewhere (a title from meta.yaml, the bibliography) has no
source, and is looked for in the texts by its letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

#: A page with fewer lines of text than this looks left over (``page-fill``).
MIN_PAGE_LINES = 6
#: The smallest running text a layout may set, in points (patients read it), and in
#: large print (``--option large-print=yes``).
MIN_TEXT_PT = 11.0
MIN_LARGE_PRINT_PT = 14.0
#: The elements whose lines are running text (``type-size`` judges their size).
RUNNING_TEXT = frozenset({"p", "li"})
#: Classes whose text is meant to be small, not running text: fine print.
_SMALL_PRINT = frozenset({"callout-fineprint"})
_COVERS = frozenset({"front-cover", "back-cover"})


@dataclass(frozen=True)
class Line:
    """One line laid out on a page."""

    page: int  # 1-based
    text: str
    #: The source of the block it is in: (file name, first line, last line), or None.
    source: tuple[str, int, int] | None
    #: The tag of the element that carries the source (p, li, h2, tr ...), or None.
    tag: str | None
    #: Whether it is running text of a body: a paragraph or a list item, not fine print.
    running: bool
    size_pt: float
    box: object  # WeasyPrint's LineBox


def _classes(element) -> frozenset[str]:
    return frozenset((element.get("class") or "").split()) if element is not None else frozenset()


def lines(pages, first_page: int = 1, positioned: bool = True) -> Iterator[Line]:
    """Every line of text on PAGES (numbered from FIRST_PAGE), in order; running headers
    and footers (margin boxes) left out, and, unless POSITIONED, the boxes taken out of
    the flow (absolutely positioned: a layout's decorations of every page)."""
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox, TextBox

    from .spec import SOURCE_ATTRIBUTE

    def walk(box, number, source, tag, small):
        element = getattr(box, "element", None)
        if element is not None:
            found = SOURCE_ATTRIBUTE.match(element.get("data-src") or "")
            if found:
                source = (found.group(1), int(found.group(2)), int(found.group(3)))
                tag = getattr(box, "element_tag", None)
            small = small or bool(_SMALL_PRINT & _classes(element))
        if isinstance(box, LineBox):
            text = "".join(b.text for b in box.descendants() if isinstance(b, TextBox))
            if text.strip():
                yield Line(number, text, source, tag, tag in RUNNING_TEXT and not small,
                           round(box.style["font_size"] * 0.75, 1), box)
            return
        for child in getattr(box, "children", ()):
            if isinstance(child, MarginBox) or (
                    not positioned and type(child).__name__ == "AbsolutePlaceholder"):
                continue
            yield from walk(child, number, source, tag, small)

    for number, page in enumerate(pages, first_page):
        yield from walk(page._page_box, number, None, None, False)


def overflow(pages) -> tuple[int, float, list[Line]]:
    """Lines of text on PAGES (those past a layout's last), their height in mm, and the
    first of them (up to 10)."""
    found, height, count = [], 0.0, 0
    for line in lines(pages, positioned=False):
        count += 1
        height += line.box.height
        if len(found) < 10:
            found.append(line)
    return count, height * 25.4 / 96, found


def clipped(pages) -> list[tuple[int, int, float, Line]]:
    """Text that does not fit its box: lines that a box with ``overflow: hidden`` (a
    leaflet's panel) cuts off at its bottom, and lines wider than their column (a word
    or a kept-together span too long for it), which run off the panel or the page.
    For each such box: (page number, lines, mm beyond, the first such line)."""
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox

    found = []
    for number, page in enumerate(pages, 1):
        on_page = {id(line.box): line for line in lines([page], number)}
        wide = []

        def walk(box, edge: float) -> None:  # EDGE: the right edge of the block it is in
            for child in getattr(box, "children", ()):
                if isinstance(child, MarginBox):
                    continue
                if isinstance(child, LineBox):
                    if child.children and id(child) in on_page:
                        right = max(c.position_x + c.margin_width() for c in child.children)
                        if right - edge > 1:
                            wide.append((right - edge, on_page[id(child)]))
                    continue
                inner = edge
                if child.is_for_root_element or not hasattr(child, "content_box_x") or \
                        type(child).__name__ in ("BlockBox", "TableCellBox", "FlexBox",
                                                 "GridBox", "ListItemBox"):
                    try:
                        inner = child.content_box_x() + child.width
                    except (AttributeError, TypeError):
                        inner = edge
                walk(child, inner)

        walk(page._page_box, page._page_box.content_box_x() + page._page_box.width)
        for box in page._page_box.descendants():
            if isinstance(box, MarginBox) or box.style["overflow"] != "hidden":
                continue
            bottom = box.padding_box_y() + box.padding_height()
            right = box.padding_box_x() + box.padding_width()
            below = [line for line in box.descendants() if isinstance(line, LineBox)
                     and line.position_y + line.height > bottom + 0.5]
            # A column the box's own flow went on into, beside it: cut off all the same.
            low = {id(line) for line in below}
            beside = [line for line in box.descendants() if isinstance(line, LineBox)
                      and line.position_x >= right - 0.5 and id(line) not in low]
            cut = below + beside
            shown = [on_page[id(line)] for line in cut if id(line) in on_page]
            if shown:
                depth = max([line.position_y + line.height - bottom for line in below]
                            + [sum(line.height for line in beside)])
                found.append((number, len(shown), depth * 25.4 / 96, shown[0]))
        if wide:
            found.append((number, len(wide), max(b for b, _ in wide) * 25.4 / 96, wide[0][1]))
    return found


def _is_cover(box) -> bool:
    return bool(_COVERS & _classes(getattr(box, "element", None)))


def sparse_pages(pages) -> list[tuple[int, int, Line]]:
    """(page number, lines, its first line of the texts, else its first) of each page of PAGES, when there are two
    or more, that holds text but fewer than :data:`MIN_PAGE_LINES` lines of it (running
    headers and footers not counted; a cover, an element of class ``front-cover`` or
    ``back-cover``, is a page designed to hold little)."""
    from weasyprint.formatting_structure.boxes import MarginBox

    found = []
    if len(pages) < 2:
        return found
    for number, page in enumerate(pages, 1):
        if any(_is_cover(box) for child in page._page_box.children
               if not isinstance(child, MarginBox) for box in child.descendants()):
            continue
        held = list(lines([page], number, positioned=False))
        if 0 < len(held) < MIN_PAGE_LINES:
            # Located by its first line of the texts (a line with a source); a line of
            # site.yaml's (the clinic's name) is no line of the bodies to look for.
            found.append((number, len(held),
                          next((line for line in held if line.source is not None), held[0])))
    return found


def small_running_text(pages, smallest: float) -> list[Line]:
    """The lines of running text (paragraphs and list items of the bodies, not headings,
    tables, the bibliography or fine print) set smaller than SMALLEST points."""
    return [line for line in lines(pages) if line.running and line.size_pt < smallest]


# -- locating a printed line in its source --------------------------------------------

#: What a source line may hold around a printed line's letters: spaces (handbill
#: adds some between Chinese and Latin), Markdown's emphasis and list markers.
_NOT_PRINTED = re.compile(r"[\s*_`#>]|^\s*(?:[-+]|\d+[.)])\s")


def _needle(printed: str) -> str:
    return _NOT_PRINTED.sub("", printed.replace("\u00ad", ""))[:12]


def _read(path: Path, project: Path | None) -> list[str] | None:
    from .errors import ContentError
    from .resources import read_text

    try:
        text = read_text(path, project)
    except (OSError, UnicodeDecodeError, ContentError):
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _find(needle: str, lines_: list[str], first: int, last: int,
          stop_at_first: bool) -> tuple[int, int] | None:
    found = None
    for number in range(max(first, 1), min(last, len(lines_)) + 1):
        line = lines_[number - 1]
        kept = [(i, c) for i, c in enumerate(line) if not _NOT_PRINTED.match(c)]
        at = "".join(c for _, c in kept).find(needle)
        if at >= 0:
            found = (number, kept[at][0] + 1)
            if stop_at_first:
                return found
    return found


#: What a Markdown line opens with before its first letter: indentation, a heading's
#: #s, a list's marker, a quote's >.
_LEAD = re.compile(r"[ \t]*(?:(?:#{1,6}|[-*+]|\d{1,9}[.)]|>)[ \t]+)*")


def locate(line: Line, files: tuple[Path, ...], project: Path | None = None,
           last: bool = True) -> tuple[Path, int, int] | None:
    """The file, line and column where LINE starts in FILES (the texts printed).

    A line with a source is found in its own file, within its block's lines (its
    block's first line when its letters are not found there: a line made by the
    typesetting); one without is looked for in every file by its first 12 letters
    (:func:`locate_text`).
    """
    if line.source is not None:
        name, first, end = line.source
        path = next((p for p in files if p.name == name), None)
        if path is not None:
            source = _read(path, project)
            if source is not None and 1 <= first <= len(source):  # raw HTML may say anything
                needle = _needle(line.text)
                at = _find(needle, source, first, end, True) if len(needle) >= 4 else None
                if at is None:  # the block's first letter: after its ##, - or 1.
                    at = (first, _LEAD.match(source[first - 1]).end() + 1)
                return path, at[0], at[1]
    # Unsourced text is looked for in the bodies only: a title from meta.yaml is no line
    # of the text that overflowed.
    return locate_text(line.text, tuple(p for p in files if p.suffix == ".md"), project, last)


def locate_text(printed: str, files: tuple[Path, ...], project: Path | None = None,
                last: bool = True) -> tuple[Path, int, int] | None:
    """The file, line and column where the printed line PRINTED starts in FILES, if found.

    Its first 12 letters (spaces and Markdown markup aside) are looked for line by
    line; the last match wins (LAST), since a layout overflows at its text's end.
    """
    needle = _needle(printed)
    if len(needle) < 4:
        return None
    found = None
    for path in files:
        source = _read(path, project)
        if source is None:
            continue
        at = _find(needle, source, 1, len(source), not last)
        if at is not None:
            found = (path, *at)
            if not last:
                return found
    return found


def section_at(path: Path, line: int, project: Path | None = None) -> str | None:
    """The heading (``##`` or ``###``) the LINE of PATH falls under, or None."""
    source = _read(path, project)
    for text in reversed((source or [])[:line]):
        heading = re.match(r"^ {0,3}#{2,3}\s+(.+?)\s*#*\s*$", text)
        if heading:
            return heading.group(1)[:60]
    return None
