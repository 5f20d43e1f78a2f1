"""How many of a text's leading blocks fit its first column: a layout that measures.

A layout with ``measure: true`` in its layout.yaml is rendered twice. The first
time its template has no ``fit``; it marks each text it wants measured with
``data-fit="LANG"`` (the element whose children are the text's blocks), and the
pages are laid out. The second time ``fit`` maps each marked language to the
number of the text's blocks that WeasyPrint laid out wholly in that element's
first fragment (its first column or page). The tri-fold uses it to set its first
language in the first inside panel and go on in the flap, so that the second
language starts on a panel of its own.
"""

from __future__ import annotations

from html.parser import HTMLParser
import re
from dataclasses import dataclass
from typing import Sequence

from .markdown import ordered_list_starts

_HEADING = re.compile(r"\s*<h[1-6][\s>]")
#: Elements that have no end tag.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                   "meta", "source", "track", "wbr"})


@dataclass(frozen=True)
class Fit:
    """How much of a marked text its first fragment holds: BLOCKS whole top-level
    elements, then ITEMS whole items of the list after them (0 when it is no list)."""

    elements: int
    items: int = 0


def fitted(pages) -> dict[str, Fit]:
    """For each element marked data-fit="LANG" on PAGES: how many of its child elements,
    from the first, are laid out wholly in its first fragment (none of them goes on in a
    later column or page), and how many items of the next child, a list, are."""
    fragments: dict[str, list] = {}
    for page in pages:
        _collect(page._page_box, fragments)
    counts = {}
    for lang, boxes in fragments.items():
        count, items = _leading(boxes[0].element, boxes)
        if count < len(boxes[0].element):
            child = boxes[0].element[count]
            if child.tag in ("ol", "ul"):
                inner = [box for fragment in boxes for box in _children(fragment)
                         if box.element is child]
                items = _leading(child, inner)[0] if inner else 0
        counts[lang] = Fit(count, items)
    return counts


def _leading(element, boxes: list) -> tuple[int, int]:
    """How many of ELEMENT's children, from the first, lie wholly in BOXES[0] (the
    first of the boxes ELEMENT was laid out in)."""
    later = {id(child.element) for box in boxes[1:] for child in _children(box)}
    first = {id(child.element) for child in _children(boxes[0])}
    count = 0
    for child in list(element):
        if id(child) not in first or id(child) in later:
            break
        count += 1
    return count, 0


def _collect(box, fragments: dict[str, list]) -> None:
    element = getattr(box, "element", None)
    if element is not None and element.get("data-fit") and getattr(box, "element_tag", None) \
            and not getattr(box, "is_for_root_element", False):
        lang = element.get("data-fit")
        if type(box).__name__ in ("BlockBox", "BlockContainerBox"):
            fragments.setdefault(lang, []).append(box)
            return
    for child in getattr(box, "children", ()):
        _collect(child, fragments)


def _children(box) -> list:
    """BOX's child boxes that stand for its child elements."""
    parent = box.element
    return [child for child in getattr(box, "children", ())
            if getattr(child, "element", None) is not None and child.element is not parent]


def split(blocks: Sequence[str], fit: Fit) -> tuple[list[str], list[str]]:
    """BLOCKS (HTML strings, in order) cut where FIT says the first fragment ends: those
    it holds, and the rest. A list is cut between its items, and the rest of an ordered
    list numbers on; a heading at the end goes with the block after it."""
    blocks = [str(block) for block in blocks]
    elements, count = fit.elements, 0
    for block in blocks:
        size = top_level_elements(block)
        if size > elements:
            break
        elements -= size
        count += 1
    head, rest = list(blocks[:count]), list(blocks[count:])
    if rest and elements == 0 and fit.items:
        cut = split_list(rest[0], fit.items)
        if cut is not None:
            head.append(cut[0])
            rest[0] = cut[1]
    while head and _HEADING.match(head[-1]):
        rest.insert(0, head.pop())
    return head, rest


def split_list(html: str, items: int) -> tuple[str, str] | None:
    """A list's HTML cut after its first ITEMS items: the list of those, and the list of
    the others, whose numbers go on (an ordered list's start). None when it has no more
    items than that, or is not one list."""
    html = str(html)  # plain text: Markup would escape what is joined to it
    parser = _Items()
    parser.feed(html)
    parser.close()
    if parser.lists != 1 or not 0 < items < len(parser.items):
        return None
    tag, opening = parser.tag, parser.opening
    cut = parser.items[items]
    head = html[:cut].rstrip() + f"\n</{tag}>"
    if tag == "ol":
        start = re.search(r'\sstart="(-?\d+)"', opening)
        number = (int(start.group(1)) if start else 1) + items
        opening = re.sub(r'\sstart="-?\d+"', "", opening)
        opening = opening[:3] + f' start="{number}"' + opening[3:]
    opening = re.sub(r'\sid="[^"]*"', "", opening)  # an id belongs to one element
    return head, ordered_list_starts(opening) + "\n" + html[cut:]


def top_level_elements(html: str) -> int:
    """The number of elements at the top level of an HTML fragment."""
    parser = _Counter()
    parser.feed(html)
    parser.close()
    return parser.count


class _Items(HTMLParser):
    """Where a list's items start in its HTML (offsets), and its opening tag."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.lists = 0
        self.tag = self.opening = ""
        self.items: list[int] = []
        self._lines = [0]

    def feed(self, data):
        for line in data.splitlines(keepends=True):
            self._lines.append(self._lines[-1] + len(line))
        super().feed(data)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.lists += 1 if tag in ("ol", "ul") else 2  # anything else: not one list
            self.tag, self.opening = tag, self.get_starttag_text() or ""
        elif self.depth == 1 and tag == "li":
            self.items.append(self._offset())
        if tag not in _VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag not in _VOID:
            self.depth = max(0, self.depth - 1)


class _Counter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.count = 0

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.count += 1
        if tag not in _VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            self.count += 1

    def handle_endtag(self, tag):
        if tag not in _VOID:
            self.depth = max(0, self.depth - 1)
