"""The only changes handbill makes to an author's characters, before anything prints.

- NFC: a letter written as a base and a combining mark (u + U+0308) becomes its
  precomposed form (ü), the one character that readers, fonts, search and copy
  and paste expect. Nothing is folded further (no NFKC: ㎎ stays ㎎, ① stays ①).
- Variation selectors (U+FE00-FE0F, U+E0100-E01EF) are taken out: they ask for a
  form (an emoji's colour presentation, a glyph variant) that the bundled fonts do
  not have, and a font looked up for them alone would be a system font. What
  prints is the character's plain form, which is what copying the text gives too.
"""

from __future__ import annotations

import re
import unicodedata

_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def printed_form(text: str) -> str:
    """TEXT as handbill prints it (see the module's doc)."""
    if text.isascii():
        return text
    return _SELECTORS.sub("", unicodedata.normalize("NFC", text))
