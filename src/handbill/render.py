"""Render a bundle through a layout's Jinja2 templates into one HTML document."""

from __future__ import annotations

import datetime
import re
from itertools import zip_longest
from pathlib import Path
from typing import Mapping

import jinja2
from markupsafe import Markup, escape

from . import __version__
from .citations import Bibliography
from .errors import Diagnostic, LayoutError, display_path
from .layouts import Layout, find_asset, make_environment, search_path
from .model import Bundle
from .qr import qr_svg
from .site import Site
from .typography import autospace, compress_punctuation
from .yamlfile import load_yaml

STRINGS_FILE = "strings.yaml"


def load_strings(root: Path) -> dict[str, dict[str, str]]:
    """The layouts' interface texts per language; a project's file overrides key by key."""
    merged: dict[str, dict[str, str]] = {}
    for base in reversed(search_path(root)):
        path = base / STRINGS_FILE
        if path.is_file():
            for lang, texts in (load_yaml(path, root) or {}).items():
                merged.setdefault(lang, {}).update(texts or {})
    return merged


def typeset(text: str | None, lang: str) -> Markup | None:
    """A metadata text as HTML, with the Chinese typesetting the bodies get."""
    if text is None:
        return None
    if lang == "zh-Hans":
        return Markup(compress_punctuation(autospace(text)))
    return escape(text)


def format_date(date: datetime.date, pattern: str, month_names: list[str] | None = None) -> str:
    """Fill PATTERN's {year}, {month}, {day} and {month_name} from DATE."""
    month_name = month_names[date.month - 1] if month_names else str(date.month)
    return pattern.format(year=date.year, month=date.month, day=date.day, month_name=month_name)


_PLACEHOLDER = re.compile(r'<span class="citation" data-cluster="([^"]+)"></span>')


def fill_citations(html: str, bibliography: Bibliography) -> Markup:
    """A body's HTML with each citation placeholder replaced by its formatted citation."""
    def formatted(match: re.Match) -> str:
        return f'<span class="citation">{bibliography.citations.get(match.group(1), "")}</span>'

    return Markup(_PLACEHOLDER.sub(formatted, html))


def _site(site: Site, bundle: Bundle) -> dict:
    """What the templates show of site.yaml, and the QR code of the handout's online version."""
    url = bundle.meta.url or (site.handout_url.format(bundle=bundle.name) if site.handout_url
                              else None)
    accent = site.colours.get("ink", "#1d2529")
    return {
        "organisation": site.organisation,
        "address": site.address,
        "phone": site.phone,
        "website": site.website,
        "logo": site.logo.as_uri() if site.logo else None,
        "colours": site.colours,
        "url": url,
        "qr": qr_svg(url, accent) if url else None,
    }


def _context(bundle: Bundle, bibliography: Bibliography, languages: tuple[str, ...],
             options: Mapping[str, str], root: Path, site: Site) -> dict:
    strings = load_strings(root)
    meta = bundle.meta
    # The language each reference is written in, as a section language (for lang=).
    entry_languages = {ref.id: "zh-Hans" if str(ref.csl.get("language", "en")).startswith("zh")
                       else "en" for ref in bundle.references}
    sections = []
    for index, lang in enumerate(languages):
        s = strings.get(lang, {})
        sections.append({
            "lang": lang,
            "first": index == 0,
            "title": typeset(meta.title[lang], lang),
            "subtitle": typeset(meta.subtitle.get(lang), lang),
            "category": typeset(meta.category.get(lang), lang),
            "reading_time": typeset(meta.reading_time.get(lang), lang),
            "disclaimer": typeset(meta.disclaimer.get(lang), lang),
            "date": meta.date.isoformat(),
            "date_text": format_date(meta.date, s.get("date-format", "{year}-{month:02}-{day:02}"),
                                     s.get("month-names")),
            "body": fill_citations(bundle.bodies[lang].html, bibliography),
            "bibliography": [{"id": e.id, "label": e.label, "html": Markup(e.html),
                              "lang": entry_languages.get(e.id, lang)}
                             for e in bibliography.entries.get(lang, ())],
            "headings": bundle.bodies[lang].headings,
            "parts": [{"heading": part.heading, "html": fill_citations(part.html, bibliography)}
                      for part in bundle.bodies[lang].parts],
            "strings": s,
        })
    # Section pairs for side-by-side layouts: the n-th part of each language together.
    pairs = [dict(zip(languages, row))
             for row in zip_longest(*(sec["parts"] for sec in sections), fillvalue=None)]
    cover = None
    if meta.cover:
        cover = {"url": meta.cover.path.as_uri(), "alt": meta.cover.alt}
    return {
        "bundle": bundle.name,
        "languages": languages,
        "lang": languages[0],
        "title": " · ".join(meta.title[lang] for lang in languages),
        "date": meta.date.isoformat(),
        "keywords": meta.keywords,
        "audience": meta.audience,
        "cover": cover,
        "sections": sections,
        "pairs": pairs,
        "citation_style": bibliography.style,
        "options": options,
        "site": _site(site, bundle),
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
                bibliography: Bibliography | None = None, site: Site | None = None) -> str:
    """The whole document as HTML, ready for WeasyPrint."""
    env = make_environment(root)

    def asset_url(name: str) -> str:
        path = find_asset(name, root)
        if path is None:
            raise LayoutError(Diagnostic(display_path(layout.path / "layout.yaml", root), None,
                                         f"layout asset '{name}' not found"))
        return path.resolve().as_uri()

    env.globals["asset_url"] = asset_url
    try:
        template = env.get_template(layout.template)
        return template.render(_context(bundle, bibliography or Bibliography(), languages,
                                        options, root, site or Site()))
    except jinja2.TemplateSyntaxError as error:
        raise LayoutError(Diagnostic(display_path(error.filename or error.name or "?", root),
                                     error.lineno, f"template syntax: {error.message}")) from None
    except jinja2.TemplateNotFound as error:
        raise LayoutError(Diagnostic(display_path(layout.path / "layout.yaml", root), None,
                                     f"template '{error.name}' not found")) from None
    except jinja2.UndefinedError as error:
        filename, line = _template_frame(error)
        raise LayoutError(Diagnostic(display_path(filename or layout.path, root), line,
                                     f"template: {error.message}")) from None


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
