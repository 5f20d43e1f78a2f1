"""Render a bundle through a layout's Jinja2 templates into one HTML document."""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from itertools import zip_longest
from pathlib import Path
from typing import Mapping

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from . import __version__, pattern
from .citations import Bibliography
from .errors import ContentError, Diagnostic, LayoutError, choices_hint, display_path
from .guard import check
from .layouts import Layout, find_asset, make_environment, search_path
from .places import builtin_layouts_dir
from .model import Bundle
from .panels import Fit, split
from .qr import qr_svg
from .site import Site, handout_url
from .callouts import KINDS, fill_titles
from .typography import typeset as typeset_text
from .yamlfile import Located, load_yaml

STRINGS_FILE = "strings.yaml"


#: The placeholders a date format may hold.
DATE_FIELDS = ("year", "month", "day", "month_name")
#: The placeholders the page number's pattern (page-number) may hold.
PAGE_FIELDS = ("page", "pages")
#: Keys of strings.yaml that handbill itself reads (the others are read by templates,
#: as section.strings.KEY or section.strings['KEY']).
CODE_KEYS = ("date-format", "month-names", "page-number",
             *(f"callout-{kind}" for kind in KINDS if kind != "fineprint"))
_TEMPLATE_KEY = re.compile(r"""strings(?:\.(?!yaml\b)([A-Za-z_][\w]*)|\[\s*['"]([^'"]+)['"]\s*\])""")


def load_strings(root: Path) -> dict[str, dict[str, str]]:
    """The layouts' interface texts per language; a project's file overrides key by key.

    Each file is checked: texts per language, 'month-names' twelve texts,
    'date-format' a pattern of DATE_FIELDS; every problem is a LayoutError at its line.
    """
    merged: dict[str, dict[str, str]] = _Strings()
    problems: list[Diagnostic] = []
    builtin: set[str] = set()  # the keys of handbill's own strings.yaml: used by its layouts
    for base in reversed(search_path(root)):
        path = base / STRINGS_FILE
        if path.exists() or path.is_symlink():
            data = load_yaml(path, root)
            for lang, texts in _checked_strings(data, path, root, problems,
                                                merged.lines).items():
                merged.setdefault(lang, {}).update(texts)
                if base == builtin_layouts_dir():
                    builtin.update(texts)
                    merged.required = (merged.required & set(texts)) if merged.required \
                        else frozenset(texts)
    if not problems:
        problems += _unused_keys(merged, builtin, root)
    if problems:
        raise LayoutError(problems)
    return merged


def used_string_keys(root: Path) -> set[str]:
    """Every key of strings.yaml something reads: handbill (CODE_KEYS), or a template on
    the layout search path (section.strings.KEY, strings['KEY'])."""
    used = set(CODE_KEYS)
    for base in search_path(root):
        for template in sorted(base.rglob("*.j2")):
            try:
                text = template.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):  # the guard reports it when it is used
                continue
            used.update(a or b for a, b in _TEMPLATE_KEY.findall(text))
    return used


def _unused_keys(merged: dict[str, dict[str, str]], builtin: set[str],
                 root: Path) -> list[Diagnostic]:
    """An error at each key of a project's strings.yaml that nothing reads (a misspelt key
    would otherwise be silently ignored), with the nearest key that is read. The built-in
    file's keys are all read (a test keeps them so)."""
    lines = getattr(merged, "lines", {})
    used = None
    problems = []
    for lang, texts in merged.items():
        for key in texts:
            if key in builtin:
                continue
            used = used if used is not None else used_string_keys(root) | builtin
            if key not in used:
                path, line = lines.get((lang, key), (STRINGS_FILE, None))
                problems.append(Diagnostic(
                    display_path(path, root), line, f"'{lang}.{key}': no layout uses this "
                    "text", code="layout",
                    hint="'page' and 'of' are now one text, page-number: \"Page {page} of "
                         "{pages}\"" if key in ("page", "of") else
                    choices_hint(key, sorted(used), "the texts layouts use")))
    return problems


class _Strings(dict):
    """The merged texts, and where each (language, key) was last given: (file, line)."""

    def __init__(self):
        super().__init__()
        self.lines: dict[tuple[str, str], tuple[Path, int]] = {}
        #: The keys every language of handbill's own strings.yaml has: the layouts print
        #: them, so a language needs them all (month-names is one language's only).
        self.required: frozenset[str] = frozenset()


