"""HTML to PDF with WeasyPrint: sandboxed, loud about problems, deterministic, atomic.

WeasyPrint logs problems (a missing image, a bad CSS rule) instead of raising
them; here every warning it logs while rendering becomes an error, so nothing
silently vanishes from a page.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
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
            project: Path | None = None):
    """WeasyPrint's laid-out document for HTML, and the problems seen doing it.

    SOURCE names the document in diagnostics (its bundle path). With MAX_PAGES
    (a leaflet's sides), laying out more pages is a problem that says by how
    much the text overflowed, measured on the laid-out pages, and where in
    TEXT_FILES (shown relative to PROJECT) the first line that did not fit is.
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
    for number, count, depth, first in clipped(document.pages):
        where = locate_text(first, text_files, project)
        message = (f"text does not fit its column or panel on page {number}: {count} line"
                   f"{'s' if count != 1 else ''} run {depth:.0f} mm past its edge and would "
                   "be cut off")
        problems.append(Diagnostic(
            (display_path(where[0], project) if project else str(where[0])) if where else source,
            where[1] if where else None, message + (", from this line on" if where else
                                                    f": '{first.strip()[:40]}'"),
            column=where[2] if where else None, code="layout-fit",
            hint="shorten it (the references, the disclaimer, or a word or number too long "
                 "for the column: a line can break only between words), or use the booklet "
                 "layout"))
    if max_pages is not None and len(document.pages) > max_pages:
        lines, height, first = overflow(document.pages[max_pages:])
        # The first overflowing line found in the text (a title from meta.yaml is not).
        where = next(filter(None, (locate_text(text, text_files, project) for text in first)),
                     None)
        message = (f"the text does not fit the layout's {max_pages} pages: it overflows by "
                   f"{lines} line{'s' if lines != 1 else ''} ({height:.0f} mm of text) onto "
                   f"{len(document.pages) - max_pages} more")
        if where is None:
            problems.append(Diagnostic(source, None, message, code="layout-fit", hint=fit_hint))
        else:
            path, line, column = where
            section = section_at(path, line, project)
            problems.append(Diagnostic(
                display_path(path, project) if project else str(path), line,
                message + ", from this line on" + (f", in the section '{section}'" if section
                                                   else ""),
                column=column, code="layout-fit",
                hint=(f"shorten the section '{section}' (or the text before it); "
                      if section else "") + (fit_hint or "")))
    return document, problems


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
               folds: tuple[tuple[float, ...], ...] = ()) -> tuple[bytes, int]:
    """Lay out HTML and return (PDF bytes, page count); raise RenderError on any problem.

    The PDF is tagged (structure, /Lang per block, alt text); VARIANT makes it
    PDF/UA-1 or PDF/A-2b. With FONT_FAMILIES, a font outside them in the PDF (a
    system fallback) is an error.
    """
    document, problems = lay_out(html, base_url=base_url, allowed=allowed, source=source,
                                 stylesheets=stylesheets, max_pages=max_pages, fit_hint=fit_hint,
                                 text_files=text_files, project=project)
    if page_limit is not None and len(document.pages) > page_limit:
        problems.append(Diagnostic(source, None, f"the document has {len(document.pages)} pages, "
                                   f"more than the limit of {page_limit}", code="limits",
                                   hint="raise it with --max-pages if the text is meant to be that long"))
    if problems:
        raise RenderError(problems)
    from . import write_once
    from .tagging import install

    install()
    used: list[str] = []
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
    if problems:
        raise RenderError(problems)
    return data, len(document.pages)


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

    from .guard import read_bytes

    data = read_bytes(profile, project) if project else profile.read_bytes()
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


def body_size(pages) -> float:
    """The size, in points, of most of the main text laid out on PAGES (by characters)."""
    from collections import Counter

    from weasyprint.formatting_structure.boxes import MarginBox, TextBox

    sizes: Counter = Counter()
    for page in pages:
        for child in page._page_box.children:
            if isinstance(child, MarginBox):
                continue
            for box in child.descendants():
                if isinstance(box, TextBox):
                    sizes[round(box.style["font_size"] * 0.75, 1)] += len(box.text.strip())
    return sizes.most_common(1)[0][0] if sizes else 0.0


def overflow(pages) -> tuple[int, float, list[str]]:
    """Lines of text, their height in mm, and the texts of the first lines (up to 10),
    laid out on PAGES (those past a layout's last)."""
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox, TextBox

    lines, height, first = 0, 0.0, []
    for page in pages:
        for child in page._page_box.children:
            if isinstance(child, MarginBox):  # running headers and footers are no overflow
                continue
            for box in child.descendants():
                if isinstance(box, LineBox):
                    lines += 1
                    height += box.height
                    text = "".join(b.text for b in box.descendants() if isinstance(b, TextBox))
                    if text.strip() and len(first) < 10:
                        first.append(text)
    return lines, height * 25.4 / 96, first


