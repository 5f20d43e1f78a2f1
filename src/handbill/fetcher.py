"""The only way WeasyPrint reads anything: files inside allowed folders, and small data: URLs.

Everything else (http, https, ftp, a file outside the project, a symlink that
leads out, a FIFO or a device) is refused and remembered, so the build can
report it as an error instead of printing a page with a hole in it. An image
it hands over, from a file or a data: URL (an SVG's embedded PNG), is held to
the limits every image is (handbill.images): its pixels, and that it decodes.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import URLFetcher
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse  # noqa: F401

#: data: URLs longer than this are refused (bytes of the URL).
MAX_DATA_URL = 2_000_000
#: Files larger than this are refused (bytes).
MAX_FILE_BYTES = 20_000_000


class SandboxedFetcher(URLFetcher):
    """A URL fetcher confined to ALLOWED folders (resolved, symlinks followed)."""

    def __init__(self, allowed: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.allowed = [p.resolve() for p in allowed]
        self.refused: list[tuple[str, str]] = []

    def _refuse(self, url: str, why: str):
        self.refused.append((url, why))
        raise ValueError(f"handbill refused {url[:200]}: {why}")

    def fetch(self, url: str, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                self._refuse(url, f"data: URL longer than {MAX_DATA_URL} bytes")
            response = super().fetch(url, headers)
            body = response.read()
            self._check_image(url, response.content_type, body)
            return URLFetcherResponse(url, body=body,
                                      headers={"Content-Type": response.content_type})
        if scheme != "file":
            self._refuse(url, f"{scheme}: URLs are never fetched; put the file in the bundle")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(base) for base in self.allowed):
            self._refuse(url, "outside the project and handbill's own files")
        if not path.is_file():  # a FIFO or a device is no file either
            self._refuse(url, "no such file")
        if path.stat().st_size > MAX_FILE_BYTES:
            self._refuse(url, f"file larger than {MAX_FILE_BYTES} bytes")
        mime, _ = mimetypes.guess_type(path.name)
        body = path.read_bytes()
        self._check_image(url, mime or "", body)
        return URLFetcherResponse(path.as_uri(), body=body,
                                  headers={"Content-Type": mime or "application/octet-stream"})

    def _check_image(self, url: str, mime: str, body: bytes) -> None:
        """Refuse a raster image over the limits, or one that does not decode."""
        if mime.startswith("image/") and "svg" not in mime:
            from .images import raster_problem

            problem = raster_problem(body)
            if problem is not None:
                self._refuse(url, f"the image {problem}")