def _checked_strings(data, path: Path, root: Path, problems: list[Diagnostic],
                     lines: dict | None = None) -> dict:
    lines = {} if lines is None else lines
    shown = display_path(path, root)

    def wrong(line, message):
        problems.append(Diagnostic(shown, line, message, code="layout"))

    if data is None:
        return {}
    if not isinstance(data, Located):
        wrong(getattr(data, "line", 1), "strings.yaml maps each language to its texts")
        return {}
    checked = {}
    for lang, texts in data.items():
        if not isinstance(texts, Located):
            wrong(data.line_of(lang), f"'{lang}' must map names to texts")
            continue
        kept = {}
        for key, value in texts.items():
            line = texts.line_of(key)
            if key == "month-names":
                if not (isinstance(value, list) and len(value) == 12
                        and all(isinstance(v, str) for v in value)):
                    wrong(line, f"'{lang}.month-names' must list the 12 month names, January first")
                    continue
            elif not isinstance(value, str):
                wrong(line, f"'{lang}.{key}' must be a text")
                continue
            elif key in ("date-format", "page-number"):
                try:
                    pattern.check(value, DATE_FIELDS if key == "date-format" else PAGE_FIELDS)
                except ValueError as error:
                    wrong(line, f"'{lang}.{key}': {error}")
                    continue
            kept[key] = value
            lines[(lang, key)] = (path, line)
        checked[lang] = kept
    return checked


def page_number_css(form: str) -> Markup:
    """FORM ('Page {page} of {pages}', checked) as the value of a CSS content property:
    its texts as CSS strings, {page} and {pages} as the page counters."""
    import string

    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(form):
        if literal:
            parts.append('"' + "".join(_css_char(c) for c in literal) + '"')
        if name:
            parts.append(f"counter({name})")
    return Markup(" ".join(parts) or '""')


def _css_char(char: str) -> str:
    """CHAR inside a double-quoted CSS string, written so that it can close neither the
    string nor the <style> element around it."""
    if char in '"\\<>&' or ord(char) < 0x20 or ord(char) == 0x7f:
        return f"\\{ord(char):x} "
    return char


def typeset(text: str | None, han: bool, words: bool = False) -> Markup | None:
    """A metadata text as HTML, with the typesetting the bodies get (HAN: the Han rules;
    WORDS: a title, whose Chinese words are kept whole, as a heading's are)."""
    if text is None:
        return None
    return Markup(typeset_text(text, han=han, words=words))


def format_date(date: datetime.date, form: str, month_names: list[str] | None = None) -> str:
    """Fill FORM's {year}, {month}, {day} and {month_name} from DATE (see handbill.pattern)."""
    month_name = month_names[date.month - 1] if month_names else str(date.month)
    return pattern.fill(form, {"year": date.year, "month": date.month, "day": date.day,
                               "month_name": month_name})


_PLACEHOLDER = re.compile(r'(?P<space>[ \t\n]*)<span class="citation" data-cluster="(?P<id>[^"]+)">'
                          r'</span>(?P<stop>[.,](?![.])|)')


def fill_citations(html: str, bibliography: Bibliography) -> Markup:
    """A body's HTML with each citation placeholder replaced by its formatted citation.

    A citation the style sets as a superscript follows the word with no space
    ("tissues[1]", as Pandoc sets it too); one that is a bare superscript number
    (AMA's) stands after a full stop or a comma, as AMA prescribes: "...tissues.¹",
    not "...tissues ¹.". (Colons and semicolons stay after it, and so does Chinese
    punctuation: 组织<sup>[1]</sup>。)
    """
    def formatted(match: re.Match) -> str:
        citation = bibliography.citations.get(match.group("id"), "")
        space, stop = match.group("space"), match.group("stop")
        superscript = re.match(r"<span\b[^>]*><sup>", citation)
        if superscript:
            space = ""
            bare = re.fullmatch(r"<span\b[^>]*><sup>([^\[\]]*)</sup></span>", citation, re.S)
            if bare and stop:
                space, stop = stop, ""
        return f'{space}<span class="citation">{citation}</span>{stop}'

    return Markup(_PLACEHOLDER.sub(formatted, html))


