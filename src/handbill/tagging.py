"""/Lang on the structure element of every block that declares a language.

WeasyPrint 70 tags PDFs but writes the language of the document only; a
screen reader then reads the Chinese section with English rules. Each
element WeasyPrint makes for a box whose HTML element has ``lang`` gets that
language here (PDF structure elements inherit it, as HTML elements do).
This wraps one internal function of WeasyPrint's, whose version
constraints.txt pins; a test fails if the wrapping stops working.

Tagging also asks pydyf for the list of page references once per structure
element, and pydyf 0.13 builds that list anew each time: quadratic in the
page count (0.7 s of a 93-page document's 1 s of tagging). It is kept here
until the page list grows, the same references, built once.
"""

from __future__ import annotations

_INSTALLED = False


def install() -> None:
    """Wrap WeasyPrint's structure-tree builder once per process."""
    global _INSTALLED
    if _INSTALLED:
        return
    import pydyf
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import tags

    build = tags._build_box_tree

    def build_with_lang(box, parent, pdf, *rest):
        inner = box._box if isinstance(box, AbsolutePlaceholder) else box
        element = getattr(inner, "element", None)
        lang = element.get("lang") if element is not None else None
        for child in build(box, parent, pdf, *rest):
            if lang and "Lang" not in child:
                child["Lang"] = pydyf.String(lang)
            yield child

    tags._build_box_tree = build_with_lang
    pydyf.PDF.page_references = property(_page_references)
    _INSTALLED = True


def _page_references(pdf) -> tuple[bytes, ...]:
    """pydyf's PDF.page_references, remembered while no page is added (pages only ever are)."""
    kids = pdf.pages["Kids"]
    memo = pdf.__dict__.get("_handbill_page_references")
    if memo is None or memo[0] != len(kids):
        memo = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf._handbill_page_references = memo
    return memo[1]
