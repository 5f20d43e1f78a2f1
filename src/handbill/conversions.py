"""``conversions.yaml``: the terms the Simplified-to-Traditional conversion must leave
alone, or write another way (a drug's name, the clinic's own name).

One at the project's top level applies to every bundle; one in a bundle's folder
adds to it (its ``replace`` of a term wins over the project's)::

    # conversions.yaml
    keep:                       # written exactly as they are, in every variant
      - 二甲双胍                 # (Simplified characters too: use replace for a Traditional form)
      - 他汀                     # not s2twp's 史他汀
    replace:                    # this term is written this way, whatever OpenCC says
      海港社区诊所: 海港社區診所   # not s2twp's 海港社群診所
    zh-Hant-HK:                 # for one variant only, on top of the above
      replace:                  # (zh-Hant-TW is the other; zh-Hant is Taiwan's)
        阿司匹林: 阿士匹靈

Every key is one of ``keep``, ``replace``, ``zh-Hant-TW`` and ``zh-Hant-HK`` (a
variant holds ``keep`` and ``replace`` only); a term is a non-empty string of one
line. What is wrong is an error at its ``file:line``, every one in one run.

A term wins over OpenCC's phrases, the longer ones that overlap it included:
see :mod:`handbill.conversion`. At one place the longest term wins. A term is
matched within one line of the source: one wrapped across a line break is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .errors import ContentError, Diagnostic, choices_hint, display_path
from .yamlfile import Located, LocatedList, load_yaml

FILE_NAME = "conversions.yaml"
#: The variants a section of the file may name (zh-Hant is zh-Hant-TW: the top level
#: serves both).
REGIONS = ("zh-Hant-TW", "zh-Hant-HK")
_KEYS = ("keep", "replace")


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Terms:
    """Terms kept as written, and terms written another way."""

    keep: tuple[str, ...] = ()
    replace: Mapping[str, str] = field(default_factory=_empty)

    def over(self, base: "Terms") -> "Terms":
        """These terms on top of BASE's: a term this one replaces or keeps wins."""
        replace = {t: f for t, f in base.replace.items() if t not in self.keep}
        replace.update(self.replace)
        keep = tuple(dict.fromkeys(t for t in (*base.keep, *self.keep) if t not in self.replace))
        return Terms(keep, MappingProxyType(replace))


@dataclass(frozen=True)
class Exceptions:
    """What every variant's conversion keeps or replaces, and what one variant's does."""

    terms: Terms = field(default_factory=Terms)
    regions: Mapping[str, Terms] = field(default_factory=_empty)
    #: The files they were read from (as shown to the user), for the report.
    sources: tuple[str, ...] = ()

    @classmethod
    def of(cls, keep=(), replace=None, **regions: Terms) -> "Exceptions":
        """Exceptions written in Python (tests, callers): ``Exceptions.of(keep=["他汀"])``."""
        return cls(Terms(tuple(keep), MappingProxyType(dict(replace or {}))),
                   MappingProxyType({k.replace("_", "-"): v for k, v in regions.items()}))

    def forms(self, variant: str) -> dict[str, str]:
        """Each term and what VARIANT's text writes for it (a kept term: itself)."""
        region = "zh-Hant-TW" if variant == "zh-Hant" else variant
        terms = self.regions[region].over(self.terms) if region in self.regions else self.terms
        forms = {term: term for term in terms.keep}
        forms.update(terms.replace)
        return forms

    def over(self, base: "Exceptions") -> "Exceptions":
        """These exceptions (a bundle's) on top of BASE's (the project's)."""
        regions = dict(base.regions)
        for region, terms in self.regions.items():
            regions[region] = terms.over(regions[region]) if region in regions else terms
        return Exceptions(self.terms.over(base.terms), MappingProxyType(regions),
                          base.sources + self.sources)


def _terms(data, shown: str, line: int, where: str, problems: list[Diagnostic]) -> Terms:
    """The keep and replace of one mapping (the file's top level or a variant's)."""
    keep: list[str] = []
    replace: dict[str, str] = {}
    if not isinstance(data, Located):
        problems.append(Diagnostic(shown, line, f"{where} must be a mapping of 'keep' and "
                                   "'replace'"))
        return Terms()
    for key in data:
        if key not in _KEYS and (where != "the file" or key not in REGIONS):
            allowed = _KEYS + (REGIONS if where == "the file" else ())
            hint = ("the top level serves every variant; name a region for one of them: "
                    f"{', '.join(REGIONS)}") if key == "zh-Hant" else \
                choices_hint(str(key), allowed, "the keys")
            problems.append(Diagnostic(shown, data.line_of(key), f"unknown key '{key}' in "
                                       f"{where}", hint=hint))
    value = data.get("keep")
    if value is not None:
        if not isinstance(value, LocatedList):
            problems.append(Diagnostic(shown, data.line_of("keep"), "'keep' must list terms"))
        else:
            for index, term in enumerate(value):
                if _bad_term(term, shown, value.line_of(index), "a term of 'keep'", problems):
                    keep.append(term)
    value = data.get("replace")
    if value is not None:
        if not isinstance(value, Located):
            problems.append(Diagnostic(shown, data.line_of("replace"), "'replace' must map "
                                       "each term to its form (term: form)"))
        else:
            for term, form in value.items():
                line_of = value.line_of(term)
                if _bad_term(term, shown, line_of, "a term of 'replace'", problems) and \
                        _bad_term(form, shown, line_of, f"the form of '{term}'", problems):
                    replace[term] = form
                if term in keep:
                    problems.append(Diagnostic(shown, line_of, f"'{term}' is both kept and "
                                               "replaced", hint="write it in one of them"))
    return Terms(tuple(dict.fromkeys(keep)), MappingProxyType(replace))


def _bad_term(value, shown: str, line: int, what: str, problems: list[Diagnostic]) -> bool:
    """Whether VALUE is a usable term; else a problem says why (and False)."""
    if not isinstance(value, str):
        problems.append(Diagnostic(shown, line, f"{what} must be a string, not "
                                   f"{_kind(value)}", hint="quote it: \"...\""))
        return False
    if not value.strip() or "\n" in value or "\r" in value:
        problems.append(Diagnostic(shown, line, f"{what} must be a non-empty term of one line"))
        return False
    return True


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"  # a date (YAML reads 2024-01-01 as one)


def load_exceptions(path: Path, root: Path) -> Exceptions:
    """One conversions.yaml; a ContentError with every problem of it, each at its line."""
    shown = display_path(path, root)
    data = load_yaml(path, root)
    if data is None:
        return Exceptions(sources=(shown,))
    problems: list[Diagnostic] = []
    terms = _terms(data, shown, 1, "the file", problems)
    regions = {}
    if isinstance(data, Located):
        for region in REGIONS:
            if region in data:
                regions[region] = _terms(data[region], shown, data.line_of(region),
                                         f"'{region}'", problems)
    if problems:
        raise ContentError(problems)
    return Exceptions(terms, MappingProxyType(regions), (shown,))


def bundle_exceptions(bundle_dir: Path, root: Path) -> Exceptions:
    """The project's conversions.yaml with the bundle's on top, those that exist (a
    ContentError with the problems of both)."""
    found, problems = Exceptions(), []
    for folder in dict.fromkeys((root, bundle_dir)):
        path = folder / FILE_NAME
        if not (path.exists() or path.is_symlink()):
            continue
        try:
            found = load_exceptions(path, root).over(found)
        except ContentError as error:
            problems += error.diagnostics
    if problems:
        raise ContentError(problems)
    return found
