"""The languages handbill can set: one row of data a language (``layouts/languages.yaml``).

Nothing else in handbill names a language. What differs between languages (the
font chain, the CSL locale, how sentences end, the Han typographic rules,
hyphenation, which checks of the writing read it) is a field of its
:class:`LanguageProfile`, read from the table: the built-in one, with a project's
own ``layouts/languages.yaml`` merged over it row by row and key by key. Adding a
language is adding a row.

What a *bundle* prints is another matter: its meta.yaml's ``languages:``, else
site.yaml's ``languages:``, else :data:`DEFAULT_COUNT` first rows of the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .errors import Diagnostic, LayoutError, choices_hint, display_path
from .yamlfile import Located, load_yaml

LANGUAGES_FILE = "languages.yaml"
#: A bundle that names no languages, in a project whose site.yaml names none, prints
#: the table's first rows (English and Simplified Chinese).
DEFAULT_COUNT = 2
_KEYS = ("name", "script", "fonts", "csl-locale", "foreign-terms", "sentences", "typography",
         "checks", "placeholder-title", "convert-from", "conversion")
_TYPOGRAPHY_KEYS = ("rules", "hyphenation", "line-height")
_SENTENCES = ("latin", "han")
_RULES = ("latin", "han")
#: The checks of the writing a row may name (handbill.registry has them all).
_LANGUAGE_CHECKS = ("readability-en", "sentence-length-zh", "zh-punctuation")


@dataclass(frozen=True)
class Typography:
    """How a language is set."""

    #: "han": the Han-Latin gap, punctuation compression, Latin runs in the Latin font,
    #: a paragraph's tail kept together (handbill.typography); "latin": none of these.
    rules: str = "latin"
    #: The hyphenation patterns' language (WeasyPrint's -weasy-lang), or None: never.
    hyphenation: str | None = None
    line_height: float = 1.45

    @property
    def han(self) -> bool:
        return self.rules == "han"


@dataclass(frozen=True)
class LanguageProfile:
    """One row of the languages table."""

    tag: str
    name: str
    script: str
    fonts: tuple[str, ...]
    csl_locale: str
    foreign_terms: str
    sentences: str = "latin"
    typography: Typography = field(default_factory=Typography)
    checks: tuple[str, ...] = ()
    placeholder_title: str = ""
    #: A language whose text, when the bundle has none of its own, is converted from
    #: another's (Traditional Chinese from zh-Hans.md): that language's tag, and the
    #: conversion (an OpenCC variant of handbill.conversion: zh-Hant, zh-Hant-HK).
    convert_from: str | None = None
    conversion: str | None = None
    #: Where the row is written (the last file that set one of its keys), and its line.
    path: Path | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def body_file(self) -> str:
        return f"{self.tag}.md"

    @property
    def short_file(self) -> str:
        return f"{self.tag}.short.md"

    def writes(self, language: str | None) -> bool:
        """Whether a work written in LANGUAGE (a reference's CSL ``language``: en, zh-CN)
        is in this language: the same primary subtag as this row's CSL locale."""
        primary = (language or "en").split("-")[0].lower()
        return primary == self.csl_locale.split("-")[0].lower()


@dataclass(frozen=True)
class LanguageTable:
    """Every language the project can set, in the table's order."""

    rows: Mapping[str, LanguageProfile]

    def __contains__(self, tag: str) -> bool:
        return tag in self.rows

    def __getitem__(self, tag: str) -> LanguageProfile:
        return self.rows[tag]

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.rows)

    def default_languages(self) -> tuple[str, ...]:
        return self.tags[:DEFAULT_COUNT]

    def shown_tags(self) -> str:
        return ", ".join(self.tags)

    def unknown(self, path: str, line: int | None, tag: str, where: str,
                code: str = "meta") -> Diagnostic:
        """The error for TAG, which is no row: the tags there are, and the nearest."""
        return Diagnostic(path, line, f"unknown language '{tag}' {where}", code=code,
                          hint=choices_hint(tag, self.tags, "languages") +
                          f" (a project adds one in layouts/{LANGUAGES_FILE})")

    def for_reference(self, language: str | None, document: tuple[str, ...]) -> str:
        """The tag among DOCUMENT's languages a reference written in LANGUAGE is in (for
        its lang attribute): the first whose CSL locale shares its primary subtag, else
        the first language of the document that writes English, else the first."""
        for tag in document:
            if self.rows[tag].writes(language):
                return tag
        for tag in document:
            if self.rows[tag].writes("en"):
                return tag
        return document[0]


def load_languages(root: Path) -> LanguageTable:
    """The languages table: built-in, with a project's layouts/languages.yaml merged over it.
    Every problem is a LayoutError at its line."""
    from .layouts import search_path
    from .places import builtin_layouts_dir

    bases = search_path(root) if root is not None else [builtin_layouts_dir()]
    root = root if root is not None else builtin_layouts_dir()
    files = [base / LANGUAGES_FILE for base in reversed(bases)]
    return _load(root, tuple((path, _stamp(path)) for path in files
                             if path.exists() or path.is_symlink()))


def _stamp(path: Path) -> tuple:
    from .layouts import _stamp as stamp

    return stamp(path)


