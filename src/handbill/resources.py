"""Every file a render reads, read here: from the project, or from copies shipped to a worker.

The back of the pipeline (WeasyPrint, and handbill's own checks of the laid-out
pages) reads three kinds of file: what the HTML and CSS link to (stylesheets,
images, the font subsets), through the fetcher; the bodies, to say on which
line a text that overflowed starts; and the print shop's ICC profile. On this
machine they are read from the project, under the rules of :func:`open_file`.
On a Dask worker (handbill.cluster) they are read from what the main process
read for it: :class:`Shipped`, a table of URLs and paths to content hashes, and
the blobs themselves. The worker then never opens a file of the project: it
has none.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

#: Files larger than this are refused (bytes).
MAX_FILE_BYTES = 20_000_000


class Refused(Exception):
    """A file URL the fetcher may not hand over; its reason, as the error says it."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


class NotShipped(Refused):
    """A worker asked for a file it was not given (the main process then sends it)."""


def open_file(url: str, allowed: list[Path]) -> tuple[str, str, bytes]:
    """The file:// URL's (URL served, content type, bytes), if it may be read: inside
    ALLOWED (resolved, links followed), a regular file, at most MAX_FILE_BYTES, and an
    image within the limits every image is held to (handbill.images)."""
    served = _shipped.get()
    if served is not None:
        return served.open_url(url)
    try:
        path = Path(unquote(urlsplit(url).path)).resolve()
    except RuntimeError:  # Python's own report of a loop of links (3.11, 3.12)
        raise Refused("a link that leads back to itself") from None
    if not any(path.is_relative_to(base) for base in allowed):
        raise Refused("outside the project and handbill's own files")
    if not path.is_file():  # a FIFO or a device is no file either
        raise Refused("no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise Refused(f"file larger than {MAX_FILE_BYTES} bytes")
    mime, _ = mimetypes.guess_type(path.name)
    body = path.read_bytes()
    image_check(mime or "", body)
    return path.as_uri(), mime or "application/octet-stream", body


def image_check(mime: str, body: bytes) -> None:
    """Refuse a raster image over the limits, or one that does not decode."""
    if mime.startswith("image/") and "svg" not in mime:
        from .images import raster_problem

        problem = raster_problem(body)
        if problem is not None:
            raise Refused(f"the image {problem}")


def read_text(path: Path, project: Path | None) -> str:
    """PATH as text (UTF-8, a byte-order mark dropped), read under the project's rules."""
    served = _shipped.get()
    if served is not None:
        return served.read(path).decode("utf-8")
    if project is None:
        return path.read_text(encoding="utf-8")
    from .guard import read_text as guarded

    return guarded(path, project)


def read_bytes(path: Path, project: Path | None) -> bytes:
    """PATH's bytes, read under the project's rules."""
    served = _shipped.get()
    if served is not None:
        return served.read(path)
    if project is None:
        return path.read_bytes()
    from .guard import read_bytes as guarded

    return guarded(path, project)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Shipped:
    """What one render reads, by content hash: the main process makes it (:func:`collect`),
    a worker reads from it (:func:`serving`)."""

    #: file URL as WeasyPrint asks for it -> (URL served, content type, sha256)
    files: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: file URL -> why it is refused (said as the project's fetcher says it)
    refused: dict[str, str] = field(default_factory=dict)
    #: path of a text or profile read by the checks -> sha256 (a missing file: None)
    paths: dict[str, str | None] = field(default_factory=dict)

    @property
    def hashes(self) -> set[str]:
        return {entry[2] for entry in self.files.values()} | \
            {sha for sha in self.paths.values() if sha is not None}


class _Served:
    """A Shipped table and its blobs, as the fetcher and readers of a worker see them."""

    def __init__(self, shipped: Shipped, blobs: dict[str, bytes]):
        self.shipped, self.blobs = shipped, blobs
        self.missing: list[str] = []  # URLs asked for and not shipped

    def open_url(self, url: str) -> tuple[str, str, bytes]:
        if url in self.shipped.refused:
            raise Refused(self.shipped.refused[url])
        entry = self.shipped.files.get(url)
        if entry is None:
            self.missing.append(url)
            raise NotShipped("not sent to this worker")
        served, mime, sha = entry
        return served, mime, self.blobs[sha]

    def read(self, path: Path) -> bytes:
        sha = self.shipped.paths.get(str(path), False)
        if sha is None or sha is False:
            raise FileNotFoundError(2, "No such file (not sent to this worker)", str(path))
        return self.blobs[sha]


_shipped: ContextVar[_Served | None] = ContextVar("handbill_shipped", default=None)


@contextmanager
def serving(shipped: Shipped, blobs: dict[str, bytes]):
    """Read from SHIPPED and BLOBS, not from files, in this thread; yields the _Served,
    whose ``missing`` lists what the render asked for and was not given."""
    served = _Served(shipped, blobs)
    token = _shipped.set(served)
    try:
        yield served
    finally:
        _shipped.reset(token)


def _status(url: str) -> tuple | None:
    """What says a file URL's file is unchanged: its size, time and inode (links followed),
    and the link's own, or None if it is not there."""
    path = Path(unquote(urlsplit(url).path))
    try:
        own, led = os.lstat(path), os.stat(path)
    except OSError:
        return None
    return tuple((s.st_size, s.st_mtime_ns, s.st_ino, s.st_dev) for s in (own, led))


#: A file URL written in HTML or CSS as handbill writes them (absolute).
_FILE_URL = re.compile(r"""file://[^\s"'()<>\\]+""")
#: url(...) and @import "..." in a stylesheet.
_CSS_REF = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


def collect(html: str, stylesheets: tuple[str, ...], allowed: tuple[Path, ...],
            paths: tuple[Path, ...], project: Path | None, blobs: dict[str, bytes],
            shipped: Shipped | None = None, urls: tuple[str, ...] = (),
            known: dict | None = None) -> Shipped:
    """What a render of HTML with STYLESHEETS will read, read here (into SHIPPED, or a new
    table): the file URLs they name, those the linked stylesheets name, URLS (asked for
    by an earlier try), and PATHS (the texts and profile the checks read). Their bytes go
    into BLOBS, by hash. A URL the project's rules refuse is shipped as refused.

    KNOWN (kept by the caller across documents) remembers what each URL gave, with the
    status of the file it led to: a file whose size, time and inode are unchanged is not
    read and hashed again for the next document (the font subsets of a batch's rows)."""
    import html as html_module

    shipped = shipped or Shipped()
    known = {} if known is None else known
    allowed_now = [p.resolve() for p in allowed]
    todo = [html_module.unescape(u) for u in _FILE_URL.findall(html)]
    todo += [u for css in stylesheets for u in _FILE_URL.findall(css)] + list(urls)
    while todo:
        url = todo.pop()
        if url in shipped.files or url in shipped.refused:
            continue
        remembered = known.get(url)
        if remembered is not None and remembered[0] == _status(url) \
                and remembered[1][2] in blobs:
            entry, links = remembered[1], remembered[2]
            shipped.files[url] = entry
            todo += links
            continue
        try:
            served, mime, body = open_file(url, allowed_now)
        except Refused as refusal:
            shipped.refused[url] = refusal.why
            continue
        except OSError as error:
            shipped.refused[url] = f"cannot be read: {error.strerror}"
            continue
        sha = sha256(body)
        blobs[sha] = body
        shipped.files[url] = (served, mime, sha)
        links = []
        if mime == "text/css":  # what it links to, relative to it
            for match in _CSS_REF.finditer(body.decode("utf-8", "replace")):
                ref = match.group(2) or match.group(4)
                if not ref.startswith("data:"):
                    links.append(urljoin(served, ref.strip()))
        todo += links
        known[url] = (_status(url), shipped.files[url], links)
    for path in paths:
        if str(path) in shipped.paths:
            continue
        try:
            data = read_bytes(path, project)
        except Exception:  # noqa: BLE001 - the worker's reader finds it missing, as here
            shipped.paths[str(path)] = None
            continue
        if path.suffix in (".md", ".yaml"):  # read as text: a byte-order mark dropped
            try:
                data = data.decode("utf-8-sig").encode("utf-8")
            except UnicodeDecodeError:
                shipped.paths[str(path)] = None
                continue
        sha = sha256(data)
        blobs[sha] = data
        shipped.paths[str(path)] = sha
    return shipped
