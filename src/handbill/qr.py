"""QR codes drawn as vector SVG by segno: made here, never fetched."""

from __future__ import annotations

from markupsafe import Markup


def qr_svg(url: str, colour: str = "#000000") -> Markup:
    """An inline SVG QR code for URL that scales to its box (a viewBox, no fixed size)."""
    import segno

    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=1, border=4, dark=colour, omitsize=True,
                                  title=url, svgclass="qr-code"))
