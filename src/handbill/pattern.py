"""Filling a pattern a user wrote ("{year}年{month}月{day}日", ".../handouts/{bundle}").

``str.format`` would do it, and more: ``{bundle.__class__}`` reaches into
Python's objects, ``{0}`` and ``{name!r}`` are other mini-languages, and an
unknown name or a stray brace is a traceback. Here a pattern may name only
the placeholders its caller offers, each with an optional format spec of
digits and alignment (``{month:02}``); anything else is a ValueError whose
message says what is wrong, for the caller to locate.
"""

from __future__ import annotations

import re
import string

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPEC = re.compile(r"[<>^=]?[+ -]?0?\d*[,_]?(?:\.\d+)?[dsf]?")


def check(pattern: str, names: tuple[str, ...]) -> None:
    """Raise ValueError when PATTERN holds anything but NAMES as placeholders."""
    allowed = ", ".join(f"{{{n}}}" for n in names)
    try:
        fields = list(string.Formatter().parse(pattern))
    except ValueError:
        raise ValueError("a '{' or '}' that is not part of a placeholder (write {{ or }} for "
                         "a brace)") from None
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if not _NAME.fullmatch(name) or name not in names or conversion is not None:
            written = name + (f"!{conversion}" if conversion else "")
            raise ValueError(f"unknown placeholder {{{written}}} (it may hold {allowed})")
        if spec and not _SPEC.fullmatch(spec):
            raise ValueError(f"the placeholder {{{name}:{spec}}} has a format this pattern "
                             "cannot take (digits and alignment only, as in {month:02})")


def fill(pattern: str, values: dict[str, object]) -> str:
    """PATTERN with its placeholders filled from VALUES (checked first, see check)."""
    check(pattern, tuple(values))
    return pattern.format(**values)
