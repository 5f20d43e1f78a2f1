"""Booklet imposition: a PDF's pages two-up on landscape sheets, in saddle-stitch order.

Print the result duplex, flipping on the short edge, stack the sheets in order,
fold them in the middle and staple along the fold: the pages read in order.
Imposition works on the PDF's objects with pypdf, so the content stays vector.
"""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, ByteStringObject, NameObject, RectangleObject

MM = 72 / 25.4

#: Sheet sizes in points, (width, height) in landscape.
SHEETS: dict[str, tuple[float, float]] = {
    "A3": (420 * MM, 297 * MM),
    "A4": (297 * MM, 210 * MM),
    "Letter": (792.0, 612.0),
    "Tabloid": (1224.0, 792.0),
}

Pair = tuple[int | None, int | None]


def saddle_stitch_order(pages: int) -> list[tuple[Pair, Pair]]:
    """For a document of PAGES reading pages, the sheets in printing order: for each sheet,
    (front, back), each a (left, right) pair of 0-based reading-page indexes, None for a blank
    padding page. Pages are padded with blanks to a multiple of four inside the booklet,
    before its last page (the back cover), so that the back cover stays on the back."""
    if pages < 0:
        raise ValueError(f"a document cannot have {pages} pages")
    total = -(-pages // 4) * 4

    def page(number: int) -> int | None:  # 1-based booklet page -> 0-based index or None
        if number < pages or (pages == 1 and number == 1):
            return number - 1
        if pages >= 2 and number == total:
            return pages - 1  # the back cover, last
        return None

    return [((page(total - 2 * s), page(2 * s + 1)), (page(2 * s + 2), page(total - 2 * s - 1)))
            for s in range(total // 4)]


def impose_booklet(pdf: bytes, sheet: str = "A4") -> bytes:
    """The pages of PDF (all the same size, e.g. A5 portrait) imposed two-up on landscape SHEETs
    (A4 or Letter... accept "A4" and "Letter" at least; scale to fit if the page pair does not fit
    exactly, centred, keeping aspect ratio) in saddle-stitch order, front and back of each sheet
    as consecutive PDF pages, ready for duplex printing (flip on short edge) and folding.

    SHEET is one of :data:`SHEETS` (case does not matter). Each page is cut to its
    TrimBox (a bleed is cropped away) and placed with its spine edge on the fold,
    the pair centred on the sheet. Title, author and the rest of the document
    information, and the catalog's /Lang, are kept; link annotations are dropped
    (their destinations do not survive imposition). The same input gives the same
    bytes: the file identifier is derived from the input. Raise ValueError for an
    unknown sheet or a PDF that is empty or unreadable.
    """
    size = next((v for k, v in SHEETS.items() if k.lower() == sheet.lower()), None)
    if size is None:
        raise ValueError(f"unknown sheet {sheet!r}: use one of {', '.join(SHEETS)}")
    if not pdf:
        raise ValueError("cannot impose an empty PDF: no bytes")
    try:
        reader = PdfReader(io.BytesIO(pdf))
        sources = list(reader.pages)
    except PdfReadError as error:
        raise ValueError(f"cannot impose this PDF: {error}") from error
    if not sources:
        raise ValueError("cannot impose an empty PDF: it has no pages")

    width, height = size
    fold = width / 2
    writer = PdfWriter()
    writer.pdf_header = reader.pdf_header  # keep the input's version (transparency needs 1.4+)
    for front, back in saddle_stitch_order(len(sources)):
        for left, right in (front, back):
            out = writer.add_blank_page(width, height)  # PageObject.create_blank_page
            out.trimbox = RectangleObject((0, 0, width, height))
            for index, on_left in ((left, True), (right, False)):
                if index is not None:
                    _place(out, sources[index], fold, height, on_left)
            out.compress_content_streams()

    if reader.metadata:
        writer.add_metadata(reader.metadata)
    lang = reader.trailer["/Root"].get("/Lang")
    if lang is not None:
        writer.root_object[NameObject("/Lang")] = lang.get_object()
    # A print file stays one: the output intent (the print profile) and the XMP that
    # says PDF/X-4 go with the sheets (each sheet has its TrimBox).
    for key in ("/OutputIntents", "/Metadata"):
        value = reader.trailer["/Root"].get(key)
        if value is not None:
            writer.root_object[NameObject(key)] = value.get_object().clone(writer).indirect_reference \
                if key == "/Metadata" else value.get_object().clone(writer)
    # pypdf writes no /ID unless asked, and its own are random: derive one from the input.
    digest = ByteStringObject(hashlib.sha256(pdf + sheet.lower().encode()).digest()[:16])
    writer._ID = ArrayObject([digest, digest])

    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _place(out, page, fold: float, height: float, on_left: bool) -> None:
    """Draw PAGE's trim area on OUT, fitted into the half of width FOLD left or right of the
    fold, its spine edge on the fold, centred vertically; the bleed is clipped away."""
    trim = page.trimbox
    # pypdf clips a merged page to its CropBox: make that the trim area to cut the bleed away.
    page.cropbox = RectangleObject((trim.left, trim.bottom, trim.right, trim.top))
    annots = [a for a in page.get("/Annots", ()) if a.get_object().get("/Subtype") != "/Link"]
    if annots:
        page[NameObject("/Annots")] = ArrayObject(annots)
    else:
        page.pop("/Annots", None)
    w, h = float(trim.width), float(trim.height)
    scale = min(fold / w, height / h)
    x = fold - w * scale if on_left else fold
    y = (height - h * scale) / 2
    move = (Transformation().translate(-float(trim.left), -float(trim.bottom))
            .scale(scale, scale).translate(x, y))
    out.merge_transformed_page(page, move)
