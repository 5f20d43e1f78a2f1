"""Every build option in one place, shared by the Python API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where. Each field maps one-to-one onto a CLI option."""

    #: The project folder: holds content/, and optionally layouts/ and fonts/.
    project: Path = field(default_factory=Path.cwd)
    #: Where PDFs go; out/<bundle>/<layout>[.<lang>].pdf
    out: Path | None = None
    #: Build only this layout instead of the ones each bundle's meta.yaml names.
    layout: str | None = None
    #: Build a single-language document; None builds the bilingual one.
    lang: str | None = None
    #: A citation style's name or .csl file, over the bundle's and the layout's choice.
    citation_style: str | None = None
    #: "pdf/ua-1" or "pdf/a-2b"; None: a tagged PDF.
    pdf_variant: str | None = None
    #: A document with more pages than this is refused (a runaway text or layout).
    max_pages: int = 100
    #: Seconds one document may take to render before it is stopped.
    timeout: float = 120.0
    #: Worker processes (-j); None: one per core.
    jobs: int | None = None
    #: --scheduler: render on a Dask cluster (tcp://HOST:PORT, or local:N workers started
    #: for the build) instead of in local processes (handbill.cluster).
    scheduler: str | None = None
    #: Layout options (KEY=VALUE), validated against the layout's manifest.
    layout_options: Mapping[str, str] = field(default_factory=dict)
    #: --data: a CSV, JSON or .xlsx file of rows, one personalised handout each (handbill.rows).
    data: Path | None = None

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.project / "out"
