"""Incremental builds: what an output depends on, as one hash, remembered in a manifest.

An output is rebuilt only when its key changes: the hash of every file it is
made from (the bundle's folder, the project's references, site.yaml and its
logo, the layouts and fonts on the search path, handbill's bundled fonts and
citation styles), of its options, and of handbill's version. The manifest is
``out/.handbill-manifest.json``; it is a copy, not the truth: a manifest of
another version or shape is read as empty (everything is built), and an entry
counts only while each file it lists is still there with the size and the
SHA-256 it was written with. Nothing here imports WeasyPrint: a build with
nothing to do stays fast.

Hashing reads only regular files inside the project or handbill's own
folders: a link that leads out, a FIFO or a device is hashed by what it is
(its target's name, its kind), never read, so that an unused link to
/dev/zero cannot hang a build.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from . import __version__
from .writing import write_atomic

MANIFEST = ".handbill-manifest.json"


#: Files larger than this (bytes) enter the hash by their stamp (size, modification
#: and change times, inode) rather than their bytes: Handbill Sans SC Extra's 25 MB,
#: read on every build, would double a build with nothing to do. Any write to a file
#: changes its change time, which no one can set back.
STAMPED_ABOVE = 8_000_000
#: Folders never hashed: handbill's own caches and Python's (neither is read for a document).
_UNHASHED = frozenset({".cache", "__pycache__", ".git"})


def _files(folder: Path, skip: tuple[Path, ...] = (), root: Path | None = None) -> list[Path]:
    """Every file under FOLDER (or FOLDER itself), hidden ones too: a build reads a
    '.cover.svg' or a '.banner.html.j2' as readily as any other, so its output depends
    on them. A link to a folder inside ROOT is followed (once: loops end), one that
    leads out is hashed by what it is (see _digest). Folders in SKIP (the output
    folder) and _UNHASHED are left out."""
    if not folder.is_dir():
        return [(folder, False)] if folder.is_file() or folder.is_symlink() else []
    found, seen, stack = [], set(), [folder]
    while stack:
        here = stack.pop()
        try:
            real = here.resolve()
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except (OSError, RuntimeError):
            found.append((here, False))
            continue
        if real in seen:
            continue
        seen.add(real)
        # What lies in a folder inside the project (or handbill's own, for a built-in) is
        # inside too, unless it is a link: only links are followed to be judged.
        inside = root is None or _within(real, here, root)
        for entry in entries:
            path = here / entry.name
            if entry.name in _UNHASHED or Path(os.path.abspath(path)) in skip:
                continue
            link = entry.is_symlink()
            try:
                into = entry.is_dir() and (not link or root is None or
                                           _within(path.resolve(), path, root))
            except (OSError, RuntimeError):
                into = False
            if into:
                stack.append(path)
            else:
                found.append((path, inside and not link))
    return sorted(found)


def _within(real: Path, path: Path, root: Path) -> bool:
    from . import guard

    return any(real == base or real.is_relative_to(base) for base in guard.scope(path, root))


def _digest(path: Path, cache: dict, root: Path | None, inside: bool = False,
            stamped: bool = False) -> str:
    """The hash of PATH's bytes; of what it is, for what may not be read (see above).
    INSIDE: known to lie inside its scope already (no link on the way). STAMPED: by its
    stamp, whatever its size (see STAMPED_ABOVE)."""
    from . import guard

    try:
        info = path.stat()
    except (OSError, ValueError):
        return "missing"
    if not stat.S_ISREG(info.st_mode):
        return f"special {stat.S_IFMT(info.st_mode)}"
    if root is not None and not inside and guard.outside(path, root) is not None:
        return f"outside {os.readlink(path) if path.is_symlink() else path.resolve()}"
    memo = (str(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    if stamped or info.st_size > STAMPED_ABOVE:  # see STAMPED_ABOVE
        return "stamp " + " ".join(map(str, memo[1:]))
    if memo not in cache:
        digest = hashlib.sha256()
        with path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
        cache[memo] = digest.hexdigest()
    return cache[memo]


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a regular file PATH, or None when it is not one."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        digest = hashlib.sha256()
        with path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None


def fingerprint(sources: list[Path], settings: dict, cache: dict | None = None,
                root: Path | None = None, skip: tuple[Path, ...] = (),
                stamped: tuple[Path, ...] = ()) -> str:
    """One hash for every file under SOURCES (folders or files) and the SETTINGS.

    Paths enter the hash relative to ROOT (the project) where they lie inside it,
    so that the same project gives the same keys wherever it is and however a
    path was written on the command line. Files of the sources in STAMPED enter by
    their stamp (see STAMPED_ABOVE).
    """
    cache = {} if cache is None else cache
    digest = hashlib.sha256()
    digest.update(json.dumps({"handbill": __version__, **settings}, sort_keys=True).encode())
    base = Path(os.path.abspath(root)) if root is not None else None
    for source in sources:
        by_stamp = source in stamped
        for path, inside in _files(source, skip, root):
            name = Path(os.path.abspath(path))
            if base is not None and name.is_relative_to(base):
                name = name.relative_to(base)
            digest.update(f"{name.as_posix()}\0{_digest(path, cache, root, inside, by_stamp)}"
                          "\n".encode())
    return digest.hexdigest()


#: The manifest's format; one of another version is read as empty.
VERSION = 2


class Manifest:
    """The keys and results of the outputs in an output folder.

    Each entry: ``key`` (the inputs' hash), ``results`` ([path, pages, bytes] of
    each file it wrote), ``files`` ({path: [bytes, sha256]}), ``seconds``.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.path = out_dir / MANIFEST
        self.entries: dict[str, dict] = {}
        try:
            if not stat.S_ISREG(os.stat(self.path).st_mode) or \
                    self.path.stat().st_size > 50_000_000:
                return
            data = json.loads(self.path.read_bytes().decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return
        if isinstance(data, dict) and data.get("version") == VERSION and \
                isinstance(data.get("outputs"), dict):
            self.entries = {name: entry for name, entry in data["outputs"].items()
                            if isinstance(name, str) and _well_formed(entry)}

    def fresh(self, output: str, key: str, expected: list[Path]) -> dict | None:
        """The recorded result when OUTPUT was built from KEY, and the files it wrote
        (EXPECTED, no other) are still there, each with its size and SHA-256."""
        entry = self.entries.get(output)
        if entry is None or entry["key"] != key:
            return None
        files = entry["files"]
        if sorted(files) != sorted(p.as_posix() for p in expected) or \
                sorted(r[0] for r in entry["results"]) != sorted(files):
            return None
        for name, (size, sha256) in files.items():
            path = Path(name)
            try:
                if path.stat().st_size != size or file_sha256(path) != sha256:
                    return None
            except OSError:
                return None
        return entry

    def record(self, output: str, key: str, result: dict) -> None:
        self.entries[output] = {"key": key, **result}

    def save(self) -> None:
        data = json.dumps({"version": VERSION, "outputs": dict(sorted(self.entries.items()))},
                          indent=1, sort_keys=True)
        write_atomic(self.path, data.encode())


def _well_formed(entry) -> bool:
    """Whether ENTRY has the shape this version writes (see Manifest)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
        return False
    results, files = entry.get("results"), entry.get("files")
    if not isinstance(results, list) or not isinstance(files, dict):
        return False
    if not all(isinstance(r, list) and len(r) == 3 and isinstance(r[0], str)
               and all(isinstance(n, int) and not isinstance(n, bool) for n in r[1:])
               for r in results):
        return False
    if not all(isinstance(name, str) and isinstance(v, list) and len(v) == 2
               and isinstance(v[0], int) and isinstance(v[1], str) for name, v in files.items()):
        return False
    return isinstance(entry.get("seconds", 0.0), (int, float))
