"""The one way handbill opens a file for a document: inside the project, or handbill's own.

Every file handbill reads on behalf of content (bodies, short texts,
meta.yaml, references, citation styles, images, the logo, layouts, fonts,
site.yaml, the caches) is opened here, and WeasyPrint reads through
:mod:`handbill.fetcher`, which asks the same question. A file may be read when

- its path, symbolic links followed, lies inside the project; a built-in file
  (one of handbill's own layouts, fonts or styles) must lie inside handbill's
  own folders instead;
- it is a regular file: a FIFO would make the build wait forever, a device
  such as /dev/zero would never end;
- it is no larger than the limit its reader sets.

What was opened is checked once more through ``/proc/self/fd`` where the
system has it, so that a link put in place between the check and the opening
is caught too. A refusal is a :class:`ContentError` located at the file
itself, or at the line that named it (``meta.yaml:8``: ``citation-style:
../x.csl``).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ContentError, Diagnostic, display_path

#: What every refusal of a file outside the project ends with.
ONLY_INSIDE = "handbill reads only files inside the project"
_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
          | getattr(os, "O_CLOEXEC", 0))


@dataclass(frozen=True)
class Named:
    """Where a file was named: the naming file and line, what the file is, its name there."""

    path: Path
    line: int | None
    what: str  # "citation style", "references file", "logo"...
    name: str  # as written


@lru_cache(maxsize=1)
def own_folders() -> tuple[Path, ...]:
    """handbill's own files: the package (fonts, styles, templates) and the built-in layouts."""
    from .places import builtin_layouts_dir

    return tuple(dict.fromkeys((Path(__file__).resolve().parent,
                                builtin_layouts_dir().resolve())))


def _inside(path: Path, bases: tuple[Path, ...]) -> bool:
    return any(path == base or path.is_relative_to(base) for base in bases)


def scope(path: Path, root: Path, named: Named | None = None) -> tuple[Path, ...]:
    """The folders PATH may lead into: handbill's own for a built-in file (one handbill
    looks for itself, never one content names), else the project."""
    absolute = Path(os.path.abspath(path))
    own = own_folders()
    if named is None and _inside(absolute, own):
        return own + ((_real(root),) if _inside(absolute, (Path(os.path.abspath(root)),))
                      else ())
    return (_real(root),)