#: A link whose text is its address or a DOI (no markup inside).
_LINK_TEXT = re.compile(r'(<a href="[^"]*"[^>]*>)([^<]+)(</a>)')
#: Where an address may break: after a run of '/' or '.' that something follows.
_ADDRESS_BREAK = re.compile(r"(?<=[/.])(?=[^/.])")


def breakable_links(html: str) -> str:
    """A bibliography entry's HTML whose addresses and DOIs break only after '/' and '.'.

    Each piece between those points is kept whole (white-space: nowrap), so that a
    line never ends inside an address at its own '-' (which a reader, and pdftotext,
    take for hyphenation: "patient-information" read back as "patientinformation"),
    and a <wbr> lets it break after each '/' and '.' ("https://" stays whole).
    WeasyPrint's <wbr> is a zero-width space that is not in the PDF's text: the
    address reads back whole. Entries are never hyphenated (base.css).
    """
    def pieces(match: re.Match) -> str:
        text = match.group(2)
        if not re.match(r"(?:https?://|10\.\d{4,9}/)\S+$", text):
            return match.group(0)
        parts = _ADDRESS_BREAK.split(text)
        return (match.group(1) + "<wbr>".join(f'<span class="nobr">{part}</span>'
                                               for part in parts) + match.group(3))

    return _LINK_TEXT.sub(pieces, html)


def _site(site: Site, bundle: Bundle, root: Path) -> dict:
    """What the templates show of site.yaml, and the QR code of the handout's online version."""
    url = bundle.meta.url or handout_url(site, bundle.name)
    accent = site.colours.get("ink", "#1d2529")
    return {
        "organisation": site.organisation,
        "address": site.address,
        "phone": site.phone,
        "website": site.website,
        "logo": site.logo.as_uri() if site.logo else None,
        "colours": site.colours,
        "url": url,
        "qr": _qr(url, accent, site, bundle, root) if url else None,
    }


def _qr(url: str, colour: str, site: Site, bundle: Bundle, root: Path) -> Markup:
    """The QR code of URL; a URL no QR code holds is an error where it was written."""
    import segno

    try:
        return qr_svg(url, colour)
    except segno.DataOverflowError:
        if bundle.meta.url:
            where, line, key = bundle.meta_path, bundle.meta.lines.get("url"), "url"
        else:
            where, line, key = site.path or root / "site.yaml", site.lines.get("handout-url"), \
                "handout-url"
        raise ContentError(Diagnostic(display_path(where, root), line, f"'{key}' gives an address of "
                                      f"{len(url.encode()):,} bytes for this handout, more "
                                      "than a QR code holds", code="meta" if key == "url"
                                      else "site")) from None


#: A block that is one heading and nothing else.
_HEADING_BLOCK = re.compile(r"\s*<h([1-6])[\s>].*</h\1>\s*", re.S)
#: A block row of the parallel layout with less text than this in every language is
#: kept whole on one page (longer ones may break, each language on its own).
SHORT_BLOCK = 400


def _meta_source(bundle: Bundle, key: str) -> str:
    """``meta.yaml:FIRST-LAST``: the lines of KEY's value in the bundle's meta.yaml (up to
    the next top-level key), or "" when meta.yaml does not have it."""
    lines = bundle.meta.lines
    first = lines.get(key)
    if first is None:
        return ""
    after = [line for name, line in lines.items() if "." not in name and line > first]
    last = min(after) - 1 if after else first + 200
    return f"{bundle.meta_path.name}:{first}-{last}"


def _check_strings_for(languages: tuple[str, ...], strings: _Strings, root: Path) -> None:
    """A LayoutError, at the project's strings.yaml, for each of LANGUAGES that lacks
    interface texts the layouts print (a language added to the table, its texts not)."""
    problems = []
    for lang in languages:
        missing = sorted(strings.required - set(strings.get(lang, {})) - {"language"})
        if not missing:
            continue
        what = (f"no interface texts for language '{lang}'" if lang not in strings else
                f"language '{lang}' lacks interface texts: {', '.join(missing)}")
        problems.append(Diagnostic(
            display_path(root / "layouts" / STRINGS_FILE, root), None,
            f"{what} (the headings and labels the layouts print)", code="layout",
            hint=f"add {', '.join(missing)} under '{lang}:' in layouts/strings.yaml, "
                 "as handbill's own strings.yaml has them for 'en'"))
    if problems:
        raise LayoutError(problems)


