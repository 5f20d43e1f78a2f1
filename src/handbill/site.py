"""The site configuration: who hands the leaflet out (site.yaml at the project's top).

    organisation: {en: Riverside Clinic, zh-Hans: 河滨诊所}
    logo: assets/logo.svg          # SVG or PNG, inside the project
    colours: {accent: "#0e6e75"}   # hex colours, as CSS variables --accent, ...
    address: {en: ..., zh-Hans: ...}
    phone: 555-0100
    website: https://clinic.example.org
    handout-url: https://clinic.example.org/handouts/{bundle}   # the QR code's target
    print-profile: assets/printshop.icc   # CMYK ICC profile: output intent of colour=cmyk

Every layout shows it: header or footer, back panel, cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from . import guard, pattern
from .errors import ContentError, Diagnostic, choices_hint, display_path
from .model import LANGUAGES
from .yamlfile import Located, load_yaml

SITE_FILE = "site.yaml"
_HEX = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")
_KEYS = {"organisation", "logo", "colours", "address", "phone", "website", "handout-url",
         "print-profile"}


@dataclass(frozen=True)
class Site:
    organisation: Mapping[str, str] = field(default_factory=dict)
    address: Mapping[str, str] = field(default_factory=dict)
    phone: str | None = None
    website: str | None = None
    handout_url: str | None = None
    logo: Path | None = None
    colours: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None
    #: The print shop's CMYK ICC profile: the output intent of colour=cmyk PDFs.
    print_profile: Path | None = None
    #: 1-based line of each key in site.yaml, for diagnostics.
    lines: Mapping[str, int] = field(default_factory=dict)


def handout_url(site: Site, bundle: str) -> str | None:
    """The site's handout-url with {bundle} filled in (checked when site.yaml loaded)."""
    return pattern.fill(site.handout_url, {"bundle": bundle}) if site.handout_url else None


def load_site(root: Path) -> Site:
    """The project's site.yaml, checked; an empty Site when there is none."""
    path = root / SITE_FILE
    if not path.exists() and not path.is_symlink():
        return Site()
    shown = display_path(path, root)
    data = load_yaml(path, root)
    if data is None:
        return Site(path=path)
    problems = []

    def error(line, message, hint=None):
        problems.append(Diagnostic(shown, line, message, code="site", hint=hint))

    if not isinstance(data, Located):
        raise ContentError(Diagnostic(shown, 1, "site.yaml must be a mapping", code="site"))
    for key in data:
        if key not in _KEYS:
            error(data.line_of(key), f"unknown key '{key}'",
                  hint=choices_hint(key, sorted(_KEYS), "the keys of site.yaml"))

    def per_language(key):
        """A text for every language: one for all, or one per language (a language
        without its own gets the first one given: a clinic's name may have no Chinese)."""
        value = data.get(key)
        if value is None:
            return {}
        if isinstance(value, str):
            return {lang: value for lang in LANGUAGES}
        if isinstance(value, Located) and value and all(
                k in LANGUAGES and isinstance(v, str) and v.strip() for k, v in value.items()):
            first = next(iter(value.values()))
            return {lang: value.get(lang, first) for lang in LANGUAGES}
        error(data.line_of(key), f"'{key}' must be a text, or a text per language "
              f"({', '.join(LANGUAGES)})")
        return {}

    def text(key):
        value = data.get(key)
        if value is not None and (not isinstance(value, (str, int)) or isinstance(value, bool)):
            error(data.line_of(key), f"'{key}' must be a text")
            return None
        return None if value is None else str(value)

    organisation, address = per_language("organisation"), per_language("address")
    phone, website, handout = text("phone"), text("website"), text("handout-url")

    def project_file(key: str, what: str):
        """The file KEY names, inside the project (the guard's rule), or None."""
        if data.get(key) is None:
            return None
        named = guard.Named(path, data.line_of(key), what, str(data[key]))
        found = root / str(data[key])
        problem = guard.refusal(found, root, named, code="site")
        if problem is not None:
            problems.append(problem)
            return None
        if not found.is_file():
            error(data.line_of(key), f"{what} '{data[key]}' not found in the project")
            return None
        return found.resolve()

    logo = project_file("logo", "logo")
    if logo is not None and logo.suffix.lower() not in (".svg", ".png"):
        error(data.line_of("logo"), "the logo must be an SVG or PNG file")
        logo = None
    elif logo is not None:
        from .images import image_problems

        problem, inside = image_problems(logo, root, root)
        problems.extend(inside)
        if problem:
            error(data.line_of("logo"), f"logo '{data['logo']}' {problem}")
        if problem or inside:
            logo = None
    profile = project_file("print-profile", "print profile")
    if profile is not None:
        try:
            header = guard.read_bytes(profile, root, limit=20_000_000, code="site")[16:20]
        except ContentError as refused:
            problems.extend(refused.diagnostics)
            header, profile = b"", None
        if profile is not None and header != b"CMYK":
            error(data.line_of("print-profile"), "the print profile must be a CMYK ICC profile")
            profile = None
    colours = {}
    given = data.get("colours")
    if given is not None and not isinstance(given, Located):
        error(data.line_of("colours"), "'colours' must be a mapping of names to hex colours, "
              'like accent: "#0e6e75"')
        given = None
    for name, value in (given or {}).items():
        if not re.fullmatch(r"[a-z][a-z-]*", str(name)) or not _HEX.match(str(value)):
            error(given.line_of(name),
                  f"colour '{name}: {value}' must be a lowercase name and a hex colour like #0e6e75")
        else:
            colours[name] = str(value)
    for key, value in (("website", website), ("handout-url", handout)):
        if value is not None and not value.startswith("https://") and not value.startswith("http://"):
            error(data.line_of(key), f"'{key}' must be an http(s) address")
        elif key == "handout-url" and value is not None:
            try:
                pattern.check(value, ("bundle",))
            except ValueError as wrong:
                error(data.line_of(key), f"'handout-url': {wrong}")
    if problems:
        raise ContentError(problems)
    return Site(organisation, address, phone, website, handout, logo, colours, path, profile,
                dict(data.key_lines))
