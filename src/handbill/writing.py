"""Writing a file so that no reader ever sees it half-written: the one way handbill
writes its outputs (PDFs, the manifest, caches, the report, check --fix's texts).

Its own module, not the PDF stage's: citations, subsets, the manifest and the report
write through it too, and data flows one way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, private: bool = False) -> None:
    """Write DATA to PATH through a temporary file in the same folder, then rename.

    A reader (or a failed build) never sees a half-written file. PRIVATE (a handout
    with a patient's data in it): the file is the owner's alone (0600), and so are the
    folders made for it (0700).
    """
    if private:
        for folder in reversed([path.parent, *path.parent.parents]):
            if not folder.exists():
                folder.mkdir(mode=0o700)
                os.chmod(folder, 0o700)  # whatever the umask says
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, 0o600 if private else 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
