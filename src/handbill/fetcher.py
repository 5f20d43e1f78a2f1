"""The only way WeasyPrint reads anything: files inside allowed folders, and small data: URLs.

Everything else (http, https, ftp, a file outside the project, a symlink that
leads out, a FIFO or a device) is refused and remembered, so the build can
report it as an error instead of printing a page with a hole in it. Files are
opened by handbill.resources (from the project, or on a Dask worker from the
copies the main process sent). An image
it hands over, from a file or a data: URL (an SVG's embedded PNG), is held to
the limits every image is (handbill.images): its pixels, and that it decodes.
"""

from __future__ import annotations

from pathlib import Path

from weasyprint import URLFetcher
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse  # noqa: F401

from .resources import MAX_FILE_BYTES, Refused, image_check, open_file  # noqa: F401

#: data: URLs longer than this are refused (bytes of the URL).
MAX_DATA_URL = 2_000_000


class _Fetched(URLFetcherResponse):
    """A file's response with no path: WeasyPrint keeps the bytes handbill read and
    checked, rather than reading the file again, by its name and past every rule here,
    when it writes the PDF (images.RasterImage's LazyLocalImage)."""

    @property
    def path(self):
        return None


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
        try:
            served, mime, body = open_file(url, self.allowed)
        except Refused as refusal:
            self._refuse(url, refusal.why)
        return _Fetched(served, body=body, headers={"Content-Type": mime})

    def _check_image(self, url: str, mime: str, body: bytes) -> None:
        """Refuse a raster image over the limits, or one that does not decode."""
        try:
            image_check(mime, body)
        except Refused as refusal:
            self._refuse(url, refusal.why)
