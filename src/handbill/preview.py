"""What ``handbill serve`` shows: every bundle's documents, their pages as images, and
check's findings, made again whenever a file they depend on is saved.

The documents are built as ``handbill build`` builds them, into a folder of the
project's cache (``.cache/handbill/preview/``, so that out/ is never touched and a
second preview starts from the first one's manifest). After each build a new
:class:`Snapshot` replaces the old one whole: the web server's threads only ever read
a snapshot, never a half-made one. A document whose build failed keeps its last good
PDF beside the errors that stopped it.

Pages are drawn by PDFium (pypdfium2) on request, and the images kept by the PDF's
hash, so an unchanged page is drawn once.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping

from .errors import Diagnostic, HandbillError, display_path
from .options import BuildOptions

#: Where the preview's documents are built, under the project's .cache/handbill/.
PREVIEW_DIR = Path(".cache") / "handbill" / "preview"
#: Pages are drawn at this many pixels an inch (a 96-dpi screen at 150%, about).
PAGE_DPI = 144
#: How many page images are kept in memory (most recent first).
KEPT_IMAGES = 400


@dataclass(frozen=True)
class Document:
    """One bundle in one layout, as last built."""

    layout: str
    #: The last good PDF (None until one was built), its SHA-256 and page sizes in points.
    pdf: bytes | None = None
    sha: str = ""
    sizes: tuple[tuple[float, float], ...] = ()
    #: The errors of the last build, when it failed (the PDF above is then older).
    errors: tuple[Diagnostic, ...] = ()

    @property
    def pages(self) -> int:
        return len(self.sizes)


@dataclass(frozen=True)
class BundleView:
    """One bundle: what the index lists and the bundle's page shows."""

    id: str  # its folder under content/ (or the project), as a URL path: stem-cells, a/b
    path: Path
    titles: Mapping[str, str]  # language tag -> title
    layouts: tuple[str, ...]
    documents: Mapping[str, Document] = field(default_factory=dict)
    #: check's findings (errors, warnings, notes), in file order; None: not checked yet.
    findings: tuple[Diagnostic, ...] | None = None
    #: Problems that stop the bundle before any layout (a meta.yaml that does not load).
    problems: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """The preview at one moment; VERSION grows with every change."""

    version: int = 0
    bundles: Mapping[str, BundleView] = field(default_factory=dict)
    building: bool = True
    #: A problem of the whole project (no content/ folder, a site.yaml that does not load).
    problems: tuple[Diagnostic, ...] = ()
    #: The errors check finds in files that are no bundle's (site.yaml, a layout, the
    #: language table), once each: every bundle's documents fail on them.
    shared: tuple[Diagnostic, ...] = ()