@lru_cache(maxsize=16)
def _load(root: Path, files: tuple) -> LanguageTable:
    merged: dict[str, dict] = {}
    where: dict[str, tuple[Path, int]] = {}
    lines: dict[tuple[str, str], tuple[Path, int]] = {}
    problems: list[Diagnostic] = []
    for path, _stamp_ in files:
        data = load_yaml(path, root)
        shown = display_path(path, root)
        if data is None:
            continue
        if not isinstance(data, Located):
            raise LayoutError(Diagnostic(shown, getattr(data, "line", 1), f"{LANGUAGES_FILE} "
                                         "maps each language's tag to its row", code="layout"))
        for tag, row in data.items():
            if not isinstance(row, Located):
                problems.append(Diagnostic(shown, data.line_of(tag), f"language '{tag}' must "
                                           "map its fields (name, script, fonts, ...)",
                                           code="layout"))
                continue
            target = merged.setdefault(str(tag), {})
            where[str(tag)] = (path, data.line_of(tag))
            for key, value in row.items():
                if key not in _KEYS:
                    problems.append(Diagnostic(shown, row.line_of(key), f"'{tag}.{key}': no such "
                                               "field", code="layout",
                                               hint=choices_hint(key, _KEYS, "a row's fields")))
                    continue
                if key == "typography" and isinstance(value, Located):
                    into = target.setdefault("typography", {})
                    for inner, v in value.items():
                        into[inner] = v
                        lines[(tag, f"typography.{inner}")] = (path, value.line_of(inner))
                    lines[(tag, key)] = (path, row.line_of(key))
                    continue
                target[key] = value
                lines[(tag, key)] = (path, row.line_of(key))
    rows = {}
    for tag, row in merged.items():
        profile = _profile(tag, row, where[tag], lines, root, problems)
        if profile is not None:
            rows[tag] = profile
    if problems:
        raise LayoutError(problems)
    return LanguageTable(MappingProxyType(rows))


def _profile(tag: str, row: dict, where: tuple[Path, int], lines: dict, root: Path,
             problems: list[Diagnostic]) -> LanguageProfile | None:
    """ROW, checked field by field; None (and PROBLEMS) when it is not right."""
    before = len(problems)

    def wrong(key: str, message: str) -> None:
        path, line = lines.get((tag, key), where)
        problems.append(Diagnostic(display_path(path, root), line, f"'{tag}.{key}' {message}",
                                   code="layout"))

    def text(key: str, required: bool = True) -> str | None:
        value = row.get(key)
        if value is None:
            if required:
                path, line = where
                problems.append(Diagnostic(display_path(path, root), line, f"language '{tag}' "
                                           f"needs '{key}'", code="layout"))
            return None
        if not isinstance(value, str) or not value.strip():
            wrong(key, "must be a text")
            return None
        return value.strip()

    if not tag or any(c.isspace() or c in "/\\.:" for c in tag):
        path, line = where
        problems.append(Diagnostic(display_path(path, root), line, f"'{tag}' is not a language "
                                   "tag (letters, digits and '-', as BCP 47 writes them: es, "
                                   "zh-Hant)", code="layout"))
    name, script, locale = text("name"), text("script"), text("csl-locale")
    foreign = text("foreign-terms", required=False) or locale
    fonts = row.get("fonts")
    if isinstance(fonts, str):
        fonts = [fonts]
    if not isinstance(fonts, list) or not fonts or not all(isinstance(f, str) for f in fonts):
        wrong("fonts", "must list font family names, in fallback order")
        fonts = []
    sentences = row.get("sentences", "latin")
    if sentences not in _SENTENCES:
        wrong("sentences", f"must be one of: {', '.join(_SENTENCES)}")
    given = row.get("typography") or {}
    if not isinstance(given, dict):
        wrong("typography", "must map rules, hyphenation and line-height")
        given = {}
    for key in given:
        if key not in _TYPOGRAPHY_KEYS:
            wrong(f"typography.{key}", "is no typographic field (" +
                  choices_hint(key, _TYPOGRAPHY_KEYS, "they are") + ")")
    rules = given.get("rules", "latin")
    if rules not in _RULES:
        wrong("typography.rules", f"must be one of: {', '.join(_RULES)}")
    hyphenation = given.get("hyphenation")
    if hyphenation is not None and not isinstance(hyphenation, str):
        wrong("typography.hyphenation", "must be a language tag for the hyphenation patterns, "
                                        "or null")
    height = given.get("line-height", 1.45)
    if not isinstance(height, (int, float)) or isinstance(height, bool) or not 0.8 <= height <= 3:
        wrong("typography.line-height", "must be a number from 0.8 to 3")
        height = 1.45
    checks = row.get("checks", [])
    if not isinstance(checks, list) or not all(c in _LANGUAGE_CHECKS for c in checks):
        wrong("checks", f"must list some of: {', '.join(_LANGUAGE_CHECKS)}")
        checks = []
    placeholder = row.get("placeholder-title", "")
    if not isinstance(placeholder, str):
        wrong("placeholder-title", "must be a text")
    source, conversion = row.get("convert-from"), row.get("conversion")
    if (source is None) != (conversion is None):
        wrong("convert-from" if source is None else "conversion",
              "is needed: a converted language names both 'convert-from' (the tag its text "
              "comes from) and 'conversion' (zh-Hant, zh-Hant-TW or zh-Hant-HK)")
    elif source is not None:
        from .conversion import ConversionError, canonical_variant

        if not isinstance(source, str) or source == tag:
            wrong("convert-from", "must name another language of the table")
        try:
            conversion = canonical_variant(str(conversion))
        except ConversionError as error:
            wrong("conversion", f"is not a conversion handbill makes: {error}")
    if len(problems) > before:
        return None
    return LanguageProfile(tag, name, script, tuple(fonts), locale, foreign, sentences,
                           Typography(rules, hyphenation, float(height)), tuple(checks),
                           placeholder or "", source, conversion, where[0], where[1])


def font_line(table: LanguageTable, tag: str, root: Path) -> tuple[str, int | None]:
    """Where TAG's font chain is written, for an error about one of its families."""
    profile = table[tag]
    return (display_path(profile.path, root) if profile.path else LANGUAGES_FILE), profile.line
