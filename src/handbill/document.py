"""One document's plan, made once by the front of the pipeline, and what the back renders.

:func:`plan_document` turns a loaded bundle, a layout and the options into a frozen
:class:`DocumentPlan`: the bundle as the layout prints it, its languages' profiles in
order, the layout, the typed options (resolved once: layout defaults, site.yaml,
meta.yaml, the command line), the citation style and the formatted citations, and the
font plan. :func:`prepare` renders it to HTML, checks and subsets the fonts, and gives
the back a :class:`RenderSpec`: everything WeasyPrint's stage needs, typed and picklable.
``build`` and ``check`` both go through here (check collects what build raises).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .citations import DEFAULT_STYLE, STYLES, Bibliography, find_style, start_citations
from .errors import ContentError, Diagnostic, UsageError, display_path
from .fonts import FontPlan
from .languages import LanguageProfile, load_languages
from .layout_options import ResolvedOptions, Source, resolve
from .layouts import Layout, option_names
from .places import builtin_layouts_dir
from .model import Bundle
from .options import BuildOptions
from .site import SITE_FILE, Site
from .spec import RenderSpec


@dataclass(frozen=True)
class DocumentPlan:
    """Everything one document is made of, decided before anything is rendered."""

    #: The bundle as the layout prints it (its shorter text for a leaflet) and as loaded.
    bundle: Bundle
    full: Bundle
    #: The languages it prints, in order, each its row of the languages table.
    languages: tuple[LanguageProfile, ...]
    #: The single language asked for (--lang), or None for every language of the bundle.
    lang: str | None
    layout: Layout
    options: ResolvedOptions
    style: Path
    bibliography: Bibliography
    fonts: FontPlan
    site: Site
    project: Path

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(profile.tag for profile in self.languages)


def document_options(full: Bundle, layout: Layout, site: Site, options: BuildOptions
                     ) -> tuple[ResolvedOptions, list[Diagnostic]]:
    """LAYOUT's options for FULL: its defaults, then site.yaml's options:, the bundle's
    meta.yaml options: and the command line, each over the one before; a bad value is an
    error at its line (the command line's: a misuse, raised earlier by the plan)."""
    root = options.project
    sources = []
    if site.options:
        sources.append(Source.of("site", site.options, display_path(site.path or root / SITE_FILE,
                                                                    root), site.option_lines))
    if full.meta.options:
        sources.append(Source.of("meta", full.meta.options, display_path(full.meta_path, root),
                                 full.meta.option_lines))
    sources.append(Source.of("usage", options.layout_options))
    known = option_names(root) if (site.options or full.meta.options) else set()
    return resolve(layout.name, layout.options, sources, known)


def plan_document(full: Bundle, layout: Layout, lang: str | None, options: BuildOptions,
                  site: Site) -> DocumentPlan:
    """The plan of FULL in LAYOUT (in LANG alone, or in all its languages); ContentError
    with every problem of its options."""
    from .builder import size_problems
    from .coverage import cmap
    from .fonts import plan_fonts
    from .render import load_template

    root = options.project
    resolved, problems = document_options(full, layout, site, options)
    if problems:
        raise ContentError(problems)
    table = load_languages(root)
    tags = full.meta.languages if lang is None else (lang,)
    if layout.bilingual and lang is None:  # side by side: two of the bundle's languages
        tags = _pair(resolved.get("pair", ""), tags, full, options)
    bundle = full.shortened() if layout.text == "short" else full
    too_long = size_problems(full, [layout], lang, options)
    if too_long:
        raise ContentError(too_long)
    given = options.citation_style
    if given and given not in STYLES and Path(given).is_file():  # a path, from where it was given
        given = os.path.abspath(given)
    if given or bundle.meta.citation_style or not layout.citation_style:
        style = find_style(given or bundle.meta.citation_style or DEFAULT_STYLE, bundle, root)
    else:  # the layout's: named, and found first, beside its layout.yaml
        style = find_style(layout.citation_style, bundle, root, layout.citation_style_line,
                           layout.path / "layout.yaml")
    # While Pandoc formats the citations (if it must), read the fonts and the templates.
    citations = start_citations(bundle, style, root)
    fonts = plan_fonts(root, layout, tags)
    for face in {face for faces in fonts.faces.values() for face in faces}:
        cmap(face)
    load_template(layout, root)
    return DocumentPlan(bundle, full, tuple(table[tag] for tag in tags), lang, layout, resolved,
                        style, citations(), fonts, site, root)


def _pair(given: str, tags: tuple[str, ...], full: Bundle, options: BuildOptions
          ) -> tuple[str, ...]:
    """The two languages a side-by-side layout sets: those of its pair option
    (en,zh-Hant), else the bundle's first two; a pair the bundle does not print is an
    error where the option was given."""
    if not given:
        return tags[:2]
    pair = tuple(tag.strip() for tag in given.split(","))
    if len(pair) == 2 and len(set(pair)) == 2 and all(tag in tags for tag in pair):
        return pair
    if "pair" in options.layout_options:
        raise UsageError(Diagnostic(
            "handbill", None, f"--option pair={given}: the parallel layout sets two of the "
            f"bundle's languages side by side ({', '.join(tags)})",
            hint=f"for example --option pair={tags[0]},{tags[-1]}"))
    where = (full.meta_path, full.meta.option_lines.get("pair")) if "pair" in full.meta.options \
        else (options.project / SITE_FILE, None)
    raise ContentError(Diagnostic(
        display_path(where[0], options.project), where[1], f"option pair: {given}: two of "
        f"the bundle's languages, side by side ({', '.join(tags)})", code="meta",
        hint=f"for example pair: {tags[0]},{tags[-1]}"))


def prepare(plan: DocumentPlan, options: BuildOptions,
            found: list[Diagnostic] | None = None, row_chars: frozenset = frozenset(),
            private: bool = False) -> tuple[str, RenderSpec]:
    """PLAN rendered: its HTML, fonts checked and subset, and the back's RenderSpec.

    Characters no font has are an error raised here, or, given FOUND (``check``, which
    goes on to lay the pages out), added to it.
    """
    from .coverage import check_coverage, printed_characters
    from .pages import MIN_LARGE_PRINT_PT, MIN_TEXT_PT
    from .render import render_html
    from .subset import font_face_css

    root, layout, bundle = plan.project, plan.layout, plan.bundle
    html = render_html(bundle, layout, plan.tags, plan.options, root, plan.bibliography,
                       plan.site)
    clusters: dict[str, set[str]] = {}
    chars = printed_characters(html, plan.tags, root, clusters)
    problems = check_coverage(chars, plan.fonts, bundle, root, clusters)
    if problems and found is None:
        raise ContentError(problems)
    if found is not None:
        found += problems
    fonts_cache = None
    if row_chars or private:
        # A personalised batch: the fonts are subset once for every row's characters (the
        # same subsets, the same CSS for all rows), and kept with the outputs, owner-only:
        # the characters of the patients' names never go into the project's .cache.
        chars = {lang: found_here | row_chars for lang, found_here in chars.items()}
        fonts_cache = _private_fonts(options.out_dir)
    css = font_face_css(plan.fonts, frozenset().union(*chars.values()), root, chars,
                        cache_root=fonts_cache)
    if layout.measure:  # laid out once to measure, as the template has it (`measuring`)
        probe = render_html(bundle, layout, plan.tags, plan.options, root, plan.bibliography,
                            plan.site, measuring=True)
        html = render_html(bundle, layout, plan.tags, plan.options, root, plan.bibliography,
                           plan.site, fit=measure(probe, css, bundle, root,
                                                    fonts_cache))
    large = plan.options.large_print
    cmyk = plan.options.colour == "cmyk" or options.pdf_variant == "pdf/x-4"
    return html, RenderSpec(
        base_url=bundle.path.resolve().as_uri() + "/",
        allowed=tuple(allowed_folders(root)) + ((fonts_cache,) if fonts_cache else ()),
        source=display_path(bundle.path, root), stylesheets=(css,),
        font_families=tuple(plan.fonts.faces), max_pages=layout.pages,
        fit_hint=fit_hint(plan.full, layout), variant=options.pdf_variant,
        text_files=(*(body.path for body in bundle.bodies.values()), plan.full.meta_path),
        project=root, page_limit=options.max_pages, marks=plan.options.marks,
        bleed_mm=plan.options.bleed_mm, folds=layout.folds.get(plan.options.page_size, ()),
        output_profile=plan.site.print_profile if cmyk and options.pdf_variant != "pdf/a-2b"
        else None,
        min_text_pt=MIN_LARGE_PRINT_PT if large else MIN_TEXT_PT,
        type_size_who="large print needs" if large else "patients need",
        type_size_hint=f"raise the text size (--body-size in "
                       f"layouts/{layout.name}/{layout.name}.css), or, for fine print, put it "
                       "in a > [!FINEPRINT] callout",
        # the imposed booklet is printed on its page size (bleed and marks it cannot
        # take: see builder.unhonoured)
        sheet=plan.options.page_size if layout.impose == "saddle-stitch" else None)


def _private_fonts(out_dir: Path) -> Path:
    """The owner-only folder a personalised batch keeps its font subsets in (a Cache's root:
    the subsets go in its .cache/handbill/fonts)."""
    folder = out_dir / ".handbill-private"
    for path in (out_dir, folder):
        if not path.exists():
            path.mkdir(mode=0o700, parents=True)
    os.chmod(folder, 0o700)
    return folder


def measure(html: str, css: str, bundle: Bundle, root: Path, fonts: Path | None = None
            ) -> dict:
    """For a layout that measures: how much of each text its template marked (data-fit)
    fits its first column, HTML laid out once to see (handbill.panels)."""
    from .panels import fitted
    from .pdf import lay_out

    document, _ = lay_out(html, base_url=bundle.path.resolve().as_uri() + "/",
                          allowed=allowed_folders(root) + ([fonts] if fonts else []),
                          source=str(bundle.path),
                          stylesheets=(css,))
    return fitted(document.pages)


def fit_hint(bundle: Bundle, layout: Layout) -> str:
    files = [f"{lang}.short.md" for lang in bundle.meta.languages]
    named = ", ".join(files) if len(files) != 2 else " and ".join(files)
    if layout.text == "short" and not bundle.short_bodies:
        return (f"give the bundle a shorter text for small formats ({', '.join(files)}), "
                "or use the booklet layout")
    return f"shorten {named}, or use the booklet layout"


def allowed_folders(root: Path) -> list[Path]:
    """What WeasyPrint may read: the project and handbill's own files."""
    return [root, builtin_layouts_dir(), Path(__file__).parent]
