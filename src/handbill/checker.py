"""``handbill check``: every check on the content, without writing a PDF.

The checks are handbill.registry's. ``check`` takes the steps a build takes
(load, cite, render each layout's document, lay its pages out, make its PDF in
memory) but collects what a build refuses instead of stopping at the first, then
runs the checks of the writing that a build leaves out (readability, sentence
length, punctuation, page fill). Only a check that needs a step that failed is
not run, and a note says which and why. Findings come as
``path:line:col: severity: message [check-id]``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from . import __version__
from .builder import (_check_options, find_bundle_dirs, option_problems, output_path,
                      size_problems, unhonoured, unknown_layouts)
from .document import plan_document, prepare
from .citations import check_citations
from .content import load_bundle
from .errors import Diagnostic, HandbillError, display_path
from .layouts import find_layout
from .options import BuildOptions
from .registry import CHECKS
from .site import load_site
from .worker import time_limit, unexpected

CHECK_REPORT_VERSION = 2


def check(paths: list[Path] | None, options: BuildOptions) -> list[Diagnostic]:
    """Every finding about the bundles under PATHS, errors, warnings and notes of checks
    that could not run, in file order."""
    _check_options(options)
    root = options.project
    bundle_dirs, findings = find_bundle_dirs(paths, root)
    try:
        site = load_site(root)
    except HandbillError as error:  # the content is checked; no layout can be made
        site = None
        findings += error.diagnostics + [_skipped(
            display_path(root / "site.yaml", root), None, _needing("html", "pages", "pdf"),
            "site.yaml does not load (every layout prints the clinic's name from it)")]
    layouts: list[str] = []  # every layout checked, for what no bundle could have in it
    for bundle_dir in bundle_dirs:
        try:
            with time_limit(options.timeout, display_path(bundle_dir, root), "checking the bundle"):
                findings += _check_bundle(bundle_dir, options, site, layouts)
        except HandbillError as error:
            findings += error.diagnostics
        except Exception as error:  # noqa: BLE001 - one bundle's bug never stops the others
            findings.append(unexpected(error, display_path(bundle_dir, root)))
    findings += unhonoured(list(dict.fromkeys(layouts)), options)
    return _unique(findings)


def _needing(*steps: str) -> tuple[str, ...]:
    """The ids of the checks that look at STEPS (output aside: check writes nothing)."""
    return tuple(c.id for c in CHECKS.values() if c.needs in steps and c.id != "output")


def _skipped(path: str, layout: str | None, ids, because: str) -> Diagnostic:
    """A note naming the checks that could not run, and why."""
    where = f" for the {layout} layout" if layout else ""
    return Diagnostic(path, None, f"not checked{where}: {', '.join(ids)}, because {because}",
                      severity="note", code="skipped",
                      hint="fix the errors above, then check again")


def _check_bundle(bundle_dir: Path, options: BuildOptions, site,
                  layouts: list[str]) -> list[Diagnostic]:
    from .checks import check_bundle

    root = options.project
    shown = display_path(bundle_dir, root)
    try:
        bundle = load_bundle(bundle_dir, root)
    except HandbillError as error:
        return error.diagnostics + [_skipped(shown, None, _needing(
            "content", "citations", "html", "pages", "pdf"), "the bundle does not load")]
    if options.lang is not None and options.lang not in bundle.meta.languages:
        return [*bundle.warnings, Diagnostic(shown, None, f"bundle has no '{options.lang}' text",
                                             code="meta")]
    names = [options.layout] if options.layout else list(dict.fromkeys(bundle.meta.layouts))
    unknown = unknown_layouts(bundle.meta_path, bundle.meta, names, root)
    names = [n for n in names if find_layout(n, root) is not None]
    too_long = size_problems(bundle, [find_layout(n, root) for n in names], options.lang, options)
    if too_long:  # what comes next would take as long as the text is long
        return [*bundle.warnings, *unknown, *too_long, _skipped(shown, None, _needing(
            "content", "citations", "html", "pages", "pdf"), "its text is too long")]
    found = [*bundle.warnings, *check_citations(bundle, root), *check_bundle(bundle, root, lang=options.lang),
             *unknown]
    found += _rows_problems(bundle, options)
    # The pages are checked with each placeholder printed as written ({{ name }}).
    from .personalise import fill, names as placeholders

    written = {name: "{{ " + name + " }}" for name in placeholders(bundle)}
    if written:
        from .languages import load_languages

        table = load_languages(root)
        bundle = fill(bundle, written, lambda tag: table[tag].typography.han)
    cited = [f for f in found if f.severity == "error" and f.code == "citation"]
    if cited:  # a citation to nowhere cannot be formatted: nothing after it can be made
        found.append(_skipped(shown, None, _needing("html", "pages", "pdf"),
                              "its citations cannot be formatted"))
        return found
    if site is None:
        return found
    for name in names:
        layouts.append(name)
        try:
            found += _check_layout(bundle, find_layout(name, root), options, site,
                                   said={f.code for f in found if f.severity == "error"})
        except HandbillError as error:
            found += error.diagnostics
    return found


def _rows_problems(bundle, options: BuildOptions) -> list[Diagnostic]:
    """Without --data, each placeholder (a build would refuse it); with --data, the rows'
    problems (a build leaves those rows out)."""
    from .personalise import names, unfilled

    languages = (options.lang,) if options.lang else bundle.meta.languages
    if options.data is None:
        return unfilled(bundle, options.project, languages)
    from .rows import load_rows

    try:
        return load_rows(options.data, options.project, names(bundle, languages))[1]
    except HandbillError as error:
        return error.diagnostics


def _check_layout(bundle, layout, options: BuildOptions, site,
                  said: set[str] = frozenset()) -> list[Diagnostic]:
    """The checks of one layout's document; SAID: the ids of the errors found before it,
    whose consequences on the pages are not found twice."""
    from .pages import MIN_PAGE_LINES, locate, sparse_pages
    from .pdf import check_pdf

    root = options.project
    source = display_path(bundle.path, root)
    found = option_problems(bundle, layout, options, site,
                            output_path(bundle.path, layout.name, options.lang, options).name)
    try:  # the same steps as a build's, its refusals collected instead
        html, spec = prepare(plan_document(bundle, layout, options.lang, options, site),
                             options, found)
    except HandbillError as error:
        return found + error.diagnostics + [_skipped(source, layout.name,
                                                     _needing("html", "pages", "pdf"),
                                                     "its document cannot be made")]
    document, problems = check_pdf(html, **spec.pdf_arguments())
    if any(f.code == "font-coverage" for f in found):  # the gaps fell back: said already
        problems = [p for p in problems if p.code != "font-fallback" and not (
            p.code == "render" and ".notdef glyph rendered" in p.message)]
        found.append(_skipped(source, layout.name, ("font-fallback",),
                              "some characters have no font (font-coverage)"))
    if "alt-text" in said:  # WeasyPrint's tagging says the same of the image
        problems = [p for p in problems
                    if not (p.code == "render" and "has no required alt description" in p.message)]
    found += problems
    if not any(p.code == "layout-fit" for p in problems):  # a page that overflows says so
        for number, lines, first in sparse_pages(document.pages):
            where = locate(first, spec.text_files, root, last=False)
            path, line, column = ((display_path(where[0], root), where[1], where[2]) if where
                                  else (source, None, None))
            said = (f"page {number} of the {layout.name} layout holds only {lines} "
                    f"line{'s' if lines != 1 else ''} of text (fewer than {MIN_PAGE_LINES})")
            found.append(Diagnostic(
                path, line, said + (", from this line on" if where else ""),
                severity="warning", column=column, code="page-fill",
                hint="shorten the text before it a little, or add to it; a page that "
                     "carries a few lines looks left over"))
    return found


def _unique(findings: list[Diagnostic]) -> list[Diagnostic]:
    """Each finding once (several layouts find the same coverage gap), in file order."""
    seen = dict.fromkeys(d if d.code else replace(d, code="content") for d in findings)
    # In file order, the notes of checks that could not run after what stopped them.
    return sorted(seen, key=lambda d: (d.severity == "note", d.path, d.line or 0, d.column or 0))


def failed(findings: list[Diagnostic], strict: bool) -> bool:
    return any(f.severity == "error" or (strict and f.severity == "warning") for f in findings)


def findings_json(findings: list[Diagnostic], strict: bool) -> str:
    """The findings for machines (schema: docs/check.schema.json)."""
    return json.dumps({
        "version": CHECK_REPORT_VERSION,
        "handbill": __version__,
        "strict": strict,
        "failed": failed(findings, strict),
        "errors": sum(f.severity == "error" for f in findings),
        "warnings": sum(f.severity == "warning" for f in findings),
        "notes": sum(f.severity == "note" for f in findings),
        "findings": [f.as_json() for f in findings],
    }, indent=2, ensure_ascii=False)
