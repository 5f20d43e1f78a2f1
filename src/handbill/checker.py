"""``handbill check``: every check on the content, without writing a PDF.

Schema (loading), citations, translation parity, alt text, readability and
Chinese sentence length (``checks``), font coverage, and, from pages that
WeasyPrint lays out but nobody writes, layout fit and the body's type size.
Findings come as ``path:line:col: severity: message [check-id]``.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import __version__
from .builder import (_check_options, allowed_folders, find_bundle_dirs, fit_hint, prepare,
                      unknown_layouts)
from .citations import check_citations
from .content import load_bundle
from .errors import Diagnostic, HandbillError, display_path
from .layouts import find_layout
from .options import BuildOptions
from .site import load_site
from .worker import time_limit, unexpected

#: The smallest body text a layout may set, in points (patients read it).
MIN_BODY_PT = 11.0
MIN_LARGE_PRINT_PT = 14.0
CHECK_REPORT_VERSION = 1


def check(paths: list[Path] | None, options: BuildOptions) -> list[Diagnostic]:
    """Every finding about the bundles under PATHS, errors and warnings, in file order."""
    _check_options(options)
    root = options.project
    try:
        site = load_site(root)
    except HandbillError as error:
        return error.diagnostics
    bundle_dirs, findings = find_bundle_dirs(paths, root)
    for bundle_dir in bundle_dirs:
        try:
            with time_limit(options.timeout, display_path(bundle_dir, root), "checking the bundle"):
                findings += _check_bundle(bundle_dir, options, site)
        except HandbillError as error:
            findings += error.diagnostics
        except Exception as error:  # noqa: BLE001 - one bundle's bug never stops the others
            findings.append(unexpected(error, display_path(bundle_dir, root)))
    return _unique(findings)


def _check_bundle(bundle_dir: Path, options: BuildOptions, site) -> list[Diagnostic]:
    from .checks import check_bundle

    root = options.project
    bundle = load_bundle(bundle_dir, root)
    found = [*bundle.warnings, *check_citations(bundle, root), *check_bundle(bundle, root)]
    names = [options.layout] if options.layout else list(dict.fromkeys(bundle.meta.layouts))
    found += unknown_layouts(bundle.meta_path, bundle.meta, names, root)
    renderable = not any(f.severity == "error" and f.code in ("citation", "meta") for f in found)
    for name in names if renderable else []:  # a citation to nowhere cannot be rendered
        try:
            found += _check_layout(bundle, find_layout(name, root), options, site)
        except HandbillError as error:
            found += error.diagnostics
    return found


def _check_layout(bundle, layout, options: BuildOptions, site) -> list[Diagnostic]:
    from .pdf import MIN_PAGE_LINES, body_size, lay_out, locate_text, sparse_pages

    root = options.project
    try:
        html, css, _fonts, shown_bundle = prepare(bundle, layout, options.lang, options, site)
    except HandbillError as error:
        return error.diagnostics
    source = display_path(bundle.path, root)
    document, problems = lay_out(html, base_url=shown_bundle.path.resolve().as_uri() + "/",
                                 allowed=allowed_folders(root), source=source, stylesheets=(css,),
                                 max_pages=layout.pages, fit_hint=fit_hint(bundle, layout),
                                 text_files=tuple(b.path for b in shown_bundle.bodies.values()),
                                 project=root)
    large = layout.resolve_options(options.layout_options).get("large-print") == "yes"
    smallest = MIN_LARGE_PRINT_PT if large else MIN_BODY_PT
    size = body_size(document.pages)
    if size < smallest:
        problems.append(Diagnostic(
            source, None, f"the {layout.name} layout sets body text at {size:g} pt; "
            f"{'large print needs' if large else 'patients need'} at least {smallest:g} pt",
            code="type-size", hint=f"raise --body-size in layouts/{layout.name}/{layout.name}.css"))
    if not problems:  # an overflowing or broken layout says so first
        text_files = tuple(b.path for b in shown_bundle.bodies.values())
        for number, lines, first in sparse_pages(document.pages):
            where = locate_text(first, text_files, root, last=False)
            path, line, column = ((display_path(where[0], root), where[1], where[2]) if where
                                  else (source, None, None))
            problems.append(Diagnostic(
                path, line, f"page {number} of the {layout.name} layout holds only {lines} "
                f"line{'s' if lines != 1 else ''} of text (fewer than {MIN_PAGE_LINES}), "
                "from this line on" if where else
                f"page {number} of the {layout.name} layout holds only {lines} "
                f"line{'s' if lines != 1 else ''} of text (fewer than {MIN_PAGE_LINES})",
                severity="warning", column=column, code="page-fill",
                hint="shorten the text before it a little, or add to it; a page that "
                     "carries a few lines looks left over"))
    return problems


def _unique(findings: list[Diagnostic]) -> list[Diagnostic]:
    """Each finding once (several layouts find the same coverage gap), in file order."""
    seen = dict.fromkeys(findings)
    return sorted(seen, key=lambda d: (d.path, d.line or 0, d.column or 0))


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
        "findings": [{"path": f.path, "line": f.line, "column": f.column,
                      "severity": f.severity, "check": f.code, "message": f.message,
                      "hint": f.hint} for f in findings],
    }, indent=2, ensure_ascii=False)
