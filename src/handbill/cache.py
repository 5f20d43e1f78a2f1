"""Caches are copies, never truth: every entry is verified when it is read.

handbill keeps two caches in the project's ``.cache/handbill/``: font subsets
(``fonts/``) and formatted citations (``citations/``). Each entry is a pair of
files: the payload (a font, an HTML fragment), named by the first characters of
its key (the hash of everything it is made from), and a record beside it,
``<name>.check``, holding the record's format, the whole key, and the payload's
size and SHA-256. An entry is used only when its record parses, names this
format and this key, and the payload has that size and that hash; anything
else (cut short, damaged, made by another version, put there by hand) is
discarded and made again, as if it had never been there. Records are written
after their payloads, both through a temporary file renamed into place, so a
reader never sees half an entry as a whole one.

The cache folders must lie inside the project: a ``.cache`` that links
elsewhere is an error, never written to nor read from.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from . import guard
from .errors import ContentError, Diagnostic, OutputError, display_path

#: Where the caches are, under the project.
CACHE_DIR = Path(".cache") / "handbill"
#: The format of the records; a record of another format is not used.
FORMAT = 1
_RECORD = ".check"
_NAME_LENGTH = 24


class Cache:
    """One cache folder of verified entries, under the project ROOT."""

    def __init__(self, root: Path, name: str):
        self.root = root
        self.folder = root / CACHE_DIR / name

    def _check_folder(self) -> None:
        """Refuse a cache folder (or a folder above it) that leads out of the project, and
        a file named .cache (not handbill's to remove) where its folder goes."""
        top = self.root / ".cache"
        if top.exists() and not top.is_dir():
            raise ContentError(Diagnostic(
                display_path(top, self.root), None, "a file where handbill keeps its caches "
                "(a folder of that name)", code="output", hint="move the file .cache away"))
        for folder in (top, self.root / CACHE_DIR, self.folder):
            if folder.exists() or folder.is_symlink():
                if guard.folder_refusal(folder, self.root) is not None:
                    raise ContentError(Diagnostic(
                        display_path(folder, self.root), None, "this folder links to a place "
                        "outside the project; handbill keeps its caches inside the project",
                        code="outside", hint=f"remove the link {display_path(folder, self.root)}"
                                             "; handbill makes the folder again"))

    def path(self, key: str, suffix: str) -> Path:
        """Where the payload of KEY is (or will be)."""
        return self.folder / f"{key[:_NAME_LENGTH]}{suffix}"

    def read(self, key: str, suffix: str) -> bytes | None:
        """The payload of KEY, if the cache holds a whole and true one; else None."""
        self._check_folder()
        payload = self.path(key, suffix)
        record = payload.with_name(payload.name + _RECORD)
        if not payload.is_file() or not record.is_file():
            return None
        try:
            stated = json.loads(guard.read_bytes(record, self.root, limit=4096))
            data = guard.read_bytes(payload, self.root)
        except (ContentError, ValueError):
            return None
        if (not isinstance(stated, dict) or stated.get("format") != FORMAT
                or stated.get("key") != key or stated.get("size") != len(data)
                or stated.get("sha256") != hashlib.sha256(data).hexdigest()):
            self._discard(payload, record)
            return None
        return data

    def get(self, key: str, suffix: str) -> Path | None:
        """The path of KEY's payload, verified (see :meth:`read`); else None."""
        return self.path(key, suffix) if self.read(key, suffix) is not None else None

    def put(self, key: str, suffix: str, data: bytes) -> Path:
        """Keep DATA as KEY's payload, then its record; return the payload's path."""
        from .writing import write_atomic

        self._check_folder()
        payload = self.path(key, suffix)
        record = json.dumps({"format": FORMAT, "key": key, "size": len(data),
                             "sha256": hashlib.sha256(data).hexdigest()}, sort_keys=True)
        try:
            # Whatever stands where the cache's own files and folders go (a folder in an
            # entry's place, a file in a folder's) is handbill's to clear: never an error
            # that comes back at every build.
            for folder in (self.root / CACHE_DIR, self.folder):
                if not folder.is_dir() or folder.is_symlink():
                    _clear(folder)
            for path in (payload, payload.with_name(payload.name + _RECORD)):
                _clear_unless_file(path)
            write_atomic(payload, data)
            write_atomic(payload.with_name(payload.name + _RECORD), record.encode())
        except OSError as error:
            raise OutputError(Diagnostic(display_path(self.folder, self.root), None,
                                         f"cannot write the cache: {error.strerror}",
                                         code="output")) from None
        return payload

    @staticmethod
    def _discard(*paths: Path) -> None:
        for path in paths:
            try:
                _clear(path)
            except OSError:
                pass


def _clear(path: Path) -> None:
    """Remove PATH (a file, a link, a folder and all in it), if anything is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        os.unlink(path)


def _clear_unless_file(path: Path) -> None:
    if (path.exists() or path.is_symlink()) and (path.is_symlink() or not path.is_file()):
        _clear(path)

