"""Layout options, typed: declared in layouts/options.yaml (those every layout takes) and in
each layout.yaml (its own, or narrower choices of a common one), resolved once per document.

An option is an ``enum`` (one of its choices), a ``length`` (``3mm``, ``0.125in``, between
its ``min`` and ``max``), a ``boolean`` (yes or no) or a ``text``. A document's values come,
each over the one before, from the layout's defaults, site.yaml's ``options:``, the bundle's
meta.yaml ``options:`` and the command line (``--page-size``, ``--option KEY=VALUE``). A bad
value is an error where it was written: at its line in site.yaml or meta.yaml, or a misuse
of the command (exit 2).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import Diagnostic, choices_hint

TYPES = ("enum", "length", "boolean", "text")
_UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(mm|cm|in|pt)\s*", re.I)
_YES, _NO = ("yes", "true", "on"), ("no", "false", "off")


@dataclass(frozen=True)
class OptionSpec:
    """One option a layout takes."""

    name: str
    default: str
    choices: tuple[str, ...] = ()
    description: str = ""
    kind: str = "enum"
    #: For a length: the shortest and longest allowed, in mm.
    min_mm: float | None = None
    max_mm: float | None = None
    #: Other names it answers to (the booklet's sheet: its page-size).
    aliases: tuple[str, ...] = ()

    def parse(self, value) -> str:
        """VALUE as this option's canonical text; ValueError saying what it takes."""
        if self.kind == "boolean":
            if isinstance(value, bool):
                return "yes" if value else "no"
            text = str(value).strip().lower()
            if text in _YES or text in _NO:
                return "yes" if text in _YES else "no"
            raise ValueError("yes or no")
        text = str(value).strip()
        if self.kind == "length":
            found = _LENGTH.fullmatch(text)
            if found is None:
                raise ValueError("a length, such as 3mm, 0.3cm or 0.125in")
            mm = round(float(found.group(1)) * _UNITS_MM[found.group(2).lower()], 3)
            if (self.min_mm is not None and mm < self.min_mm) or \
                    (self.max_mm is not None and mm > self.max_mm):
                raise ValueError(f"a length from {self.min_mm:g}mm to {self.max_mm:g}mm")
            return f"{mm:g}mm"
        if self.choices:
            match = next((c for c in self.choices if c.lower() == text.lower()), None)
            if match is None:
                raise ValueError("one of: " + ", ".join(self.choices))
            return match
        return text

    def takes(self) -> str:
        """What it takes, as `handbill layouts` lists it."""
        if self.kind == "boolean":
            return "yes | no"
        if self.kind == "length":
            return f"{self.min_mm:g}mm to {self.max_mm:g}mm"
        return " | ".join(self.choices)


def spec_from_yaml(name: str, spec: Mapping, base: OptionSpec | None = None) -> OptionSpec:
    """An option's declaration (a layout.yaml's may narrow BASE, the common one: its
    choices, its default); ValueError saying what is wrong."""
    kind = spec.get("type", base.kind if base else ("enum" if spec.get("choices") else "text"))
    if kind not in TYPES:
        raise ValueError(f"'type' must be one of: {', '.join(TYPES)}")
    if "default" not in spec and base is None:
        raise ValueError("needs a 'default'")
    choices = spec.get("choices", base.choices if base else ())
    if not isinstance(choices, (list, tuple)):
        raise ValueError("'choices' must be a list")
    aliases = spec.get("aliases", ())
    if not isinstance(aliases, (list, tuple)) or not all(isinstance(a, str) for a in aliases):
        raise ValueError("'aliases' must be a list of names")
    limits = []
    for key in ("min", "max"):
        given = spec.get(key)
        if given is None:
            limits.append(getattr(base, f"{key}_mm") if base else (0.0 if key == "min" else 1000.0))
            continue
        found = _LENGTH.fullmatch(str(given))
        if found is None:
            raise ValueError(f"'{key}' must be a length, such as 3mm")
        limits.append(float(found.group(1)) * _UNITS_MM[found.group(2).lower()])
    made = OptionSpec(name, "", tuple(str(c) for c in choices),
                      str(spec.get("description", base.description if base else "")), kind,
                      limits[0], limits[1], tuple(aliases) or (base.aliases if base else ()))
    default = spec.get("default", base.default if base else None)
    try:
        default = made.parse(default)
    except ValueError as error:
        if base is not None and "default" not in spec and made.choices:
            default = made.choices[0]  # narrowed choices: the first
        elif base is not None and "default" not in spec:  # a narrowed range: say which
            raise ValueError(f"the common default '{default}' is not {error}: give it a "
                             "'default' inside its range") from None
        else:
            raise ValueError(f"its default '{default}' is not {error}") from None
    return OptionSpec(name, default, made.choices, made.description, made.kind, made.min_mm,
                      made.max_mm, made.aliases)


