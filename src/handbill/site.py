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
from .yamlfile import Located, load_yaml

SITE_FILE = "site.yaml"
_HEX = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")
_KEYS = {"organisation", "logo", "colours", "address", "phone", "website", "handout-url",
         "print-profile", "languages", "options"}


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
    #: What a bundle whose meta.yaml names no languages prints; () for the table's default.
    languages: tuple[str, ...] = ()
    #: The project's layout options (page-size: Letter): a bundle's and the command
    #: line's win. Values as written, with their lines, checked per layout.
    options: Mapping[str, object] = field(default_factory=dict)
    option_lines: Mapping[str, int] = field(default_factory=dict)


def default_languages(root: Path | None, table) -> tuple[str, ...]:
    """The languages of a bundle whose meta.yaml names none: site.yaml's 'languages:' when
    it is right (load_site reports it when not), else the table's default."""
    path = root / SITE_FILE if root is not None else None
    if path is None or not path.is_file():
        return table.default_languages()
    try:
        data = load_yaml(path, root)
    except ContentError:
        return table.default_languages()
    given = data.get("languages") if isinstance(data, Located) else None
    if isinstance(given, list) and given and all(isinstance(t, str) and t in table
                                                 for t in given):
        return tuple(dict.fromkeys(given))
    return table.default_languages()


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

    from .languages import load_languages

    table = load_languages(root)
    tags = table.tags

    def per_language(key):
        """A text for every language: one for all, or one per language (a language
        without its own gets the first one given: a clinic's name may have no Chinese)."""
        value = data.get(key)
        if value is None:
            return {}
        if isinstance(value, str):
            return {lang: value for lang in tags}
        if isinstance(value, Located) and value and all(
                isinstance(v, str) and v.strip() for v in value.values()):
            unknown = [k for k in value if k not in table]
            for k in unknown:
                problems.append(table.unknown(shown, value.line_of(k), k, f"in '{key}'",
                                              code="site"))
            first = next(iter(value.values()))
            if unknown:
                return {}
            texts = _Texts({lang: value.get(lang, first) for lang in tags})
            for lang in tags:  # a converted language: the text of the one it converts from,
                source = table[lang].convert_from  # converted when a document asks for it
                if lang not in value and source in value:
                    del texts[lang]
                    texts.later[lang] = (value[source], table[lang].conversion, root)
            return texts
        error(data.line_of(key), f"'{key}' must be a text, or a text per language "
              f"({', '.join(tags)})")
        return {}

    languages = ()
    given = data.get("languages")
    if given is not None:
        if not isinstance(given, list) or not given or not all(isinstance(t, str) for t in given):
            error(data.line_of("languages"), "'languages' must list language tags (the "
                  "languages a bundle prints when its meta.yaml names none)")
        else:
            for index, tag in enumerate(given):
                if tag not in table:
                    problems.append(table.unknown(shown, given.line_of(index), tag,
                                                  "in 'languages:'", code="site"))
            languages = tuple(dict.fromkeys(given))
    options, option_lines = {}, {}
    given = data.get("options")
    if given is not None and not isinstance(given, Located):
        error(data.line_of("options"), "'options' must map layout options to values, like "
              "page-size: Letter")
    elif given is not None:
        options = dict(given)
        option_lines = dict(given.key_lines)

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
            named = guard.Named(path, data.line_of("print-profile"), "print profile",
                                str(data["print-profile"]))
            header = guard.read_bytes(profile, root, named, limit=20_000_000, code="site")[16:20]
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
                dict(data.key_lines), languages, options, option_lines)


class _Texts(dict):
    """A text per language, those of a converted language (Traditional Chinese that
    site.yaml does not name) converted only when asked for: OpenCC's dictionaries take
    about 50 ms to load, and most documents print none of them."""

    def __init__(self, *args):
        super().__init__(*args)
        self.later: dict[str, tuple[str, str, Path]] = {}

    def __missing__(self, lang: str) -> str:
        if lang not in self.later:
            raise KeyError(lang)
        self[lang] = _converted(*self.later.pop(lang))
        return self[lang]

    def get(self, lang, default=None):
        return self[lang] if lang in self or lang in self.later else default

    def __contains__(self, lang) -> bool:
        return super().__contains__(lang) or lang in self.later


def _converted(text: str, variant: str, root: Path) -> str:
    """TEXT converted (Simplified to Traditional Chinese), with the project's
    conversions.yaml when it has one: a problem in it is a ContentError here too, since a
    document whose texts are all written by hand may still print a converted name."""
    from .conversion import convert_text
    from .conversions import bundle_exceptions

    return convert_text(text, variant, bundle_exceptions(root, root)).text
