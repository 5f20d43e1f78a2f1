"""What the front of the pipeline hands the back, in a module that imports nothing heavy.

A render worker unpickles a :class:`RenderSpec` with every task, and reads the source
marks (:data:`SOURCE_ATTRIBUTE`) Markdown put in the HTML, to say where on the pages a
line of the text landed. Both live here so that the worker imports neither the front
(document, citations, Markdown) nor its libraries: it starts rendering sooner and stays
smaller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

#: The ``data-src`` of a block in the HTML: ``FILE:FIRST-LAST`` (its lines in its file).
SOURCE_ATTRIBUTE = re.compile(r"^([^:/\\]+):(\d+)-(\d+)$")


@dataclass(frozen=True)
class RenderSpec:
    """What the back needs besides the HTML: the arguments of pdf.render_pdf (one field
    each, by the same name) and the imposed booklet's sheet."""

    base_url: str
    allowed: tuple[Path, ...]
    source: str
    stylesheets: tuple[str, ...] = ()
    #: The families the PDF may use (a font outside them is a fallback: an error).
    font_families: tuple[str, ...] | None = None
    #: The layout's fixed number of pages (a leaflet's sides), if it has one.
    max_pages: int | None = None
    fit_hint: str | None = None
    variant: str | None = None
    #: The files the text came from, for locating a line on the pages.
    text_files: tuple[Path, ...] = ()
    project: Path | None = None
    #: --max-pages.
    page_limit: int | None = None
    marks: str = "none"
    bleed_mm: float = 0.0
    folds: tuple[tuple[float, ...], ...] = ()
    output_profile: Path | None = None
    min_text_pt: float | None = None
    type_size_who: str = "patients need"
    type_size_hint: str | None = None
    #: The sheet the imposed booklet is printed on, or None for a layout not imposed.
    sheet: str | None = None

    def pdf_arguments(self) -> dict:
        """The keyword arguments of pdf.render_pdf and pdf.check_pdf."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "sheet"}
