"""``handbill watch``: rebuild whenever a source file is saved (with watchfiles).

The output folder, ``.cache/``, editor swap and backup files (``*.swp``,
``*~``, ``.#*``) and temporary files (``.*.tmp``, as handbill itself writes
before renaming a PDF into place) never trigger a rebuild.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path
from typing import Callable

import watchfiles

from .errors import Diagnostic, UsageError, display_path

log = logging.getLogger(__name__)

#: Folders whose contents never trigger a rebuild (besides the output folder).
IGNORED_DIRS = frozenset({".cache", ".git", ".hg", ".svn", "__pycache__", ".venv", "node_modules"})
#: File names that never trigger a rebuild: swap, backup, lock and temporary files.
# (4913 is the file vim writes to test that a folder is writable.)
IGNORED_NAMES = re.compile(r"\.sw.$|~$|^\.#|^\..*\.tmp$|^\.DS_Store$|^4913$")


class SourceFilter:
    """A watchfiles filter: True for a change that should trigger a rebuild.

    Folder names are checked below the watched ROOTS only, so a project that
    itself lives under a ``.cache`` folder is still watched.
    """

    def __init__(self, roots: list[Path], out_dir: Path | None = None):
        self.roots = [Path(os.path.abspath(root)) for root in roots]
        self.out_dir = Path(os.path.abspath(out_dir)) if out_dir is not None else None

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        path_ = Path(os.path.abspath(path))
        if IGNORED_NAMES.search(path_.name):
            return False
        if self.out_dir is not None and path_.is_relative_to(self.out_dir):
            return False
        for root in self.roots:
            if path_.is_relative_to(root):
                return not IGNORED_DIRS.intersection(path_.relative_to(root).parts[:-1])
        return True


def watch(paths: list[Path], rebuild: Callable[[set[Path]], int], *,
          stop_event: threading.Event | None = None, debounce_ms: int = 300,
          out_dir: Path | None = None, force_polling: bool | None = None) -> None:
    """Call REBUILD with the changed paths after each batch of changes under PATHS.

    PATHS are folders or files (content/, layouts/, fonts/, site.yaml...); those
    that do not exist are skipped (UsageError if none does). Changes inside OUT_DIR, ``.cache/``, and to
    swap or temporary files are ignored. A batch is the changes that arrive
    within DEBOUNCE_MS of each other. REBUILD reports its own findings; its
    return value (an exit code) is not used, and an exception from it ends the
    watch. Returns when STOP_EVENT (a threading.Event) is set, or quietly on
    KeyboardInterrupt.

    FORCE_POLLING None uses the system's notifications (inotify) unless the
    environment sets WATCHFILES_FORCE_POLLING; if they cannot be used (no
    inotify, or its watch limit reached) the watch falls back to polling.
    """
    roots = [Path(os.path.abspath(path)) for path in paths]
    existing = [root for root in roots if root.exists()]
    if not existing:
        raise UsageError(Diagnostic(", ".join(display_path(r) for r in roots) or "handbill",
                                    None, "nothing to watch: no such file or folder"))
    watch_filter = SourceFilter(existing, out_dir)

    def batches(polling: bool | None):
        return watchfiles.watch(*existing, watch_filter=watch_filter, debounce=debounce_ms,
                                stop_event=stop_event, force_polling=polling)

    polling = force_polling
    changes = batches(polling)
    try:
        while True:
            try:
                batch = next(changes)
            except StopIteration:
                return
            except OSError as error:  # the watcher failed (to start), not a rebuild
                if polling:
                    raise
                log.warning("file notifications unavailable (%s): polling instead", error)
                polling = True
                changes = batches(polling)
                continue
            rebuild({Path(path) for _, path in batch})
    except KeyboardInterrupt:
        return
