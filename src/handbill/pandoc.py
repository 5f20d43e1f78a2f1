"""Running Pandoc, which pypandoc-binary ships: its citeproc and its BibTeX reader."""

from __future__ import annotations

import subprocess
from functools import lru_cache

from .errors import ContentError, Diagnostic

#: Longest a single Pandoc run may take (seconds).
TIMEOUT = 60


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    """The pandoc that pypandoc-binary ships (found without importing pypandoc, which
    takes 40 ms), or whichever pypandoc finds."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        shipped = Path(folder) / "files" / "pandoc"
        if shipped.is_file():
            return str(shipped)
    import pypandoc

    return pypandoc.get_pandoc_path()


def run_pandoc(args: list[str], text: str, source: str) -> str:
    """Pandoc's output for TEXT; its errors become a diagnostic on SOURCE."""
    try:
        result = subprocess.run([pandoc_path(), *args], input=text, capture_output=True,
                                text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ContentError(Diagnostic(source, None, f"Pandoc took more than {TIMEOUT} s",
                                      code="citation")) from None
    if result.returncode != 0:
        message = " ".join(result.stderr.split())[:300] or f"exit code {result.returncode}"
        raise ContentError(Diagnostic(source, None, f"Pandoc: {message}", code="citation"))
    return result.stdout


@lru_cache(maxsize=1)
def _threads():
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="handbill-pandoc")


def in_background(function, *args):
    """A Future of FUNCTION(*ARGS), run in a thread: for work that mostly waits on Pandoc."""
    return _threads().submit(function, *args)
