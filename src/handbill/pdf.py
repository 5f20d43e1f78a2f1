"""HTML to PDF with WeasyPrint: sandboxed, loud about problems, deterministic, atomic.

WeasyPrint logs problems (a missing image, a bad CSS rule) instead of raising
them; here every warning it logs while rendering becomes an error, so nothing
silently vanishes from a page.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostic, RenderError


@dataclass(frozen=True)
class PdfResult:
    path: Path
    pages: int
    bytes: int


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


def render_pdf(html: str, *, base_url: str, allowed: list[Path], source: str,
               stylesheets: tuple[str, ...] = ()) -> tuple[bytes, int]:
    """Lay out HTML and return (PDF bytes, page count); raise RenderError on any problem.

    SOURCE names the document in diagnostics (its bundle path).
    """
    import weasyprint  # imported here: loading content and checking it need no WeasyPrint

    from .fetcher import SandboxedFetcher

    fetcher = SandboxedFetcher(allowed)
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=[weasyprint.CSS(string=s, url_fetcher=fetcher) for s in stylesheets])
        identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
        data = document.write_pdf(pdf_identifier=identifier)
    finally:
        logger.removeHandler(collector)
    problems = [Diagnostic(source, None, f"refused to load {url[:120]}: {why}", code="fetch")
                for url, why in fetcher.refused]
    problems += [Diagnostic(source, None, f"WeasyPrint: {message}", code="render")
                 for message in collector.messages
                 if not any(url[:80] in message for url, _ in fetcher.refused)]
    if problems:
        raise RenderError(problems)
    return data, len(document.pages)


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
