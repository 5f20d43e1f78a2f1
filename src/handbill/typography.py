"""Chinese typesetting that CSS engines leave undone, applied to Markdown's text.

- A gap between Han characters and Latin letters or digits (W3C clreq 3.2.2
  asks for about a quarter em): a plain space, which the fonts size at about
  that and text extraction reads as a space.
- Punctuation compression: where two full-width punctuation marks meet, the
  blank half between them is taken out with the font's ``halt`` feature
  (clreq 3.1.6), as ``<span class="halt">``; the layout's CSS applies it.
"""

from __future__ import annotations

import html
import re

_HAN = (r"\u2e80-\u2eff\u2f00-\u2fdf\u3040-\u30ff\u3100-\u312f\u31c0-\u31ef"
        r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f")
_LATIN = r"A-Za-z0-9\u00c0-\u024f\u0370-\u03ff"
_GAP = re.compile(rf"(?<=[{_HAN}])(?=[{_LATIN}])|(?<=[{_LATIN}])(?=[{_HAN}])")

#: Full-width marks whose glyph sits in one half of the em box, blank in the other.
OPENING = "「『（《〈【〔〖“‘"
CLOSING = "」』）》〉】〕〗”’、。，．；：！？"
_PAIR = re.compile(f"([{re.escape(CLOSING + OPENING)}])(?=[{re.escape(CLOSING + OPENING)}])")


def autospace(text: str) -> str:
    """TEXT with a space between Han characters and Latin letters or digits."""
    return _GAP.sub(" ", text)


def compress_punctuation(text: str) -> str:
    """TEXT as escaped HTML, the first of two adjacent half-blank marks marked for ``halt``.

    A closing mark loses its blank right half; before an opening mark, the
    opening mark loses its blank left half instead when the first is opening too.
    """
    out = []
    last = 0
    for match in _PAIR.finditer(text):
        first = match.group(1)
        second = text[match.end()]
        if first in CLOSING:
            target = match.start()
        elif second in OPENING:
            target = match.end()
        else:
            continue
        out.append(html.escape(text[last:target], quote=False))
        out.append(f'<span class="halt">{html.escape(text[target], quote=False)}</span>')
        last = target + 1
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)
