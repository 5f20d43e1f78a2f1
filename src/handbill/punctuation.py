"""Half-width punctuation in Chinese text, found and (when asked) made full-width.

Chinese text takes full-width marks: ``，`` not ``,``, ``（ ）`` not ``( )``.
Translators who switch input methods leave half-width ones behind; they print
narrow and sit low, and the sentence reads as if it were pasted from English.

A mark counts when it touches a Han character: ``, ; : ? !`` with a Han
character on either side (``8:00`` and ``3,5`` are left alone), and a pair of
round brackets when either bracket touches a Han character or what they hold has
one. Code spans, links' addresses, raw HTML, citations (``[@key, p. 3]``), web
addresses and fenced code are never looked at. :func:`fix` makes exactly the
changes :func:`find` reports, and nothing else.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_HAN = (r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
        r"\u3000-\u303f\uff00-\uffef")
_IS_HAN = re.compile(f"[{_HAN}]")
#: What is never text to look at: code spans, link addresses, HTML tags, citations,
#: web and mail addresses.
_MASK = re.compile(r"`+[^`]*`+|\]\([^)]*\)|<[^>\n]*>|\[@[^\]\n]*\]|@[\w:.#$%&+?<>~/-]+"
                   r"|(?:https?://|www\.|mailto:|tel:)\S+|\S+@\S+\.\w+|&#?\w+;|!\[")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:")


@dataclass(frozen=True)
class Mark:
    """A half-width mark at 1-based LINE and COLUMN of a source, and its full-width form."""

    line: int
    column: int
    offset: int
    mark: str
    #: The offset of the other bracket of a pair: both are fixed, or neither.
    partner: int | None = None

    @property
    def replacement(self) -> str:
        return FULL_WIDTH[self.mark]


def _han(char: str) -> bool:
    return bool(char) and bool(_IS_HAN.match(char))


def find(source: str) -> list[Mark]:
    """Every half-width mark of SOURCE (a Chinese body) that should be full-width."""
    found: list[Mark] = []
    offset, fenced = 0, None
    for number, line in enumerate(source.split("\n"), 1):
        fence = _FENCE.match(line)
        if fenced is not None:
            if fence and fence.group(1) == fenced:
                fenced = None
        elif fence:
            fenced = fence.group(1)
        elif not _DEFINITION.match(line):
            columns = _marks(line)
            found += [Mark(number, col + 1, offset + col, line[col],
                           None if other is None else offset + other)
                      for col, other in columns]
        offset += len(line) + 1
    return found


def _marks(line: str) -> list[tuple[int, int | None]]:
    """(column, its partner's column for a bracket) of each mark on LINE."""
    text = _MASK.sub(lambda m: "\0" * len(m.group()), line)
    columns: list[tuple[int, int | None]] = []
    opened: list[int] = []
    for col, char in enumerate(text):
        before = text[col - 1] if col else ""
        after = text[col + 1] if col + 1 < len(text) else ""
        if char in ",;:?!":
            if _han(before) or _han(after):
                columns.append((col, None))
        elif char == "(":
            opened.append(col)
        elif char == ")" and opened:
            start = opened.pop()
            inside = text[start + 1:col]
            outside = (text[start - 1] if start else "", after)
            if (_han(outside[0]) or _han(outside[1]) or _han(text[start + 1:start + 2])
                    or _han(before) or any(_han(c) for c in inside)):
                columns += [(start, col), (col, start)]
    return sorted(columns)


def fix(source: str) -> tuple[str, list[Mark]]:
    """SOURCE with the marks :func:`find` reports made full-width, and those marks: each
    only if the document still parses to the same thing (the same blocks, links, images,
    code and HTML, the text different only in those marks). A mark in code, an
    image's alt text, an entity or a link label is thereby left as it is."""
    marks = find(source)
    if not marks:
        return source, []
    reference = _shape(source)
    fixed = _apply(source, marks)
    if _shape(fixed) == reference:
        return fixed, marks
    kept: list[Mark] = []
    by_line: dict[int, list[Mark]] = {}
    for mark in marks:
        by_line.setdefault(mark.line, []).append(mark)
    at = {mark.offset: mark for mark in marks}
    for line_marks in by_line.values():  # a line's marks together, else one by one
        singles = []
        for mark in line_marks:  # a bracket goes with its partner
            if mark.partner is None or mark.offset < mark.partner:
                singles.append([mark] + ([at[mark.partner]] if mark.partner in at else []))
        for trial in [line_marks] + (singles if len(singles) > 1 else []):
            if _shape(_apply(source, kept + trial)) == reference:
                kept += trial
                if trial is line_marks:
                    break
    return _apply(source, kept), sorted(kept, key=lambda m: m.offset)


def _apply(source: str, marks: list[Mark]) -> str:
    chars = list(source)
    for mark in marks:
        chars[mark.offset] = mark.replacement
    return "".join(chars)


_HALF = str.maketrans({full: half for half, full in FULL_WIDTH.items()})


def _shape(source: str) -> list:
    """What SOURCE means to handbill's Markdown parser, with full-width marks read as
    half-width: two sources with the same shape differ only in such marks, in text."""
    from .markdown import make_parser

    env: dict = {}
    tokens = make_parser(html=True).parse(source, env)  # raw HTML compared as written
    out: list = [sorted((k, str(v)) for k, v in (env.get("references") or {}).items())]

    def flatten(tokens) -> None:
        for token in tokens:
            text = token.content.translate(_HALF) if token.type == "text" else (
                None if token.type == "inline" else token.content)
            out.append((token.type, token.tag, sorted((token.attrs or {}).items()),
                        text, token.info, token.markup))
            if token.children:
                flatten(token.children)

    flatten(tokens)
    return out


def fix_files(findings, project: Path) -> tuple[list[tuple[str, int]], list]:
    """Fix the files that FINDINGS (of ``check``) name for zh-punctuation, in place.

    Each is rewritten whole through a temporary file (its mode kept), and only if it
    still resolves inside PROJECT as a regular file the user may write. Returns (shown
    path, marks fixed) for each file fixed, and an error for each that could not be.
    """
    from .errors import Diagnostic
    from .writing import write_atomic

    done, problems = [], []
    root = project.resolve()
    for shown in dict.fromkeys(f.path for f in findings if f.code == "zh-punctuation"):
        path = (project / shown).resolve()
        if root not in path.parents or not path.is_file():
            continue
        if not os.access(path, os.W_OK):
            problems.append(Diagnostic(shown, None, "not fixed: the file is read-only",
                                       code="output", hint="make it writable, or fix it by hand"))
            continue
        try:
            source = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Diagnostic(shown, None, "not fixed: the file is not UTF-8",
                                       code="output", hint="save it as UTF-8, then run "
                                                           "check --fix again"))
            continue
        fixed, marks = fix(source)
        if not marks:
            continue
        try:
            mode = path.stat().st_mode & 0o777
            write_atomic(path, fixed.encode("utf-8"))
            os.chmod(path, mode)
        except OSError as error:
            problems.append(Diagnostic(shown, None, f"not fixed: {error.strerror or error}",
                                       code="output"))
            continue
        done.append((shown, len(marks)))
    return done, problems
