"""Printer's marks in the slug, outside the bleed: crop, registration and fold marks.

WeasyPrint draws CSS ``marks`` inside the bleed (each mark half the bleed long,
over the artwork that bleeds), so handbill draws its own, as print shops expect
them: each page's MediaBox grows by a slug around the BleedBox, and in the slug

- crop marks, :data:`LENGTH` long, :data:`OFFSET` (or the bleed, if larger) out
  from the trim, in line with its edges;
- registration marks (``cross``), a circle and a cross at the middle of each side;
- fold marks (a layout's ``folds:``), dashed, in line with each fold.

The marks are in registration colour (all four inks). The TrimBox stays the
page; the BleedBox is the trim plus the bleed; nothing is drawn inside the BleedBox.
"""

from __future__ import annotations

MM = 72 / 25.4
LENGTH = 5 * MM  # ISO 12647 and common practice: about 5 mm
OFFSET = 3 * MM  # from the trim, at least: never inside a 3 mm bleed
SLUG = 2 * MM  # beyond the marks' outer ends


def draw(pdf, marks: str, bleed_mm: float, folds: tuple[tuple[float, ...], ...] = ()) -> None:
    """Add MARKS ("crop", "cross", both or "none") to every page of the pydyf PDF (WeasyPrint's
    finisher hook), with fold marks at FOLDS (per page, cycling: mm from the trim's left)."""
    import pydyf

    kinds = set(marks.split()) - {"none"}
    if not kinds:
        return
    bleed = bleed_mm * MM
    gap = max(OFFSET, bleed)
    out = gap + LENGTH + SLUG
    kids = pdf.pages["Kids"][::3]
    for index, number in enumerate(kids):
        page = pdf.objects[number]
        left, bottom, right, top = (float(v) for v in page["MediaBox"])
        width, height = right - left - 2 * bleed, top - bottom - 2 * bleed
        x0, y0 = left + bleed, bottom + bleed  # the trim's lower left corner
        ops = ["/Artifact BMC", "1 1 1 1 K 0.25 w"]
        if "crop" in kinds:
            ops += _crop(x0, y0, width, height, gap)
        if "cross" in kinds:
            ops += _registration(x0, y0, width, height, gap)
        if folds:
            ops += _folds(x0, y0, height, gap, folds[index % len(folds)])
        before = pydyf.Stream(["q"])
        after = pydyf.Stream(["Q", *ops, "EMC"])
        pdf.add_object(before)
        pdf.add_object(after)
        contents = page["Contents"]
        page["Contents"] = pydyf.Array([before.reference, contents, after.reference])
        page["BleedBox"] = pydyf.Array([x0 - bleed, y0 - bleed, x0 + width + bleed,
                                        y0 + height + bleed])
        page["MediaBox"] = pydyf.Array([x0 - out, y0 - out, x0 + width + out, y0 + height + out])


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S"


def _crop(x0: float, y0: float, width: float, height: float, gap: float) -> list[str]:
    ops = []
    for x, sx in ((x0, -1), (x0 + width, 1)):
        for y, sy in ((y0, -1), (y0 + height, 1)):
            ops.append(_line(x + sx * gap, y, x + sx * (gap + LENGTH), y))  # in line with y
            ops.append(_line(x, y + sy * gap, x, y + sy * (gap + LENGTH)))  # in line with x
    return ops


def _registration(x0: float, y0: float, width: float, height: float, gap: float) -> list[str]:
    ops = []
    r, half = 1.2 * MM, LENGTH / 2
    middle = gap + half
    for cx, cy in ((x0 + width / 2, y0 - middle), (x0 + width / 2, y0 + height + middle),
                   (x0 - middle, y0 + height / 2), (x0 + width + middle, y0 + height / 2)):
        k = 0.5523 * r  # a circle from four Bézier curves
        ops.append(f"{cx + r:.3f} {cy:.3f} m "
                   f"{cx + r:.3f} {cy + k:.3f} {cx + k:.3f} {cy + r:.3f} {cx:.3f} {cy + r:.3f} c "
                   f"{cx - k:.3f} {cy + r:.3f} {cx - r:.3f} {cy + k:.3f} {cx - r:.3f} {cy:.3f} c "
                   f"{cx - r:.3f} {cy - k:.3f} {cx - k:.3f} {cy - r:.3f} {cx:.3f} {cy - r:.3f} c "
                   f"{cx + k:.3f} {cy - r:.3f} {cx + r:.3f} {cy - k:.3f} {cx + r:.3f} {cy:.3f} c S")
        ops.append(_line(cx - half, cy, cx + half, cy))
        ops.append(_line(cx, cy - half, cx, cy + half))
    return ops


def _folds(x0: float, y0: float, height: float, gap: float, at: tuple[float, ...]) -> list[str]:
    ops = ["[1.5 1] 0 d"]
    for mm in at:
        x = x0 + mm * MM
        ops.append(_line(x, y0 - gap, x, y0 - gap - LENGTH))
        ops.append(_line(x, y0 + height + gap, x, y0 + height + gap + LENGTH))
    ops.append("[] 0 d")
    return ops
