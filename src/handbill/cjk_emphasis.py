"""Emphasis beside full-width punctuation in Chinese: ``**“空腹”**是指`` is bold.

CommonMark decides whether ``**`` opens or closes emphasis from the characters on
either side (its flanking rules), as written for languages that put spaces
between words. A closing ``**`` after a punctuation mark and before a letter does
not close: ``**“空腹”**是指`` prints its asterisks, and so does ``定于**3 月 4
日**``'s kind when a mark or a placeholder's brace stands inside. Translators
write these all the time. The rule here is the CJK-friendly amendment drafted
for CommonMark (github.com/tats-u/markdown-cjk-friendly), as the
mdit-py-cjk-friendly plugin implements it for markdown-it-py 3 (that package
requires markdown-it-py < 4, which handbill is past): beside a CJK character, a
delimiter is judged with the CJK character counted as punctuation where that
lets emphasis form, and as a letter where punctuation would stop it. Where no
CJK character is beside the delimiter the result is CommonMark's own, which
tests/test_typesetting.py compares with markdown-it's output.

markdown-it-py has no hook for the flanking rules, so this wraps one method,
``StateInline.scanDelims``, in this one place, for the parsers that ask
(:func:`cjk_emphasis`); every other parser keeps markdown-it's behaviour.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import StateInline

_CJK = re.compile("[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
                  "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f"
                  "\uff00-\uffef\U00020000-\U0003134f]")
_FLAG = "_handbill_cjk_emphasis"
_original = StateInline.scanDelims


def _cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def _punct(char: str) -> bool:
    return isMdAsciiPunct(ord(char)) or isPunctChar(char)


def _scan(self: StateInline, start: int, can_split_word: bool):
    scanned = _original(self, start, can_split_word)
    if not getattr(self.md, _FLAG, False) or (scanned.can_open and scanned.can_close):
        return scanned
    marker, end = self.src[start], start
    while end < self.posMax and self.src[end] == marker:
        end += 1
    before = self.src[start - 1] if start > 0 else " "
    after = self.src[end] if end < self.posMax else " "
    if not (_cjk(before) or _cjk(after)):
        return scanned  # CommonMark's own answer
    # A CJK character stops nothing (not punctuation where punctuation would block) and
    # allows what punctuation allows.
    before_blocks, after_blocks = _punct(before) and not _cjk(before), _punct(after) and not _cjk(after)
    before_allows, after_allows = _cjk(before) or _punct(before), _cjk(after) or _punct(after)
    before_space, after_space = isWhiteSpace(ord(before)), isWhiteSpace(ord(after))
    left = not after_space and (not after_blocks or before_space or before_allows)
    right = not before_space and (not before_blocks or after_space or after_allows)
    if can_split_word:
        can_open, can_close = left, right
    else:  # underscores: not inside a word
        can_open = left and (not right or before_allows)
        can_close = right and (not left or after_allows)
    return type(scanned)(can_open, can_close, scanned.length)


StateInline.scanDelims = _scan  # type: ignore[method-assign]


def cjk_emphasis(md: MarkdownIt) -> None:
    """A markdown-it plugin: this parser's emphasis follows the CJK-friendly rule."""
    setattr(md, _FLAG, True)
