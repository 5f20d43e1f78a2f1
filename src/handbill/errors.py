"""Diagnostics a person can act on: ``path:line:col: severity: message [code]``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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

    def format(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.severity}: {self.message}"
        if self.code:
            text += f" [{self.code}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class HandbillError(Exception):
    """Base of every error handbill reports to the user without a traceback."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class ContentError(HandbillError):
    """The content, its metadata or its references are wrong."""


class LayoutError(HandbillError):
    """A layout is missing, or one of its templates does not render."""


class RenderError(HandbillError):
    """WeasyPrint could not produce a correct PDF from the rendered HTML."""


class UsageError(HandbillError):
    """The command was misused (exit code 2)."""

    exit_code = 2


def display_path(path: Path | str, root: Path | None = None) -> str:
    """A path as the user should read it: relative to the project when inside it."""
    path = Path(path)
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()