def _context(bundle: Bundle, bibliography: Bibliography, languages: tuple[str, ...],
             options: Mapping[str, str], root: Path, site: Site,
             fit: Mapping[str, Fit] | None = None, measuring: bool = False) -> dict:
    from .languages import load_languages

    strings = load_strings(root)
    table = load_languages(root)
    meta = bundle.meta
    # The language each reference is written in, as a section language (for lang=): one
    # of the document's if it writes it, else a row of the table.
    order = tuple(dict.fromkeys((*languages, *table.tags)))
    entry_languages = {ref.id: table.for_reference(str(ref.csl.get("language") or "en"), order)
                       for ref in bundle.references}
    _check_strings_for(languages, strings, root)
    sections = []
    for index, lang in enumerate(languages):
        s = {"language": table[lang].name, **strings.get(lang, {})}
        han = table[lang].typography.han
        sections.append({
            "lang": lang,
            "language": table[lang],
            "first": index == 0,
            "title": typeset(meta.title[lang], han, words=True),
            "subtitle": typeset(meta.subtitle.get(lang), han, words=True),
            "category": typeset(meta.category.get(lang), han),
            "reading_time": typeset(meta.reading_time.get(lang), han),
            "disclaimer": typeset(meta.disclaimer.get(lang), han),
            # Where the disclaimer is written (meta.yaml's lines for it), so that a line of
            # it that does not fit is located there: a template puts it in data-src.
            "disclaimer_source": _meta_source(bundle, "disclaimer"),
            "date": meta.date.isoformat(),
            "date_text": format_date(meta.date, s.get("date-format", "{year}-{month:02}-{day:02}"),
                                     s.get("month-names")),
            "body": Markup(fill_titles(fill_citations(bundle.bodies[lang].html, bibliography), s)),
            "bibliography": [{"id": e.id, "label": e.label, "html": Markup(breakable_links(e.html)),
                              "lang": entry_languages.get(e.id, lang)}
                             for e in bibliography.entries.get(lang, ())],
            "headings": bundle.bodies[lang].headings,
            "parts": [{"heading": part.heading,
                       "html": Markup(fill_titles(fill_citations(part.html, bibliography), s)),
                       "blocks": [Markup(fill_titles(fill_citations(block, bibliography), s))
                                  for block in part.blocks]}
                      for part in bundle.bodies[lang].parts],
            "strings": s,
            # The page number in the footer, as CSS content: "Page " counter(page) ...
            "page_number": page_number_css(s.get("page-number", "{page} / {pages}")),
        })
    # Section pairs for side-by-side layouts: the n-th part of each language together.
    pairs = [dict(zip(languages, row))
             for row in zip_longest(*(sec["parts"] for sec in sections), fillvalue=None)]
    # And block by block, where every language has the section with as many blocks.
    pair_rows = []

    def short(html: str) -> bool:  # a block of a few lines: its row is never split
        return len(re.sub(r"<[^>]+>", "", html)) < SHORT_BLOCK

    for pair in pairs:
        counts = {len(part["blocks"]) if part else -1 for part in pair.values()}
        rows = None
        if len(counts) == 1 and -1 not in counts:
            rows, heading = [], False
            for row in zip(*(pair[lang]["blocks"] for lang in languages)):
                row = dict(zip(languages, row))
                if heading:  # a heading row alone would be left at a page's foot: it goes
                    before = rows.pop()  # with the block after it
                    row = {lang: Markup(before[lang] + row[lang]) for lang in languages}
                    heading = False
                else:
                    heading = all(_HEADING_BLOCK.fullmatch(html) for html in row.values())
                rows.append(row)
            rows = [{"cells": row, "keep": all(short(html) for html in row.values())}
                    for row in rows]
        pair_rows.append(rows)
    for section in sections:  # every block of the body, in order, whatever its part
        section["blocks"] = [block for part in section["parts"] for block in part["blocks"]]
        # A measured text (see handbill.panels): the blocks its first column holds, and
        # the rest, a list cut between its items.
        measured = (fit or {}).get(section["lang"])
        section["fit"] = None
        if measured is not None:
            inside, rest = split(section["blocks"], measured)
            section["fit"] = {"inside": [Markup(b) for b in inside],
                              "rest": [Markup(b) for b in rest]}
    cover = None
    if meta.cover:
        cover = {"url": meta.cover.path.as_uri(), "alt": meta.cover.alt}
    printed = dict.fromkeys(languages)  # and those of the bibliography's entries
    printed.update(dict.fromkeys(e["lang"] for sec in sections for e in sec["bibliography"]))
    return {
        "bundle": bundle.name,
        "languages": languages,
        "language_profiles": [table[lang] for lang in printed],
        "lang": languages[0],
        "title": " · ".join(meta.title[lang] for lang in languages),
        # The first language's subtitle as plain text, for the document's metadata (an
        # attribute: the typeset subtitle's markup has no place there).
        "description": meta.subtitle.get(languages[0]),
        "date": meta.date.isoformat(),
        "keywords": meta.keywords,
        "audience": meta.audience,
        "cover": cover,
        "sections": sections,
        "pairs": pairs, "pair_rows": pair_rows,
        "citation_style": bibliography.style,
        "options": options,
        # For a layout that measures (layout.yaml measure: true), from its second
        # rendering on: how many blocks of each marked text fit its first column.
        "fit": fit,
        # True while the document is laid out only to measure: a template may leave out
        # what the measured texts do not depend on.
        "measuring": measuring,
        "site": _site(site, bundle, root),
        "generator": f"handbill {__version__}",
    }


