"""Diagnostics a person can act on: ``path:line:col: severity: message [code]``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

# Characters that could make a message say something it does not: line breaks and other
# controls (C0, C1), and the invisible format characters, bidirectional overrides
# among them (Unicode's Cc, Cf, Zl and Zp). A path or a quoted text shows them escaped.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    "\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """TEXT with every control and invisible format character escaped (``\\n``, ``\\x1b``,
    ``\\u202e``): one line, showing what it holds, forging nothing."""
    def escaped(match: re.Match) -> str:
        char = match.group()
        if char in _ESCAPES:
            return _ESCAPES[char]
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
            else f"\\U{code:08x}"

    return _UNPRINTABLE.sub(escaped, text)


@dataclass(frozen=True)
class Diagnostic:
    """One finding about the user's input, located in a file."""

    path: str
    line: int | None
    message: str
    severity: str = "error"
    column: int | None = None
    code: str | None = None
    hint: str | None = None

    def __post_init__(self):
        from .registry import CHECKS

        if self.code is not None and self.code not in CHECKS and self.code != "skipped":
            raise ValueError(f"a diagnostic with no check of that id: {self.code!r} "
                             "(handbill.registry lists them)")
        if self.severity not in ("error", "warning", "note"):
            raise ValueError(f"a diagnostic's severity is error, warning or note, "
                             f"not {self.severity!r}")

    def as_json(self) -> dict:
        """The finding for machines: one shape in ``check --format json`` and ``--report``
        (``handbill.registry.finding_schema``)."""
        return {"path": self.path, "line": self.line, "column": self.column,
                "severity": self.severity, "check": self.code, "message": self.message,
                "hint": self.hint}

    def format(self) -> str:
        """The finding as a person reads it: one line (and its hint's), nothing unescaped."""
        where = printable(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.severity}: {printable(self.message)}"
        if self.code:
            text += f" [{self.code}]"
        if self.hint:
            text += f"\n  hint: {printable(self.hint)}"
        return text


class HandbillError(Exception):
    """Base of every error handbill reports to the user without a traceback."""

    exit_code = 1
    #: The check id a diagnostic of this error gets when it names none.
    code = "content"

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = [d if d.code else replace(d, code=self.code) for d in diagnostics]
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class ContentError(HandbillError):
    """The content, its metadata or its references are wrong."""


class LayoutError(HandbillError):
    """A layout is missing, or one of its templates does not render."""

    code = "layout"


class RenderError(HandbillError):
    """WeasyPrint could not produce a correct PDF from the rendered HTML."""

    code = "render"


class OutputError(HandbillError):
    """An output (a PDF, the report, the manifest, a cache) could not be written."""

    code = "output"


class UsageError(HandbillError):
    """The command was misused (exit code 2)."""

    exit_code = 2
    code = "usage"


def plural(count: int, word: str, words: str | None = None) -> str:
    """COUNT and WORD as English says it: '1 output', '2 outputs', '1,024 pages'."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def did_you_mean(name: str, choices) -> str | None:
    """The choice nearest NAME (a misspelling of it), or None (difflib's measure)."""
    import difflib

    choices = [str(c) for c in choices]
    folded = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(str(name).lower(), list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def choices_hint(name: str, choices, what: str) -> str:
    """A hint for an unknown NAME: 'did you mean X? WHAT: a, b, c'."""
    choices = [str(c) for c in choices]
    near = did_you_mean(name, choices)
    listed = f"{what}: {', '.join(choices)}" if choices else f"there are no {what}"
    return f"did you mean '{near}'? {listed}" if near else listed


def display_path(path: Path | str, root: Path | None = None) -> str:
    """A path as the user should read it: relative to the project when inside it."""
    path = Path(path)
    for base in (root, Path.cwd()):
        if base is None:
            continue
        # As written first (a link inside the project is shown where it is, not where
        # it leads), then with links followed (a project reached through a link): those
        # are resolved only when the first way does not answer.
        mine, theirs = Path(os.path.abspath(path)), Path(os.path.abspath(base))
        if mine.is_relative_to(theirs):
            return mine.relative_to(theirs).as_posix()
        try:
            mine, theirs = path.resolve(), base.resolve()
        except (OSError, RuntimeError, ValueError):  # a loop of links, a NUL: as written
            continue
        if mine.is_relative_to(theirs):
            return mine.relative_to(theirs).as_posix()
    return path.as_posix()