class Preview:
    """The documents of the bundles under PATHS (default: content/), kept up to date.

    ``refresh()`` builds and checks (in the caller's thread: the main one, where time
    limits work); ``snapshot`` is read from any thread; LISTENERS are told each new
    version with the ids of the bundles that changed.
    """

    def __init__(self, options: BuildOptions, paths: list[Path] | None = None):
        self.paths = paths
        self.options = replace(options, out=Path(os.path.abspath(options.project)) / PREVIEW_DIR,
                               jobs=1)
        self.snapshot = Snapshot()
        self.listeners: list[Callable[[int, frozenset[str]], None]] = []
        self._images: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()  # PDFium is not thread-safe; nor is the image cache

    @property
    def root(self) -> Path:
        return self.options.project

    def refresh(self) -> frozenset[str]:
        """Build every document again (the manifest skips what has not changed), publish
        the pages, then check the bundles whose documents changed and publish the findings.
        Returns the ids of the bundles that changed."""
        from .builder import build, find_bundle_dirs

        try:
            bundle_dirs, problems = find_bundle_dirs(self.paths, self.root)
            report = build(self.paths, self.options)
        except HandbillError as error:  # the project itself: no content/, a bad site.yaml
            self._publish(replace(self.snapshot, problems=tuple(error.diagnostics),
                                  building=False), frozenset(self.snapshot.bundles))
            return frozenset(self.snapshot.bundles)
        old = self.snapshot.bundles
        bundles = {view.id: view for view in (self._bundle(d, report, old) for d in bundle_dirs)}
        changed = frozenset(i for i, view in bundles.items() if old.get(i) != view) \
            | frozenset(old.keys() - bundles.keys())
        self._publish(Snapshot(self.snapshot.version, bundles, building=False,
                               problems=tuple(problems), shared=self._shared(bundles)), changed)
        checked = {i: replace(bundles[i], findings=self._check(bundles[i]))
                   for i in bundles if i in changed or bundles[i].findings is None}
        if checked:
            bundles = {**self.snapshot.bundles, **checked}
            self._publish(replace(self.snapshot, bundles=bundles, shared=self._shared(bundles)),
                          frozenset(checked))
        return changed | frozenset(checked)

    def _shared(self, bundles: Mapping[str, BundleView]) -> tuple[Diagnostic, ...]:
        """The errors among BUNDLES' findings that are in no bundle's files, once each."""
        inside = [display_path(view.path, self.root) + "/" for view in bundles.values()]
        return tuple(dict.fromkeys(
            f for view in bundles.values() for f in view.findings or ()
            if f.severity == "error" and not any((f.path + "/").startswith(p) for p in inside)))

    def _publish(self, snapshot: Snapshot, changed: frozenset[str]) -> None:
        self.snapshot = replace(snapshot, version=self.snapshot.version + 1)
        for listener in list(self.listeners):
            listener(self.snapshot.version, changed)

    def bundle_id(self, folder: Path) -> str:
        root = Path(os.path.abspath(self.root))
        folder = Path(os.path.abspath(folder))
        content = root / "content"
        base = content if folder.is_relative_to(content) else root
        return folder.relative_to(base).as_posix() if folder.is_relative_to(base) else folder.name

    def _bundle(self, folder: Path, report, old: Mapping[str, BundleView]) -> BundleView:
        from .content import load_meta

        ident = self.bundle_id(folder)
        before = old.get(ident)
        shown = display_path(folder, self.root) + "/"
        problems = tuple(d for d in report.diagnostics  # the plan's: before any document
                         if d.severity == "error" and (d.path + "/").startswith(shown))
        try:
            meta = load_meta(folder, self.root)
        except HandbillError as error:
            return BundleView(ident, folder, {}, (), {}, before.findings if before else None,
                              tuple(error.diagnostics))
        documents = dict(before.documents) if before else {}
        for output in report.outputs:
            if Path(os.path.abspath(output.job.bundle)) != Path(os.path.abspath(folder)) \
                    or output.job.lang is not None or output.job.row is not None:
                continue
            documents[output.job.layout] = self._document(
                output, documents.get(output.job.layout, Document(output.job.layout)))
        layouts = tuple(self.options.layout and [self.options.layout]
                        or dict.fromkeys(meta.layouts))
        documents = {name: documents[name] for name in layouts if name in documents}
        view = BundleView(ident, folder, dict(meta.title), layouts, documents,
                          before.findings if before else None, problems)
        # Unchanged documents and title keep the findings; anything else is checked again.
        if before is not None and replace(before, findings=None) != replace(view, findings=None):
            view = replace(view, findings=None)
        return view

    def _document(self, output, before: Document) -> Document:
        if output.status == "failed" or not output.files:
            errors = tuple(d for d in output.diagnostics if d.severity == "error")
            return replace(before, errors=errors or (Diagnostic(
                display_path(output.job.bundle, self.root), None, "the document was not made"),))
        path = output.files[0][0]  # the document itself (a booklet's imposed sheets follow)
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            return replace(before, errors=(Diagnostic(display_path(path, self.root), None,
                                                      f"cannot read it: {error.strerror}"),))
        sha = hashlib.sha256(data).hexdigest()
        if sha == before.sha and not before.errors:
            return before
        return Document(output.job.layout, data, sha, self._sizes(data))

    def _sizes(self, data: bytes) -> tuple[tuple[float, float], ...]:
        import pypdfium2

        with self._lock:
            document = pypdfium2.PdfDocument(data)
            try:
                return tuple(tuple(round(v, 2) for v in document.get_page_size(i))
                             for i in range(len(document)))
            finally:
                document.close()

    def _check(self, view: BundleView) -> tuple[Diagnostic, ...]:
        from .checker import check

        try:
            options = replace(self.options, out=None)
            return tuple(check([view.path], options))
        except HandbillError as error:
            return tuple(error.diagnostics)

    def page_image(self, document: Document, number: int) -> bytes:
        """Page NUMBER (1-based) of DOCUMENT's PDF as a PNG (IndexError: no such page)."""
        if document.pdf is None or not 1 <= number <= document.pages:
            raise IndexError(number)
        key = (document.sha, number)
        with self._lock:
            found = self._images.get(key)
            if found is not None:
                self._images.move_to_end(key)
                return found
            image = _draw(document.pdf, number - 1)
            self._images[key] = image
            while len(self._images) > KEPT_IMAGES:
                self._images.popitem(last=False)
            return image


def _draw(pdf: bytes, index: int) -> bytes:
    """Page INDEX of PDF drawn by PDFium at PAGE_DPI, as PNG bytes (the same every time)."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[index].render(scale=PAGE_DPI / 72)
        buffer = io.BytesIO()
        bitmap.to_pil().save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()
    finally:
        document.close()