@dataclass(frozen=True)
class Source:
    """Values of options from one place: site.yaml, meta.yaml or the command line."""

    #: "site", "meta" or "usage" (the command line): the check id of its errors.
    code: str
    values: tuple[tuple[str, object], ...]
    #: The file shown in messages, and each key's line (None for the command line).
    shown: str = "handbill"
    lines: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, code: str, values: Mapping, shown: str = "handbill",
           lines: Mapping | None = None) -> "Source":
        return cls(code, tuple(values.items()), shown, tuple((lines or {}).items()))


@dataclass(frozen=True)
class ResolvedOptions(Mapping):
    """A document's option values, typed; read as a mapping, each value is its canonical
    text (what templates compare: options['page-size'] == 'Letter')."""

    items_: tuple[tuple[str, str], ...] = ()
    kinds: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __getitem__(self, key: str) -> str:
        for name, value in self.items_:
            if name == key:
                return value
        raise KeyError(key)

    def __iter__(self):
        return (name for name, _ in self.items_)

    def __len__(self) -> int:
        return len(self.items_)

    def __hash__(self) -> int:
        return hash(self.items_)

    @property
    def page_size(self) -> str:
        return self.get("page-size", "A4")

    @property
    def bleed_mm(self) -> float:
        return float(self.get("bleed", "0mm")[:-2])

    @property
    def marks(self) -> str:
        return self.get("marks", "none")

    @property
    def colour(self) -> str:
        return self.get("colour", "rgb")

    @property
    def large_print(self) -> bool:
        return self.get("large-print", "no") == "yes"


def resolve(layout_name: str, specs: Mapping[str, OptionSpec], sources: list[Source],
            known_anywhere: set[str]) -> tuple[ResolvedOptions, list[Diagnostic]]:
    """SPECS' defaults with each of SOURCES over the one before. A key this layout does
    not take is a problem of the command line; in a file, only when no layout takes it
    (site.yaml's options serve every layout). Every bad value is a problem at its line."""
    aliases = {alias: name for name, spec in specs.items() for alias in spec.aliases}
    values = {name: spec.default for name, spec in specs.items()}
    problems: list[Diagnostic] = []
    for source in sources:
        lines = dict(source.lines)
        for key, value in source.values:
            key = str(key)
            name = key if key in specs else aliases.get(key)
            line = lines.get(key)
            if name is None:
                if source.code != "usage" and key in known_anywhere:
                    continue  # another layout's option
                what = f"layout '{layout_name}' has no option '{key}'" if source.code == "usage" \
                    else f"no layout has an option '{key}'"
                listed = sorted(specs) if source.code == "usage" else sorted(known_anywhere)
                problems.append(Diagnostic(
                    source.shown, line, what, code=source.code,
                    hint=choices_hint(key, listed, "its options" if source.code == "usage"
                                      else "the layouts' options") +
                    " ('handbill layouts' describes them)"))
                continue
            spec = specs[name]
            try:
                values[name] = spec.parse(value)
            except ValueError as takes:
                shown = "yes" if value is True else "no" if value is False else value
                hint = choices_hint(str(shown), spec.choices, f"layout '{layout_name}' takes "
                                    f"{name}") if spec.choices else None
                problems.append(Diagnostic(
                    source.shown, line, f"option {key}={shown} is not {takes}"
                    + (f" (layout '{layout_name}')" if not spec.choices else ""),
                    code=source.code, hint=hint))
    return ResolvedOptions(tuple(values.items()),
                           tuple((name, spec.kind) for name, spec in specs.items())), problems