def clipped(pages) -> list[tuple[int, int, float, str]]:
    """Text that does not fit its box: lines that a box with ``overflow: hidden`` (a
    leaflet's panel) cuts off at its bottom, and lines wider than their column (a word
    or a kept-together span too long for it), which run off the panel or the page.
    For each such box: (page number, lines, mm beyond, the first such line's text)."""
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox, TextBox

    def text_of(line) -> str:
        return "".join(b.text for b in line.descendants() if isinstance(b, TextBox))

    found = []
    for number, page in enumerate(pages, 1):
        wide = []

        def walk(box, edge: float) -> None:  # EDGE: the right edge of the block it is in
            for child in getattr(box, "children", ()):
                if isinstance(child, MarginBox):
                    continue
                if isinstance(child, LineBox):
                    if child.children:
                        right = max(c.position_x + c.margin_width() for c in child.children)
                        if right - edge > 1 and text_of(child).strip():
                            wide.append((right - edge, text_of(child)))
                    continue
                inner = edge
                if child.is_for_root_element or not hasattr(child, "content_box_x") or \
                        type(child).__name__ in ("BlockBox", "TableCellBox", "FlexBox",
                                                 "GridBox", "ListItemBox"):
                    try:
                        inner = child.content_box_x() + child.width
                    except (AttributeError, TypeError):
                        inner = edge
                walk(child, inner)

        walk(page._page_box, page._page_box.content_box_x() + page._page_box.width)
        for box in page._page_box.descendants():
            if isinstance(box, MarginBox):
                continue
            if box.style["overflow"] != "hidden":
                continue
            bottom = box.padding_box_y() + box.padding_height()
            cut = [line for line in box.descendants() if isinstance(line, LineBox)
                   and line.position_y + line.height > bottom + 0.5]
            texts = [text for text in map(text_of, cut) if text.strip()]
            if texts:
                depth = max(line.position_y + line.height for line in cut) - bottom
                found.append((number, len(texts), depth * 25.4 / 96, texts[0]))
        if wide:
            found.append((number, len(wide), max(b for b, _ in wide) * 25.4 / 96, wide[0][1]))
    return found


#: A page with fewer lines of text than this looks left over (``page-fill``).
MIN_PAGE_LINES = 6


_COVERS = frozenset({"front-cover", "back-cover"})


def _is_cover(box) -> bool:
    element = getattr(box, "element", None)
    return element is not None and bool(_COVERS & set((element.get("class") or "").split()))


def sparse_pages(pages) -> list[tuple[int, int, str]]:
    """(page number, lines, its first line's text) of each page of PAGES, when there
    are two or more, that holds text but fewer than :data:`MIN_PAGE_LINES` lines of it
    (running headers and footers not counted; a cover, an element of class
    ``front-cover`` or ``back-cover``, is a page designed to hold little)."""
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox, TextBox

    found = []
    for number, page in enumerate(pages, 1):
        lines, first = 0, ""
        for child in page._page_box.children:
            if isinstance(child, MarginBox):
                continue
            boxes = list(child.descendants())
            if any(_is_cover(box) for box in boxes):
                lines = MIN_PAGE_LINES
                break
            for box in boxes:
                if isinstance(box, LineBox):
                    text = "".join(b.text for b in box.descendants() if isinstance(b, TextBox))
                    if text.strip():
                        lines += 1
                        first = first or text
        if len(pages) > 1 and 0 < lines < MIN_PAGE_LINES:
            found.append((number, lines, first))
    return found


#: What a source line may hold around a printed line's letters: spaces (handbill
#: adds some between Chinese and Latin), Markdown's emphasis and list markers.
_NOT_PRINTED = re.compile(r"[\s*_`#>]|^\s*(?:[-+]|\d+[.)])\s")


def section_at(path: Path, line: int, project: Path | None = None) -> str | None:
    """The heading (``##`` or ``###``) the LINE of PATH falls under, or None."""
    from .errors import ContentError
    from .guard import read_text

    try:
        text = read_text(path, project) if project else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ContentError):
        return None
    for source in reversed(text.splitlines()[:line]):
        heading = re.match(r"^ {0,3}#{2,3}\s+(.+?)\s*#*\s*$", source)
        if heading:
            return heading.group(1)[:60]
    return None


def locate_text(printed: str, files: tuple[Path, ...], project: Path | None = None,
                last: bool = True) -> tuple[Path, int, int] | None:
    """The file, line and column where the printed line PRINTED starts in FILES, if found.

    Its first 12 letters (spaces and Markdown markup aside) are looked for line by
    line; the last match wins, since a layout overflows at its text's end.
    """
    needle = _NOT_PRINTED.sub("", printed.replace("\u00ad", ""))[:12]
    if len(needle) < 4:
        return None
    from .errors import ContentError
    from .guard import read_text

    found = None
    for path in files:
        try:
            text = read_text(path, project) if project else path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ContentError):
            continue
        lines = text.splitlines()
        for number, line in enumerate(lines, 1):
            kept = [(i, c) for i, c in enumerate(line) if not _NOT_PRINTED.match(c)]
            letters = "".join(c for _, c in kept)
            at = letters.find(needle)
            if at >= 0:
                found = (path, number, kept[at][0] + 1)
                if not last:
                    return found
    return found


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


def write_atomic(path: Path, data: bytes) -> None:
    """Write DATA to PATH through a temporary file in the same folder, then rename.

    A reader (or a failed build) never sees a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
