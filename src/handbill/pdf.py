"""HTML to PDF with WeasyPrint: sandboxed, loud about problems, deterministic, atomic.

WeasyPrint logs problems (a missing image, a bad CSS rule) instead of raising
them; here every warning it logs while rendering becomes an error, so nothing
silently vanishes from a page.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from .errors import Diagnostic, RenderError, display_path


#: WeasyPrint messages that say nothing about the page itself.
BENIGN = ("Using fontTools instead of HarfBuzz-Subset",)


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(BENIGN):
            self.messages.append(message)
            record.expected = True  # said: it becomes a finding (tests look for the unsaid)


#: The FontConfiguration and parsed stylesheets of the last document, by its stylesheets.
_LOADED_FONTS: dict = {}


def forget_fonts() -> None:
    """Let go of the kept fonts: WeasyPrint then deletes its temporary copies of them.

    Run when a process ends (a worker's end included, where atexit does not run).
    """
    import shutil

    # WeasyPrint deletes a FontConfiguration's folder of font files when the object
    # is collected; deleting it here spares a full collection (30 ms in a worker
    # that rendered) on the way out. Its own deletion later finds nothing to do.
    collect = False
    for font_config, _css in _LOADED_FONTS.values():
        if not hasattr(font_config, "_folder"):  # another WeasyPrint: let it delete its own
            collect = True
        elif font_config._folder:
            shutil.rmtree(font_config._folder, ignore_errors=True)
    _LOADED_FONTS.clear()
    if collect:
        import gc

        gc.collect()


def _keep_fonts(key, loaded) -> None:
    global _FORGET_AT_EXIT
    if not _FORGET_AT_EXIT:
        import atexit
        from multiprocessing import util

        atexit.register(forget_fonts)
        util.Finalize(None, forget_fonts, exitpriority=0)  # a pool worker's exit
        _FORGET_AT_EXIT = True
    _LOADED_FONTS.clear()  # one set at a time: each holds its fonts in memory
    _LOADED_FONTS[key] = loaded


_FORGET_AT_EXIT = False
#: Fonts a forked worker found kept by its parent: still the parent's (their files
#: too), so never let go of here, where letting go would delete the parent's files.
_PARENTS_FONTS: list = []


def _after_fork_in_child() -> None:
    global _FORGET_AT_EXIT
    _PARENTS_FONTS.extend(_LOADED_FONTS.values())
    _LOADED_FONTS.clear()
    _FORGET_AT_EXIT = False  # the parent's exit handlers do not run in a worker


os.register_at_fork(after_in_child=_after_fork_in_child)


def lay_out(html: str, *, base_url: str, allowed: list[Path], source: str,
            stylesheets: tuple[str, ...] = (), max_pages: int | None = None,
            fit_hint: str | None = None, text_files: tuple[Path, ...] = (),
            project: Path | None = None, min_text_pt: float | None = None,
            type_size_hint: str | None = None, type_size_who: str = "patients need"):
    """WeasyPrint's laid-out document for HTML, and the problems seen doing it.

    SOURCE names the document in diagnostics (its bundle path). With MAX_PAGES
    (a leaflet's sides), laying out more pages is a problem that says by how
    much the text overflowed, measured on the laid-out pages, and where in
    TEXT_FILES (shown relative to PROJECT) the first line that did not fit is.
    With MIN_TEXT_PT, running text set smaller is a problem (``type-size``).
    """
    from .engine import load

    weasyprint = load()  # here: loading content and checking it need no WeasyPrint
    from weasyprint.text.fonts import FontConfiguration

    from .fetcher import SandboxedFetcher

    fetcher = SandboxedFetcher(allowed)
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        # @font-face rules of stylesheets given here need a FontConfiguration shared
        # by the CSS objects and the render. Loading the fonts costs about 50 ms a
        # document; the next document with the same stylesheets (the same font
        # subsets: the same characters) reuses them, and the bytes are the same.
        key = (stylesheets, tuple(allowed))
        loaded = _LOADED_FONTS.get(key)
        if loaded is None:
            font_config = FontConfiguration()
            css = [weasyprint.CSS(string=s, url_fetcher=fetcher, font_config=font_config)
                   for s in stylesheets]
            if not collector.messages and not fetcher.refused:  # only what loaded cleanly
                _keep_fonts(key, (font_config, css))
        else:
            font_config, css = loaded
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=css, font_config=font_config)
    finally:
        logger.removeHandler(collector)
    problems = [Diagnostic(source, None, f"refused to load {_shown_url(url, project)}: {why}",
                           code="fetch") for url, why in fetcher.refused]
    messages = [m for m in collector.messages
                if not any(url[:80] in m for url, _ in fetcher.refused)]
    messages = [_FILE_URL.sub(lambda m: _shown_url(m.group(), project), m) for m in messages]
    for message in dict.fromkeys(messages):  # each once, in order, with its count
        count = messages.count(message)
        problems.append(Diagnostic(source, None, f"WeasyPrint: {message}"
                                   + (f" ({count} times)" if count > 1 else ""), code="render"))
    problems += fit_problems(document.pages, source, max_pages, fit_hint, text_files, project)
    if min_text_pt is not None:
        problems += type_size_problems(document.pages, source, min_text_pt, text_files,
                                       project, type_size_hint, type_size_who)
    return document, problems


def _at(where, source: str, project: Path | None) -> tuple[str, int | None, int | None]:
    if where is None:
        return source, None, None
    return (display_path(where[0], project) if project else str(where[0])), where[1], where[2]


def fit_problems(pages, source: str, max_pages: int | None, fit_hint: str | None,
                 text_files: tuple[Path, ...], project: Path | None) -> list[Diagnostic]:
    """``layout-fit``: text that a panel cuts off or that runs past its column, and text
    past the layout's last page, each located at the first line that does not fit."""
    from .pages import clipped, locate, overflow, section_at

    problems = []
    for number, count, depth, first in clipped(pages):
        where = locate(first, text_files, project)
        message = (f"text does not fit its column or panel on page {number}: {count} line"
                   f"{'s' if count != 1 else ''} run {depth:.0f} mm past its edge and would "
                   "be cut off")
        path, line, column = _at(where, source, project)
        problems.append(Diagnostic(
            path, line, message + (", from this line on" if where else
                                   f": '{first.text.strip()[:40]}'"),
            column=column, code="layout-fit",
            hint="shorten it (the references, the disclaimer, or a word or number too long "
                 "for the column: a line can break only between words), or use the booklet "
                 "layout"))
    if max_pages is not None and len(pages) > max_pages:
        for start, count in overflow_runs(pages, max_pages):
            lines, height, first = overflow(pages[start:start + count])
            # The first overflowing line found in the text (a title from meta.yaml is not).
            where = next(filter(None, (locate(line, text_files, project) for line in first)),
                         None)
            message = (f"the text does not fit the layout's {max_pages} pages: it overflows by "
                       f"{lines} line{'s' if lines != 1 else ''} ({height:.0f} mm of text) onto "
                       f"{count} more")
            if where is None:
                problems.append(Diagnostic(source, None, message, code="layout-fit",
                                           hint=fit_hint))
                continue
            section = section_at(where[0], where[1], project)
            path, line, column = _at(where, source, project)
            problems.append(Diagnostic(
                path, line, message + ", from this line on" + (
                    f", in the section '{section}'" if section else ""),
                column=column, code="layout-fit",
                hint=(f"shorten the section '{section}' (or the text before it); "
                      if section else "") + (fit_hint or "")))
    return problems


def overflow_runs(pages, max_pages: int) -> list[tuple[int, int]]:
    """Where a text ran onto pages the layout does not have, as (index of the first such
    page, how many): each run of pages named as the one before it (a leaflet's side,
    @page outside, that took more than one page), or, with no such run, the pages past
    the layout's MAX_PAGES."""
    names = [getattr(page._page_box.page_type, "name", None) for page in pages]
    runs: list[tuple[int, int]] = []
    for i in range(1, len(names)):
        if names[i] and names[i] == names[i - 1]:
            if runs and sum(runs[-1]) == i:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((i, 1))
    if sum(count for _, count in runs) != len(pages) - max_pages:
        return [(max_pages, len(pages) - max_pages)]
    return runs


def type_size_problems(pages, source: str, smallest: float, text_files: tuple[Path, ...],
                       project: Path | None, hint: str | None,
                       who: str = "patients need") -> list[Diagnostic]:
    """``type-size``: running text (the bodies' paragraphs and list items) set smaller
    than SMALLEST points, at the first such element's source line."""
    from .pages import locate, small_running_text

    small = small_running_text(pages, smallest)
    if not small:
        return []
    first = small[0]
    element = {"p": "paragraph", "li": "list item"}.get(first.tag or "", "text")
    sizes = "/".join(f"{size:g}" for size in sorted({line.size_pt for line in small}))
    numbers = sorted({line.page for line in small})
    on = (f"page {numbers[0]}" if len(numbers) == 1 else
          f"pages {numbers[0]}-{numbers[-1]}")
    path, line, column = _at(locate(first, text_files, project), source, project)
    return [Diagnostic(
        path, line, f"running text set at {sizes} pt, from this {element} on "
        f"({len(small)} line{'s' if len(small) != 1 else ''}, {on}); {who} at least "
        f"{smallest:g} pt", column=column, code="type-size", hint=hint)]


#: A file: URL in a WeasyPrint message (shown as a path in the project instead).
_FILE_URL = re.compile(r"file://[^\s'\"]+")


def _shown_url(url: str, project: Path | None) -> str:
    """URL as a message shows it: a file by its path in the project, a data: URL cut short."""
    if url.startswith("file:"):
        from urllib.parse import unquote, urlsplit

        return display_path(Path(unquote(urlsplit(url).path)), project)
    return url if len(url) <= 80 else url[:80] + "…"


#: The PDF variants handbill offers (WeasyPrint's names). Every PDF is tagged.
VARIANTS = ("pdf/ua-1", "pdf/a-2b")


def render_pdf(html: str, *, base_url: str, allowed: list[Path], source: str,
               stylesheets: tuple[str, ...] = (),
               font_families: tuple[str, ...] | None = None, max_pages: int | None = None,
               fit_hint: str | None = None, variant: str | None = None,
               page_limit: int | None = None,
               output_profile: Path | None = None, text_files: tuple[Path, ...] = (),
               project: Path | None = None, marks: str = "none", bleed_mm: float = 0.0,
               folds: tuple[tuple[float, ...], ...] = (), min_text_pt: float | None = None,
               type_size_hint: str | None = None,
               type_size_who: str = "patients need") -> tuple[bytes, int]:
    """Lay out HTML and return (PDF bytes, page count); raise RenderError on any problem.

    The PDF is tagged (structure, /Lang per block, alt text); VARIANT makes it
    PDF/UA-1 or PDF/A-2b. With FONT_FAMILIES, a font outside them in the PDF (a
    system fallback) is an error.
    """
    document, problems = lay_out(html, base_url=base_url, allowed=allowed, source=source,
                                 stylesheets=stylesheets, max_pages=max_pages, fit_hint=fit_hint,
                                 text_files=text_files, project=project,
                                 min_text_pt=min_text_pt, type_size_hint=type_size_hint,
                                 type_size_who=type_size_who)
    problems += page_limit_problems(document, source, page_limit)
    if problems:
        raise RenderError(problems)
    data, problems = write(document, source=source, font_families=font_families,
                           variant=variant, output_profile=output_profile, project=project,
                           marks=marks, bleed_mm=bleed_mm, folds=folds)
    if problems:
        raise RenderError(problems)
    return data, len(document.pages)


def check_pdf(html: str, *, page_limit: int | None = None, **render) -> tuple[object, list]:
    """What ``render_pdf`` would refuse, all of it: the laid-out document and every problem
    found laying it out and writing it (the PDF is made in memory and dropped)."""
    layout_args = {k: render[k] for k in ("base_url", "allowed", "source", "stylesheets",
                                          "max_pages", "fit_hint", "text_files", "project",
                                          "min_text_pt", "type_size_hint", "type_size_who")
                   if k in render}
    document, problems = lay_out(html, **layout_args)
    problems += page_limit_problems(document, render["source"], page_limit)
    write_args = {k: render[k] for k in ("source", "font_families", "variant", "output_profile",
                                         "project", "marks", "bleed_mm", "folds") if k in render}
    problems += write(document, **write_args)[1]
    return document, problems


def page_limit_problems(document, source: str, page_limit: int | None) -> list[Diagnostic]:
    if page_limit is not None and len(document.pages) > page_limit:
        return [Diagnostic(source, None, f"the document has {len(document.pages)} pages, "
                           f"more than the limit of {page_limit}", code="limits",
                           hint="raise it with --max-pages if the text is meant to be that long")]
    return []


def write(document, *, source: str, font_families: tuple[str, ...] | None = None,
          variant: str | None = None, output_profile: Path | None = None,
          project: Path | None = None, marks: str = "none", bleed_mm: float = 0.0,
          folds: tuple[tuple[float, ...], ...] = ()) -> tuple[bytes, list[Diagnostic]]:
    """The PDF of a laid-out DOCUMENT, and the problems found writing it (links it may
    not carry, fonts the layout does not name, WeasyPrint's warnings)."""
    from . import write_once
    from .tagging import install

    install()
    used: list[str] = []
    problems: list[Diagnostic] = []
    # identifier=True: pydyf derives the PDF's /ID from the PDF's own objects, so the
    # same content gives the same bytes wherever the project lies.
    def finish(_document, pdf) -> None:
        used.extend(_font_names(pdf))
        problems.extend(link_problems(pdf, source))
        _fix_xmp_document_id(pdf)
        from . import marks as printer_marks

        printer_marks.draw(pdf, marks, bleed_mm, folds)
        if output_profile is not None:
            _add_output_intent(pdf, output_profile, project)
        write_once.start()  # pydyf writes next: each object serialized once

    collector = _Collector()  # writing warns too (an image without alt text when tagging)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        data = document.write_pdf(pdf_identifier=True, pdf_tags=True, pdf_variant=variant,
                                  finisher=finish)
    finally:
        logger.removeHandler(collector)
        write_once.stop()
    problems += [Diagnostic(source, None, f"WeasyPrint: {message}", code="render")
                 for message in dict.fromkeys(collector.messages)]
    if font_families is not None:
        ours = tuple(family.replace(" ", "-") for family in font_families)
        for name in sorted(set(used)):
            if not name.partition("+")[2].startswith(ours):
                problems.append(Diagnostic(source, None, f"text fell back to the font {name}, "
                                           "which the layout does not name", code="font-fallback"))
    return data, problems


#: The only links a PDF may carry (and a heading of its own, a GoTo, not a URI).
LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")


def link_problems(pdf, source: str) -> list[Diagnostic]:
    """An error for each link annotation of PDF (pydyf's, before it is written) whose
    address is not http(s), mailto or tel: the last guard, whatever made the link (the
    text, a layout's template, a reference), so that no PDF links to a file or a
    script, nor tells the paths of the machine that built it."""
    found = []
    for obj in pdf.objects:
        if not isinstance(obj, dict) or str(obj.get("Subtype", "")) != "/Link":
            continue
        action = obj.get("A")
        uri = getattr(action.get("URI"), "string", "") if isinstance(action, dict) else ""
        if action is not None and not str(uri).lower().startswith(LINK_SCHEMES):
            scheme = re.match(r"^([a-z][a-z0-9+.-]*):", str(uri), re.I)
            found.append(Diagnostic(
                source, None, f"a layout or the content made a link to a "
                f"{scheme.group(1) + ': address' if scheme else 'path'}, which a handout may "
                "not carry (allowed: http, https, mailto, tel)", code="link"))
    return list(dict.fromkeys(found))


def _add_output_intent(pdf, profile: Path, project: Path | None) -> None:
    """Make the print shop's CMYK ICC PROFILE the PDF's output intent (what device-cmyk means).

    Done here rather than with CSS's @color-profile, which WeasyPrint 70 loads but
    then fails to write.
    """
    import pydyf
    from PIL.ImageCms import ImageCmsProfile

    from io import BytesIO

    from .resources import read_bytes

    data = read_bytes(profile, project)
    name = ImageCmsProfile(BytesIO(data)).profile.profile_description or profile.stem
    stream = pydyf.Stream([data], pydyf.Dictionary({"N": 4}), compress=True)
    pdf.add_object(stream)
    intent = pydyf.Dictionary({"Type": "/OutputIntent", "S": "/GTS_PDFX",
                               "OutputConditionIdentifier": pydyf.String(name),
                               "Info": pydyf.String(name),
                               "DestOutputProfile": stream.reference})
    pdf.catalog["OutputIntents"] = pydyf.Array([intent])


def _fix_xmp_document_id(pdf) -> None:
    """Replace the random xmp.did WeasyPrint writes (uuid4) by one made from the metadata.

    PDF/A and PDF/UA carry XMP metadata with a DocumentID; a random one would make
    the same input give different bytes.
    """
    import hashlib
    import uuid

    import pydyf

    did = re.compile(rb"xmp\.did:[0-9a-f-]{36}")
    for obj in pdf.objects:
        # The metadata is a stream (its dictionary in .extra), not a dictionary.
        if not isinstance(obj, pydyf.Stream) or str(obj.extra.get("Type", "")) != "/Metadata":
            continue
        data = b"".join(p if isinstance(p, bytes) else str(p).encode() for p in obj.stream)
        stable = uuid.UUID(bytes=hashlib.sha256(did.sub(b"", data)).digest()[:16], version=4)
        obj.stream = [did.sub(f"xmp.did:{stable}".encode(), data)]


def _font_names(pdf) -> list[str]:
    """The BaseFont names of the fonts a pydyf PDF embeds."""
    names = []
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") in ("/Font", b"/Font") and "BaseFont" in obj:
            name = obj["BaseFont"]
            name = name.decode() if isinstance(name, bytes) else str(name)
            if obj.get("Subtype") not in ("/CIDFontType0", "/CIDFontType2",
                                          b"/CIDFontType0", b"/CIDFontType2"):
                names.append(name.lstrip("/"))
    return names