def _kind(mode: int) -> str | None:
    """What a file that is not a regular one is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a file"


def _where(root: Path, named: Named | None, path: Path, code: str, message: str,
           hint: str | None = None) -> Diagnostic:
    if named is None:
        return Diagnostic(display_path(path, root), None, message, code=code, hint=hint)
    return Diagnostic(display_path(named.path, root), named.line,
                      f"{named.what} '{named.name}' {message}", code=code, hint=hint)


def unusable(path: Path) -> str | None:
    """Why the system cannot even follow PATH (a link to itself, a NUL in the name, a
    name too long), or None. Said of a file; a caller prefixes what the file is."""
    if "\0" in str(path):
        return "holds a NUL character in its name"
    try:
        path.resolve()
        os.stat(path)
    except FileNotFoundError:
        return None  # missing: each reader says so in its own words
    except RuntimeError:  # Python's own report of a loop of links
        return "is a link that leads back to itself"
    except OSError as error:
        if error.errno == getattr(os, "ELOOP", 40):
            return "is a link that leads back to itself"
        return f"cannot be followed: {error.strerror}"
    except ValueError as error:
        return f"cannot be followed: {error}"
    return None


def _follow(path: Path) -> tuple[Path | None, str | None]:
    """PATH with its links followed, or why they cannot be (said as unusable says it)."""
    if "\0" in str(path):
        return None, "holds a NUL character in its name"
    try:
        return path.resolve(), None
    except RuntimeError:
        return None, "is a link that leads back to itself"
    except OSError as error:
        if error.errno == getattr(os, "ELOOP", 40):
            return None, "is a link that leads back to itself"
        return None, f"cannot be followed: {error.strerror}"
    except ValueError as error:
        return None, f"cannot be followed: {error}"


@lru_cache(maxsize=64)
def _real(root: Path) -> Path:
    """ROOT with its links followed, once a process (the project folder does not move)."""
    return root.resolve()


def outside(path: Path, root: Path, named: Named | None = None, *,
            folder: bool = False) -> Diagnostic | None:
    """Why PATH may not be read for being outside its scope (or impossible to follow),
    as a diagnostic; else None."""
    real, broken = _follow(path)
    if broken is not None:
        return _where(root, named, path, "file", broken if named else
                      f"this {'folder' if folder else 'file'} {broken}")
    bases = scope(path, root, named)
    if _inside(real, bases):
        return None
    where = "outside the project" if bases == (_real(root),) else \
        "outside handbill's own files"
    as_written = Path(os.path.normpath(os.path.abspath(path)))
    linked = _inside(as_written, bases)
    if named is not None:
        return _where(root, named, path, "outside",
                      f"{'links to a place' if linked else 'is'} {where}; {ONLY_INSIDE}")
    if not linked:
        return _where(root, None, path, "outside",
                      f"this {'folder' if folder else 'file'} is {where}; {ONLY_INSIDE}")
    return _where(root, None, path, "outside",
                  f"this {'folder' if folder else 'file'} links to a place {where}; {ONLY_INSIDE}",
                  hint=None if folder else "copy the file into the project instead of linking to it")


def refusal(path: Path, root: Path, named: Named | None = None,
            code: str = "file") -> Diagnostic | None:
    """Why PATH may not be read (outside, not a regular file), or None when it may."""
    found = outside(path, root, named)
    if found is not None:
        return found
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None  # missing: each reader says so in its own words
    kind = _kind(mode)
    if kind is not None:
        return _where(root, named, path, code,
                      f"{'is not' if named else 'not'} a regular file ({kind}); "
                      "handbill reads only regular files")
    return None


def check(path: Path, root: Path, named: Named | None = None, code: str = "file") -> Path:
    """PATH resolved, when it may be read; else a located ContentError."""
    problem = refusal(path, root, named, code)
    if problem is not None:
        raise ContentError(problem)
    return path.resolve()


def _opened(fd: int) -> Path | None:
    """The path the system opened FD as, where it says (Linux: /proc/self/fd)."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return None


def read_bytes(path: Path, root: Path, named: Named | None = None, *,
               limit: int | None = None, code: str = "file") -> bytes:
    """PATH's bytes, if it may be read and holds at most LIMIT; else a located ContentError."""
    resolved = check(path, root, named, code)
    try:
        fd = os.open(resolved, _FLAGS)
    except OSError as error:
        raise ContentError(_where(root, named, path, code,
                                  f"cannot be read: {error.strerror}" if named else
                                  f"cannot read: {error.strerror}")) from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        opened = _opened(fd)
        if _kind(info.st_mode) or (opened is not None and not _inside(opened,
                                                                       scope(path, root, named))):
            raise ContentError(refusal(path, root, named, code) or _where(
                root, named, path, "outside", f"changed while it was read; {ONLY_INSIDE}"))
        if limit is not None and info.st_size > limit:
            raise ContentError(_where(root, named, path, code, f"{'is' if named else 'file is'} "
                                      f"{info.st_size} bytes, more than the {limit} allowed"))
        data = file.read() if limit is None else file.read(limit + 1)
    if limit is not None and len(data) > limit:  # it grew while it was read
        raise ContentError(_where(root, named, path, code, f"file is more than the {limit} "
                                  "bytes allowed"))
    return data


def read_text(path: Path, root: Path, named: Named | None = None, *,
              limit: int | None = None, code: str = "file") -> str:
    """PATH as UTF-8 text (a byte-order mark dropped); bad UTF-8 is an error at its line."""
    data = read_bytes(path, root, named, limit=limit, code=code)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContentError(Diagnostic(display_path(path, root), line, "file is not valid UTF-8",
                                      code=code, hint="save the file as UTF-8")) from None


def folder_refusal(path: Path, root: Path) -> Diagnostic | None:
    """Why the folder PATH may not be used (it leads outside the project), or None."""
    return outside(path, root, folder=True)
