"""Preloaded into the test cluster's Dask workers (dask worker --preload): a watch on what
they open, and two ways for a test to make a render fail as a machine would.

- Every file or folder a worker opens under HANDBILL_AUDIT_FORBID (the folder the tests'
  projects are made in) is appended to HANDBILL_AUDIT_LOG: a worker must read nothing of a
  project, only what the main process sent it.
- A document whose HTML holds KILL dies with its worker (os._exit), as when the kernel
  kills it for memory; one that holds STALL takes 6 s (a runaway layout); one that holds
  SLOW takes 1.2 s more than its render (a long handout); one that holds RAISE meets a
  bug (RuntimeError) in the render.
"""

from __future__ import annotations

import os
import sys
import time

KILL = "Kill-this-worker-7f3a"
STALL = "Stall-this-worker-7f3a"
SLOW = "Slow-this-worker-7f3a"
RAISE = "Raise-this-worker-7f3a"

_FORBID = os.environ.get("HANDBILL_AUDIT_FORBID")
_LOG = os.environ.get("HANDBILL_AUDIT_LOG")
_inside = False


def _audit(event: str, args: tuple) -> None:
    global _inside
    if _inside or event not in ("open", "os.listdir", "os.scandir") or not args:
        return
    path = args[0]
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str) or not _FORBID:
        return
    if os.path.abspath(path).startswith(_FORBID):
        _inside = True
        try:
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(f"{os.getpid()} {event} {path}\n")
        finally:
            _inside = False


def dask_setup(worker) -> None:
    if _FORBID and _LOG:
        sys.addaudithook(_audit)
    import handbill.worker

    real = handbill.worker.rendered

    def rendered(task):
        if KILL in task.html:
            os._exit(1)
        if STALL in task.html:
            time.sleep(6)
        if SLOW in task.html:
            time.sleep(1.2)
        if RAISE in task.html:
            raise RuntimeError("a bug met while laying out this page")
        return real(task)

    handbill.worker.rendered = rendered
