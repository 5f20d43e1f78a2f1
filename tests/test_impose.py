"""Booklet imposition: saddle-stitch order, and where each reading page lands on the sheets."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader, PdfWriter

from handbill.impose import impose_booklet, saddle_stitch_order

A4 = (841.89, 595.28)
LETTER = (792.0, 612.0)
RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


def booklet_source(pages: int, bleed: bool = False) -> bytes:
    """An A5 document of PAGES pages, each labelled "PAGE n"; left (even) pages are red
    and right (odd) pages blue, bleed included."""
    weasyprint = pytest.importorskip("weasyprint")
    css = f"""
      @page {{ size: A5; margin: 20mm; {"bleed: 3mm;" if bleed else ""} }}
      @page :left {{ background: rgb(255, 0, 0) }}
      @page :right {{ background: rgb(0, 0, 255) }}
      body {{ font-family: DejaVu Sans; font-size: 40pt; color: white }}
      p {{ break-after: page; margin: 60mm 0 0; text-align: center }}
      p:last-child {{ break-after: auto }}
    """
    body = "".join(f"<p>PAGE {n}</p>" for n in range(1, pages + 1))
    html = (f'<html lang="zh-Hans"><head><title>A booklet</title><meta name="author" '
            f'content="Ann Author"><style>{css}</style></head><body>{body}</body></html>')
    return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture(scope="module")
def twelve() -> bytes:
    return booklet_source(12)


@pytest.fixture(scope="module")
def six() -> bytes:
    return booklet_source(6)


def halves(pdf: bytes) -> list[tuple[str, str]]:
    """The text of the left and of the right half of each page of PDF."""
    document = pdfium.PdfDocument(pdf)
    texts = []
    for page in document:
        width, height = page.get_size()
        textpage = page.get_textpage()
        texts.append((textpage.get_text_bounded(0, 0, width / 2, height).strip(),
                      textpage.get_text_bounded(width / 2, 0, width, height).strip()))
    return texts


def expected_halves(pages: int) -> list[tuple[str, str]]:
    """The labels saddle_stitch_order puts on the halves of each output page ("" for blank)."""
    def label(index: int | None) -> str:
        return "" if index is None else f"PAGE {index + 1}"
    return [(label(left), label(right))
            for sheet in saddle_stitch_order(pages) for left, right in sheet]


def assert_sheets(pdf: bytes, size: tuple[float, float]) -> None:
    for page in PdfReader(io.BytesIO(pdf)).pages:
        assert [float(v) for v in page.mediabox] == pytest.approx([0, 0, *size], abs=0.01)
        assert page.trimbox == page.mediabox


def pixel(pdf: bytes, index: int, x: float, y: float) -> tuple[int, int, int]:
    """The colour at (X, Y) in points (PDF coordinates, origin bottom left) of page INDEX."""
    page = pdfium.PdfDocument(pdf)[index]
    scale = 2
    image = page.render(scale=scale).to_pil().convert("RGB")
    return image.getpixel((round(x * scale), round((page.get_size()[1] - y) * scale)))


def test_saddle_stitch_order():
    assert saddle_stitch_order(4) == [((3, 0), (1, 2))]
    # Blanks go inside, before the back cover (the last page stays on the back).
    assert saddle_stitch_order(6) == [((5, 0), (1, None)), ((None, 2), (3, 4))]
    assert saddle_stitch_order(5) == [((4, 0), (1, None)), ((None, 2), (3, None))]
    assert saddle_stitch_order(2) == [((1, 0), (None, None))]
    assert saddle_stitch_order(8) == [((7, 0), (1, 6)), ((5, 2), (3, 4))]
    assert saddle_stitch_order(12) == [((11, 0), (1, 10)), ((9, 2), (3, 8)), ((7, 4), (5, 6))]
    assert saddle_stitch_order(1) == [((None, 0), (None, None))]
    assert saddle_stitch_order(0) == []


@pytest.mark.parametrize("pages", [12, 6])
def test_impose_on_a4(pages, twelve, six):
    source = twelve if pages == 12 else six
    assert [page.get_textpage().get_text_range().strip() for page in pdfium.PdfDocument(source)] \
        == [f"PAGE {n}" for n in range(1, pages + 1)]
    booklet = impose_booklet(source)
    assert len(PdfReader(io.BytesIO(booklet)).pages) == {12: 6, 6: 4}[pages]
    assert_sheets(booklet, A4)
    assert halves(booklet) == expected_halves(pages)
    spelled = {12: [(12, 1), (2, 11), (10, 3), (4, 9), (8, 5), (6, 7)],
               6: [(6, 1), (2, None), (None, 3), (4, 5)]}[pages]
    assert halves(booklet) == [tuple("" if n is None else f"PAGE {n}" for n in pair)
                               for pair in spelled]


def test_impose_on_letter(twelve):
    booklet = impose_booklet(twelve, "Letter")
    assert len(PdfReader(io.BytesIO(booklet)).pages) == 6
    assert_sheets(booklet, LETTER)
    assert halves(booklet) == expected_halves(12)
    # A5 is scaled down to the 396 pt half-width: 595.28 * 396 / 419.53 = 561.9 pt high,
    # centred; the page pair meets at the fold.
    top = (612 + 595.28 * 396 / 419.53) / 2
    assert pixel(booklet, 0, 200, top - 3) == RED
    assert pixel(booklet, 0, 200, top + 3) == WHITE
    assert pixel(booklet, 0, 393, 306) == RED
    assert pixel(booklet, 0, 399, 306) == BLUE


def test_impose_crops_the_bleed():
    source = booklet_source(6, bleed=True)
    page = PdfReader(io.BytesIO(source)).pages[0]
    # WeasyPrint sets the TrimBox to the page and grows every other box by the bleed.
    assert page.trimbox == [0, 0, pytest.approx(419.53, abs=0.01), pytest.approx(595.28, abs=0.01)]
    assert page.mediabox.left < 0 and page.mediabox.width > page.trimbox.width
    booklet = impose_booklet(source, "Letter")
    assert_sheets(booklet, LETTER)
    assert halves(booklet) == expected_halves(6)
    # Sheet 1, front: page 6, the back cover (red) | page 1 (blue). Uncut, each page's 3 mm
    # bleed would spill over the other at the fold and into the white band above and below.
    top = (612 + 595.28 * 396 / 419.53) / 2
    assert pixel(booklet, 0, 393, 306) == RED
    assert pixel(booklet, 0, 399, 306) == BLUE
    assert pixel(booklet, 0, 200, top + 3) == WHITE
    assert pixel(booklet, 0, 600, 612 - top - 3) == WHITE
    assert pixel(booklet, 0, 600, 612 - top + 3) == BLUE


def test_impose_keeps_metadata(six):
    reader = PdfReader(io.BytesIO(impose_booklet(six)))
    assert reader.metadata.title == "A booklet"
    assert reader.metadata.author == "Ann Author"
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hans"


def test_impose_is_deterministic(twelve):
    first = impose_booklet(twelve)
    assert impose_booklet(twelve) == first
    ids = PdfReader(io.BytesIO(first)).trailer["/ID"]
    assert ids[0] == ids[1] and len(ids[0]) == 16
    assert impose_booklet(twelve, "Letter") != first


def test_impose_rejects_bad_input(six):
    empty = io.BytesIO()
    PdfWriter().write(empty)
    with pytest.raises(ValueError, match="no pages"):
        impose_booklet(empty.getvalue())
    with pytest.raises(ValueError, match="empty"):
        impose_booklet(b"")
    with pytest.raises(ValueError, match="cannot impose"):
        impose_booklet(b"not a PDF at all")
    with pytest.raises(ValueError, match="unknown sheet 'B5'.*A4.*Letter"):
        impose_booklet(six, "B5")
    assert impose_booklet(six, "letter") == impose_booklet(six, "Letter")
