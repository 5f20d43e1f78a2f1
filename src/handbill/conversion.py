"""Simplified Chinese to Traditional, by OpenCC, of a Markdown body's prose only.

A zh-Hant text can be made from zh-Hans.md: OpenCC's ``s2twp`` (Taiwan standard,
with Taiwan's phrases: 软件 → 軟體, 信息 → 資訊) for ``zh-Hant`` and ``zh-Hant-TW``,
``s2hk`` (Hong Kong's character forms, no phrase changes) for ``zh-Hant-HK``.
A machine conversion is a draft: :class:`Conversion` lists every change it made,
with its line and column, so that a reviewer can read them.

What is converted is the prose, as markdown-it parses it: never a code span or
block, a link's or an image's destination (an image's alt text is prose), a
reference definition, an autolink or a bare URL, an HTML tag, a citation key
(``[@smith2020, 第 3 页]``: the key is kept, the locator converted), a
``{{ placeholder }}``, or YAML front matter. The text keeps its lines: line N of
the result is line N of zh-Hans.md converted, so ``file:line`` locations map back.

How: every piece that must stay is swapped for a private-use character (which
OpenCC passes through, and across which no phrase matches), the whole text is
converted in one call, and the pieces are put back in order. The exceptions
(:mod:`handbill.conversions`) are protected the same way, and their own forms
put back, so that they win over OpenCC's phrases, even a longer phrase that
overlaps them (他汀 kept in 他汀类药物, which s2twp makes 史他汀類藥物).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .conversions import Exceptions

#: The Traditional variants, by BCP 47 tag (matched without regard to case), and the
#: OpenCC configuration each one uses.
VARIANTS = {"zh-Hant": "s2twp", "zh-Hant-TW": "s2twp", "zh-Hant-HK": "s2hk"}
#: What each configuration does, for the report.
CONFIG_NAMES = {"s2twp": "Taiwan standard, with Taiwan phrases",
                "s2hk": "Hong Kong standard characters"}


class ConversionError(ValueError):
    """A variant no conversion exists for, or OpenCC gave back a text of other lines."""


@dataclass(frozen=True)
class Change:
    """One run of the source that the conversion changed (or an exception kept)."""

    line: int  # 1-based, in the source (the same line of the result)
    column: int  # 1-based, in characters, in the source line
    before: str
    after: str
    by: str  # "opencc", "replace" (an exception's form) or "keep" (an exception kept as is)


@dataclass(frozen=True)
class Conversion:
    """A converted text and what the conversion did to it."""

    text: str
    variant: str  # the canonical tag: zh-Hant, zh-Hant-TW or zh-Hant-HK
    config: str  # the OpenCC configuration: s2twp or s2hk
    changes: tuple[Change, ...]
    #: Lines left as they were because their Markdown could not be mapped back to the
    #: source (a reviewer must convert them by hand); empty for any ordinary text.
    unconverted: tuple[int, ...] = ()

    def notice(self, source: str = "zh-Hans.md") -> str:
        """The sentence the report and ``check`` give: where the text came from."""
        changed = sum(1 for c in self.changes if c.by != "keep")
        return (f"converted from {source} by OpenCC {self.config} "
                f"({CONFIG_NAMES[self.config]}), {changed} change"
                f"{'' if changed == 1 else 's'}: a reviewer must read it")


def canonical_variant(variant: str) -> str:
    """VARIANT's tag as VARIANTS spells it; a ConversionError for any other."""
    for tag in VARIANTS:
        if tag.lower() == variant.strip().lower():
            return tag
    raise ConversionError(f"no conversion to '{variant}': the variants are "
                          f"{', '.join(VARIANTS)}")


@lru_cache(maxsize=4)
def _converter(config: str):
    import opencc

    # The dictionaries OpenCC marks as risking tofu (characters fonts may lack) serve
    # the Traditional-to-Simplified configurations only; left out all the same.
    return opencc.OpenCC(config, include_tofu_risk_dictionaries=False)


def opencc_version() -> str:
    import opencc

    return opencc.__version__


# --- the pieces that stay, and the conversion around them ----------------------------

#: Where a line holds a protected piece: (start, end) in characters, end excluded.
Spans = dict[int, list[tuple[int, int]]]

#: A URL written in the prose (CommonMark does not link it; handbill prints it as text):
#: up to a space, or a full-width character of punctuation.
_BARE_URL = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.)[^\s\u3000-\u303f\uff01-\uff0f"
                       r"\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65<>]+")
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}", re.S)


