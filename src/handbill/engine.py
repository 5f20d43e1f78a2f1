"""Importing WeasyPrint, quickly: the start-up every build process pays once.

Importing WeasyPrint 70 takes about 0.4 s, a third of it in
``ctypes.util.find_library``: WeasyPrint tries up to six spellings of each of
its seven libraries (the Linux, macOS and Windows names), and on Linux
find_library runs ``ldconfig -p``, then gcc, then ld for every spelling that
is not a library here. While WeasyPrint is imported, find_library here answers
from one reading of the ldconfig cache, which is the first thing the real one
consults: the libraries WeasyPrint finds are the same. Should the import fail
that way (a library only gcc or ld would find, say under LD_LIBRARY_PATH), it
is imported again with the real find_library.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from functools import lru_cache
from types import ModuleType

LDCONFIG = "/sbin/ldconfig"
#: ldconfig's name for this machine's ABI, as ctypes.util spells it.
_ABI = {"x86_64": "libc6,x86-64", "aarch64": "libc6,AArch64", "ppc64le": "libc6,64bit",
        "s390x": "libc6,64bit"}


@lru_cache(maxsize=1)
def _ldconfig_cache() -> str:
    """The output of ``ldconfig -p`` (the sonames in /etc/ld.so.cache), read once."""
    try:
        return subprocess.run([LDCONFIG, "-p"], stdin=subprocess.DEVNULL, capture_output=True,
                              env={"LC_ALL": "C", "LANG": "C"}, check=False,
                              timeout=10).stdout.decode(errors="replace")
    except (OSError, subprocess.SubprocessError):
        return ""


def find_library(name: str) -> str | None:
    """ctypes.util.find_library's first step only: NAME's soname in the ldconfig cache."""
    abi = _ABI.get(os.uname().machine)
    if abi is None:
        return None
    found = re.search(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), re.escape(abi)),
                      _ldconfig_cache())
    return found.group(1) if found else None


def _fast_path_usable() -> bool:
    return (sys.platform.startswith("linux") and os.uname().machine in _ABI
            and os.access(LDCONFIG, os.X_OK) and sys.maxsize > 2**32)


def load() -> ModuleType:
    """The weasyprint module, imported the quick way when this machine allows it."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    if _fast_path_usable():
        import ctypes.util

        real = ctypes.util.find_library
        ctypes.util.find_library = find_library
        try:
            # WeasyPrint prints installation advice before it fails to find a library:
            # not meant for this attempt.
            with contextlib.redirect_stdout(io.StringIO()):
                import weasyprint

            return weasyprint
        except OSError:
            for module in [m for m in sys.modules if m == "weasyprint"
                           or m.startswith("weasyprint.")]:
                del sys.modules[module]
        finally:
            ctypes.util.find_library = real
    import weasyprint

    return weasyprint
