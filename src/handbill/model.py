"""The data that flows through the pipeline: frozen, built once, read after."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

# The languages handbill can set are rows of data (handbill.languages); a bundle's
# body in language TAG is TAG.md, its shorter text for small formats TAG.short.md.


@dataclass(frozen=True)
class Image:
    """An image of the bundle, with its alt text per language."""

    path: Path
    alt: Mapping[str, str]


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str
    line: int


@dataclass(frozen=True)
class CiteItem:
    """One cited reference of a citation: ``[see @hu2016, p. 12]``."""

    key: str
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False
    #: Where its '@' stands in the citation's raw text (for its column).
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Cluster:
    """A citation as written in a body: its items, where it stands, its raw text."""

    id: str
    items: tuple[CiteItem, ...]
    narrative: bool
    raw: str
    line: int
    column: int


@dataclass(frozen=True)
class Part:
    """A body's text from one level-2 heading to the next (the first may have no heading)."""

    heading: Heading | None
    html: str
    #: The HTML of each of its top-level blocks (heading, paragraph, list, table,
    #: callout...), in order: the parallel layout aligns the languages block by block.
    blocks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Body:
    """One language's text: the Markdown source and the HTML made from it."""

    lang: str
    path: Path
    source: str
    html: str
    headings: tuple[Heading, ...]
    images: tuple[Image, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    #: The same HTML cut at each level-2 heading, for layouts that pair sections.
    parts: tuple[Part, ...] = ()
    #: Its paragraphs, list items, headings and table cells: each takes a line at least.
    blocks: int = 0


@dataclass(frozen=True)
class Reference:
    """One entry of the references file, as CSL data, with the line it starts on."""

    id: str
    csl: Mapping
    line: int


@dataclass(frozen=True)
class Meta:
    title: Mapping[str, str]
    date: datetime.date
    subtitle: Mapping[str, str] = field(default_factory=dict)
    category: Mapping[str, str] = field(default_factory=dict)
    reading_time: Mapping[str, str] = field(default_factory=dict)
    disclaimer: Mapping[str, str] = field(default_factory=dict)
    audience: str | None = None
    layouts: tuple[str, ...] = ("handout",)
    #: The languages it prints, in order (meta.yaml's languages:, else site.yaml's,
    #: else the table's default).
    languages: tuple[str, ...] = ("en", "zh-Hans")
    cover: Image | None = None
    keywords: tuple[str, ...] = ()
    #: The handout's online version (its QR code's target), over site.yaml's handout-url.
    url: str | None = None
    #: A citation style's name (vancouver, apa, gb-t-7714) or a .csl file; None: the layout's.
    citation_style: str | None = None
    #: The references file meta.yaml names (relative to the bundle), if it names one.
    references: str | None = None
    #: 1-based line of each top-level key in meta.yaml, for diagnostics, and of each
    #: language's text of the texts (``title.en``).
    lines: Mapping[str, int] = field(default_factory=dict)
    #: Layout options for this bundle (options: in meta.yaml), over site.yaml's; as
    #: written, checked per layout (handbill.document), with each key's line.
    options: Mapping[str, object] = field(default_factory=dict)
    option_lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Bundle:
    """A content folder: metadata, a body per language, references."""

    name: str
    path: Path
    meta_path: Path
    meta: Meta
    bodies: Mapping[str, Body]
    references: tuple[Reference, ...] = ()
    #: Each reference's file (a bundle's own, or the project's).
    reference_files: Mapping[str, Path] = field(default_factory=dict)
    #: The shorter text for small formats, when the bundle has one for every language.
    short_bodies: Mapping[str, Body] = field(default_factory=dict)
    #: Warnings found while loading (raw HTML removed...), reported with the build.
    warnings: tuple = ()
    #: The references files read, the project's first, then the bundle's own.
    reference_sources: tuple[Path, ...] = ()
    #: The texts converted from another language's (no zh-Hant.md: from zh-Hans.md):
    #: for each such language, the notice a reviewer reads (handbill.conversion).
    converted: Mapping[str, str] = field(default_factory=dict)

    def shortened(self) -> "Bundle":
        """This bundle with its shorter text as its bodies (itself when it has none)."""
        from dataclasses import replace

        return replace(self, bodies=self.short_bodies) if self.short_bodies else self