def _placeholder_char(text: str) -> str:
    """A private-use character TEXT does not hold: OpenCC leaves it as it is."""
    for code in range(0xF0000, 0x10FFFE):
        if chr(code) not in text:
            return chr(code)
    raise ConversionError("the text uses every private-use character")  # pragma: no cover


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _prose_spans(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Protected spans of LINE, with the bare URLs, placeholders and control characters
    of its prose added (OpenCC stops at a NUL)."""
    found = list(spans)
    for pattern in (_BARE_URL, _PLACEHOLDER):
        found += [m.span() for m in pattern.finditer(line)]
    found += [(i, i + 1) for i, c in enumerate(line)
              if unicodedata.category(c) == "Cc" and c != "\t"]
    return _merged(found)


def _exception_pattern(forms: dict[str, str]) -> re.Pattern | None:
    if not forms:
        return None
    # Longest first: at each place the longest term wins (regex tries them in order).
    return re.compile("|".join(re.escape(t) for t in sorted(forms, key=lambda t: (-len(t), t))))


@dataclass
class _Piece:
    line: int  # 0-based
    start: int  # in the source line
    text: str
    kind: str  # "prose", "kept" (protected), "keep" or "replace" (exceptions)
    output: str = ""


def _pieces(lines: list[str], spans: Spans, forms: dict[str, str]) -> list[list[_Piece]]:
    """Each line cut into prose and what stays (protected, or an exception)."""
    pattern = _exception_pattern(forms)
    out = []
    for number, line in enumerate(lines):
        pieces: list[_Piece] = []
        cursor = 0

        def prose(start: int, end: int) -> None:
            at = start
            for match in (pattern.finditer(line, start, end) if pattern else ()):
                if match.start() > at:
                    pieces.append(_Piece(number, at, line[at:match.start()], "prose"))
                term = match.group()
                kind = "keep" if forms[term] == term else "replace"
                pieces.append(_Piece(number, match.start(), term, kind, forms[term]))
                at = match.end()
            if end > at:
                pieces.append(_Piece(number, at, line[at:end], "prose"))

        for start, end in _prose_spans(line, spans.get(number, [])):
            prose(cursor, start)
            pieces.append(_Piece(number, start, line[start:end], "kept", line[start:end]))
            cursor = end
        prose(cursor, len(line))
        out.append(pieces)
    return out


def _convert_lines(lines: list[str], spans: Spans, variant: str,
                   exceptions: Exceptions | None) -> tuple[list[str], tuple[Change, ...]]:
    tag = canonical_variant(variant)
    config = VARIANTS[tag]
    forms = (exceptions or Exceptions()).forms(tag)
    all_pieces = _pieces(lines, spans, forms)
    mark = _placeholder_char("\n".join(lines) + "".join(forms.values()))
    encoded = "\n".join("".join(p.text if p.kind == "prose" else mark for p in pieces)
                        for pieces in all_pieces)
    converted = _converter(config).convert(encoded).split("\n")
    if len(converted) != len(lines):
        raise ConversionError(f"OpenCC gave back {len(converted)} lines for {len(lines)}")
    result, changes = [], []
    for pieces, line in zip(all_pieces, converted):
        # Prose is cut only at a mark, so each segment between two marks is one prose
        # piece's output, or empty (two marks side by side).
        segments = line.split(mark)
        if len(segments) != 1 + sum(p.kind != "prose" for p in pieces):
            raise ConversionError("OpenCC lost or added a protected piece of the text")
        segment, taken = 0, set()
        for piece in pieces:
            if piece.kind == "prose":
                piece.output = segments[segment]
                taken.add(segment)
            else:
                segment += 1
        if any(segments[i] for i in range(len(segments)) if i not in taken):
            raise ConversionError("OpenCC wrote text where there was none")
        for piece in pieces:
            if piece.kind in ("keep", "replace"):
                changes.append(Change(piece.line + 1, piece.start + 1, piece.text,
                                      piece.output, piece.kind))
            elif piece.kind == "prose" and piece.output != piece.text:
                changes += _diff(piece)
        result.append("".join(piece.output for piece in pieces))
    return result, tuple(changes)


def _diff(piece: _Piece) -> list[Change]:
    """The runs of PIECE that OpenCC changed, each at its column."""
    matcher = difflib.SequenceMatcher(None, piece.text, piece.output, autojunk=False)
    return [Change(piece.line + 1, piece.start + i1 + 1, piece.text[i1:i2], piece.output[j1:j2],
                   "opencc")
            for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


_LINE_END = re.compile(r"\r\n|\r|\n")


def _split_lines(text: str) -> tuple[list[str], list[str]]:
    """TEXT's lines and the line ends after each (as markdown-it counts lines)."""
    lines, ends, at = [], [], 0
    for match in _LINE_END.finditer(text):
        lines.append(text[at:match.start()])
        ends.append(match.group())
        at = match.end()
    lines.append(text[at:])
    ends.append("")
    return lines, ends


def _conversion(text: str, spans: Spans, variant: str, exceptions: Exceptions | None,
                unconverted: tuple[int, ...] = ()) -> Conversion:
    lines, ends = _split_lines(text)
    for number in unconverted:  # left as written: the whole line protected
        spans[number - 1] = [(0, len(lines[number - 1]))]
    converted, changes = _convert_lines(lines, spans, variant, exceptions)
    tag = canonical_variant(variant)
    return Conversion("".join(line + end for line, end in zip(converted, ends)), tag,
                      VARIANTS[tag], changes, unconverted)


def convert_text(text: str, variant: str = "zh-Hant",
                 exceptions: Exceptions | None = None) -> Conversion:
    """A plain text converted (a title, a subtitle, an alt text from meta.yaml): all of it
    prose, but its URLs, ``{{ placeholders }}`` and the exceptions."""
    return _conversion(text, {}, variant, exceptions)


def convert_markdown(text: str, variant: str = "zh-Hant",
                     exceptions: Exceptions | None = None) -> Conversion:
    """A Markdown body converted, its prose only (see the module's notes), line for line."""
    from .mdspans import protected_spans

    lines, _ = _split_lines(text)
    spans, unmapped = protected_spans("\n".join(lines))
    return _conversion(text, spans, variant, exceptions, unmapped)
