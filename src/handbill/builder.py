"""Orchestration: find bundles, load them, render each layout, write each PDF.

Data flows one way: content -> HTML (layouts) -> PDF. A bundle with errors is
reported and skipped; the others still build (Pelican's way), and the run
ends with a non-zero exit when anything was reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .content import find_bundles, load_bundle
from .errors import ContentError, Diagnostic, HandbillError, UsageError, display_path
from .impose import impose_booklet
from .layouts import builtin_layouts_dir, find_layout
from .model import LANGUAGES, Bundle
from .options import BuildOptions
from .citations import (DEFAULT_STYLE, STYLES, Bibliography, check_citations, find_style,
                        resolve_citations)
from .coverage import check_coverage, printed_characters
from .fonts import plan_fonts
from .pdf import PdfResult, render_pdf, write_atomic
from .site import Site, load_site
from .subset import font_face_css
from .render import render_html


@dataclass
class BuildReport:
    """What a build wrote and what it found wrong."""

    written: list[PdfResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)


def output_path(bundle: Bundle, layout: str, lang: str | None, options: BuildOptions) -> Path:
    """out/<bundle path under content/>/<layout>.pdf, or <layout>.<lang>.pdf for one language."""
    content_dir = options.project / "content"
    try:
        rel = bundle.path.resolve().relative_to(content_dir.resolve())
    except ValueError:
        rel = Path(bundle.name)
    name = f"{layout}.pdf" if lang is None else f"{layout}.{lang}.pdf"
    return options.out_dir / rel / name


def build(paths: list[Path] | None, options: BuildOptions) -> BuildReport:
    """Build every bundle under PATHS (default: the project's content/)."""
    root = options.project
    report = BuildReport()
    if options.lang is not None and options.lang not in LANGUAGES:
        raise UsageError(Diagnostic("handbill", None, f"unknown language '{options.lang}' "
                                    f"(languages: {', '.join(LANGUAGES)})"))
    if options.layout is not None and find_layout(options.layout, root) is None:
        raise UsageError(Diagnostic("handbill", None, f"unknown layout '{options.layout}'"))
    if options.citation_style is not None and options.citation_style not in STYLES \
            and not Path(options.citation_style).is_file() \
            and not (root / options.citation_style).is_file():
        raise UsageError(Diagnostic("handbill", None, f"unknown citation style "
                                    f"'{options.citation_style}' (built-in: vancouver, apa, "
                                    "gb-t-7714; or the path of a .csl file)"))
    paths = paths or [root / "content"]
    for path in paths:
        if not path.exists():
            raise UsageError(Diagnostic(display_path(path, root), None, "no such file or folder"))
    site = load_site(root)
    bundle_dirs = find_bundles(paths)
    if not bundle_dirs:
        raise UsageError(Diagnostic(", ".join(display_path(p, root) for p in paths), None,
                                    "no content bundle here (a bundle is a folder with a meta.yaml)"))
    for bundle_dir in bundle_dirs:
        warnings: list[Diagnostic] = []
        try:
            bundle = load_bundle(bundle_dir, root)
            report.written += _build_bundle(bundle, options, site, warnings)
        except UsageError:
            raise
        except HandbillError as error:
            report.diagnostics += error.diagnostics
        report.diagnostics += warnings
    return report


def _fit_hint(bundle: Bundle, layout) -> str:
    if layout.text == "short" and not bundle.short_bodies:
        return ("give the bundle a shorter text for small formats (en.short.md, zh-Hans.short.md), "
                "or use the booklet layout")
    return "shorten en.short.md and zh-Hans.short.md, or use the booklet layout"


def _build_bundle(bundle: Bundle, options: BuildOptions, site: Site,
                  warnings: list[Diagnostic]) -> list[PdfResult]:
    root = options.project
    shown = display_path(bundle.path, root)
    layouts = [options.layout] if options.layout else list(bundle.meta.layouts)
    if options.lang is None:
        languages = bundle.meta.languages
    elif options.lang in bundle.meta.languages:
        languages = (options.lang,)
    else:
        raise UsageError(Diagnostic(shown, None, f"bundle has no '{options.lang}' text"))
    jobs = []
    problems = []
    for name in layouts:
        layout = find_layout(name, root)
        if layout is None:
            problems.append(Diagnostic(display_path(bundle.meta_path, root),
                                       bundle.meta.lines.get("layouts", 1),
                                       f"unknown layout '{name}'", code="meta",
                                       hint="'handbill layouts' lists the layouts there are"))
            continue
        jobs.append(layout)
    if problems:
        raise ContentError(problems)
    problems = check_citations(bundle, root)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentError(errors)
    warnings[:] = problems
    written = []
    allowed = [root, builtin_layouts_dir(), Path(__file__).parent]
    bibliographies: dict[tuple[Path, bool], Bibliography] = {}
    full = bundle
    for layout in jobs:
        layout_options = layout.resolve_options(options.layout_options)
        bundle = full.shortened() if layout.text == "short" else full
        style = find_style(options.citation_style or bundle.meta.citation_style
                           or layout.citation_style or DEFAULT_STYLE, bundle, root)
        key = (style, bundle is full)
        if key not in bibliographies:
            bibliographies[key] = resolve_citations(bundle, style, root)
        html = render_html(bundle, layout, languages, layout_options, root, bibliographies[key],
                           site)
        plan = plan_fonts(root, layout)
        chars = printed_characters(html, languages)
        problems = check_coverage(chars, plan, bundle, root)
        if problems:
            raise ContentError(problems)
        font_css = font_face_css(plan, frozenset().union(*chars.values()), root)
        data, pages = render_pdf(html, base_url=bundle.path.resolve().as_uri() + "/",
                                 allowed=allowed, source=shown, stylesheets=(font_css,),
                                 font_families=tuple(plan.faces), max_pages=layout.pages,
                                 fit_hint=_fit_hint(full, layout))
        target = output_path(bundle, layout.name, options.lang, options)
        write_atomic(target, data)
        written.append(PdfResult(target, pages, len(data)))
        if layout.impose == "saddle-stitch":
            sheets = impose_booklet(data, sheet=layout_options.get("sheet", "A4"))
            imposed = target.with_name(target.stem + ".imposed.pdf")
            write_atomic(imposed, sheets)
            written.append(PdfResult(imposed, -(-pages // 4) * 2, len(sheets)))
    return written