def load_template(layout: Layout, root: Path) -> None:
    """Compile LAYOUT's template now (Jinja keeps it); render_html reports its errors."""
    try:
        make_environment(root).get_template(layout.template)
    except jinja2.TemplateError:
        pass


def render_html(bundle: Bundle, layout: Layout, languages: tuple[str, ...],
                options: Mapping[str, str], root: Path,
                bibliography: Bibliography | None = None, site: Site | None = None,
                fit: Mapping[str, Fit] | None = None, measuring: bool = False) -> str:
    """The whole document as HTML, ready for WeasyPrint (FIT: see handbill.panels)."""
    env = make_environment(root)

    def asset_url(name: str) -> str:
        manifest = display_path(layout.path / "layout.yaml", root)
        try:
            path = find_asset(name, root)
        except LayoutError as error:
            raise LayoutError([replace(d, path=manifest) for d in error.diagnostics]) from None
        if path is None:
            raise LayoutError(Diagnostic(manifest, None, f"layout asset '{name}' not found"))
        return check(path, root, code="layout").as_uri()

    env.globals["asset_url"] = asset_url
    try:
        template = env.get_template(layout.template)
        return template.render(_context(bundle, bibliography or Bibliography(), languages,
                                        options, root, site or Site(), fit, measuring))
    except jinja2.TemplateSyntaxError as error:
        raise LayoutError(Diagnostic(display_path(error.filename or error.name or "?", root),
                                     error.lineno, f"template syntax: {error.message}")) from None
    except jinja2.TemplateNotFound as error:  # at the {% include %} that asked, if one did
        filename, line = _template_frame(error)
        raise LayoutError(Diagnostic(display_path(filename or layout.path / "layout.yaml", root),
                                     line, f"template '{error.name}' not found")) from None
    except (jinja2.UndefinedError, jinja2.sandbox.SecurityError) as error:
        filename, line = _template_frame(error)
        raise LayoutError(Diagnostic(display_path(filename or layout.path, root), line,
                                     f"template: {error.message}")) from None
    except jinja2.TemplateError as error:
        filename, line = _template_frame(error)
        raise LayoutError(Diagnostic(display_path(filename or layout.path, root), line,
                                     f"template: {error.message or error}")) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as error:
        # A template's own code failed ({{ 1 + 'a' }}): at its line, not a traceback.
        filename, line = _template_frame(error)
        if filename is None:
            raise
        raise LayoutError(Diagnostic(display_path(filename, root), line,
                                     f"template: {type(error).__name__}: {error}")) from None


def _template_frame(error: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in ERROR's traceback (Jinja rewrites frames)."""
    found = (None, None)
    tb = error.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".j2", ".html")):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found
