"""Incremental builds: what an output depends on, as one hash, remembered in a manifest.

An output is rebuilt only when its key changes: the hash of every file it is
made from (the bundle's folder, the project's references, site.yaml and its
logo, the layouts and fonts on the search path, handbill's bundled fonts and
citation styles), of its options, and of handbill's version. The manifest is
``out/.handbill-manifest.json``. Nothing here imports WeasyPrint: a build with
nothing to do stays fast.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import __version__
from .pdf import write_atomic

MANIFEST = ".handbill-manifest.json"


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__pycache__")))
        found += [Path(dirpath) / f for f in sorted(filenames) if not f.startswith(".")]
    return found


def _digest(path: Path, cache: dict) -> str:
    stat = path.stat()
    memo = (str(path), stat.st_size, stat.st_mtime_ns)
    if memo not in cache:
        cache[memo] = hashlib.sha256(path.read_bytes()).hexdigest()
    return cache[memo]


def fingerprint(sources: list[Path], settings: dict, cache: dict | None = None) -> str:
    """One hash for every file under SOURCES (folders or files) and the SETTINGS."""
    cache = {} if cache is None else cache
    digest = hashlib.sha256()
    digest.update(json.dumps({"handbill": __version__, **settings}, sort_keys=True).encode())
    for source in sources:
        for path in _files(source):
            digest.update(f"{path.as_posix()}\0{_digest(path, cache)}\n".encode())
    return digest.hexdigest()


class Manifest:
    """The keys and results of the outputs in an output folder."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / MANIFEST
        try:
            self.entries = json.loads(self.path.read_text(encoding="utf-8"))["outputs"]
        except (OSError, ValueError, KeyError, TypeError):
            self.entries = {}

    def fresh(self, output: str, key: str) -> dict | None:
        """The recorded result when OUTPUT was built from KEY and its files are still there."""
        entry = self.entries.get(output)
        if not entry or entry.get("key") != key:
            return None
        if not all(Path(p).is_file() and Path(p).stat().st_size == size
                   for p, size in entry.get("files", {}).items()):
            return None
        return entry

    def record(self, output: str, key: str, result: dict) -> None:
        self.entries[output] = {"key": key, **result}

    def save(self) -> None:
        data = json.dumps({"version": 1, "outputs": dict(sorted(self.entries.items()))},
                          indent=1, sort_keys=True)
        write_atomic(self.path, data.encode())
