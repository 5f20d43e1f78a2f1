"""The only way WeasyPrint reads anything: files inside allowed folders, and small data: URLs.

Everything else (http, https, ftp, a file outside the project, a symlink that
leads out) is refused and remembered, so the build can report it as an error
instead of printing a page with a hole in it.
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
            return super().fetch(url, headers)
        if scheme != "file":
            self._refuse(url, f"{scheme}: URLs are never fetched; put the file in the bundle")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(base) for base in self.allowed):
            self._refuse(url, "outside the project and handbill's own files")
        if not path.is_file():
            self._refuse(url, "no such file")
        if path.stat().st_size > MAX_FILE_BYTES:
            self._refuse(url, f"file larger than {MAX_FILE_BYTES} bytes")
        mime, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(),
                                  headers={"Content-Type": mime or "application/octet-stream"})
