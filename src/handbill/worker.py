"""The back of a job: render a prepared document and write its PDF, in a worker process.

The builder prepares each job in the main process (its front) and hands it
here as a :class:`RenderTask`. Worker processes import WeasyPrint once and
render many documents. This module imports little, so that a build can fork
its first worker before it imports the rest of handbill (see :func:`early`):
the worker then imports WeasyPrint (0.3 s) while the main process imports,
plans and prepares the first document.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Diagnostic, HandbillError, RenderError


@dataclass(frozen=True)
class Job:
    """One output to make: BUNDLE in LAYOUT, in both languages or in LANG."""

    bundle: Path
    layout: str
    lang: str | None
    target: Path


@dataclass
class Output:
    """What a job made (or found up to date)."""

    job: Job
    files: list[tuple[Path, int, int]] = field(default_factory=list)  # (path, pages, bytes)
    seconds: float = 0.0
    status: str = "built"  # built, cached or failed
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class RenderTask:
    """A job prepared by the front, for the back to render: everything it needs, picklable."""

    output: Output
    html: str
    render: dict  # render_pdf's keyword arguments
    timeout: float
    source: str
    sheet: str | None  # the imposed booklet's sheet size, or None
    started: float


def back(task: RenderTask) -> Output:
    """Render a prepared job and write its PDF(s)."""
    from .pdf import render_pdf, write_atomic

    output, job = task.output, task.output.job
    try:
        with _time_limit(task.timeout, task.source):
            data, pages = render_pdf(task.html, **task.render)
        write_atomic(job.target, data)
        output.files.append((job.target, pages, len(data)))
        if task.sheet is not None:
            from .impose import impose_booklet

            sheets = impose_booklet(data, sheet=task.sheet)
            imposed = job.target.with_name(job.target.stem + ".imposed.pdf")
            write_atomic(imposed, sheets)
            output.files.append((imposed, -(-pages // 4) * 2, len(sheets)))
    except HandbillError as error:
        output.status = "failed"
        output.diagnostics += error.diagnostics
    # The front's time counts too; perf_counter is one clock for all processes on Linux.
    output.seconds = time.perf_counter() - task.started
    return output


@contextmanager
def _time_limit(seconds: float, source: str):
    """Stop a render that takes longer than SECONDS (a RenderError), where signals allow it."""
    import signal
    import threading

    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise RenderError(Diagnostic(source, None, f"rendering took more than {seconds:g} s and "
                                     "was stopped", code="limits",
                                     hint="raise it with --timeout, or look for a runaway layout"))

    previous = signal.signal(signal.SIGALRM, expired)
    # Then again every 0.1 s: an exception raised while Python runs a finalizer
    # (__del__) is printed and dropped, so one alarm alone could go unheard.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def start_worker() -> None:
    """A worker's first step: import WeasyPrint, once for all its documents."""
    from .engine import load

    try:
        load()
    except KeyboardInterrupt:
        # Ctrl-C or SIGTERM while importing: the build is stopping, and the main process
        # says so. Leave quietly (the pool would print the interrupted import's traceback).
        os._exit(130)


def _stopped(task: RenderTask) -> Output:
    """TASK's Output when the process rendering it died (killed, out of memory)."""
    output = task.output
    output.status = "failed"
    output.diagnostics.append(Diagnostic(
        task.source, None, "the process rendering it stopped before it was done (killed, or out "
        "of memory?)", code="render", hint="build it again; with fewer processes (-j) if memory "
        "is short"))
    output.seconds = time.perf_counter() - task.started
    return output


def render_here() -> bool:
    """Whether one job at a time is better rendered in this process than in a worker.

    A worker pays off with a second CPU while WeasyPrint is not imported here:
    its import then overlaps the preparing of the first document.
    """
    return (os.cpu_count() or 1) < 2 or "weasyprint" in sys.modules


class Workers:
    """Render processes, started ahead of need: one or more pools of forked workers.

    A pool forks all its processes at its first task, so a build starts with one
    worker (:func:`early`) and adds a pool for the others once it knows it has
    more than one document to render.
    """

    def __init__(self) -> None:
        self._pools: list[_Pool] = []
        self._tasks: dict = {}  # future -> its RenderTask

    @property
    def size(self) -> int:
        return sum(pool.size for pool in self._pools)

    def grow_to(self, size: int) -> None:
        """Have SIZE worker processes, starting the missing ones now."""
        if size > self.size:
            self._pools.append(_Pool(size - self.size))

    def submit(self, task: RenderTask):
        """Render TASK in the pool with the most room; return its Future (see :meth:`result`)."""
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        try:
            future = max(self._pools, key=_Pool.room).submit(task)
        except BrokenProcessPool:  # a worker of that pool died earlier
            future = Future()
            future.set_exception(BrokenProcessPool())
        self._tasks[future] = task
        return future

    def result(self, future) -> Output:
        """The Output of a done FUTURE; a failed one, located, if its worker died."""
        from concurrent.futures.process import BrokenProcessPool

        task = self._tasks.pop(future)
        try:
            return future.result()
        except BrokenProcessPool:
            return _stopped(task)

    def close(self) -> None:
        for pool in self._pools:
            pool.close()
        self._pools.clear()


class _Pool:
    """SIZE forked worker processes (a ProcessPoolExecutor) and the tasks given them."""

    def __init__(self, size: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.size = size
        self.given = 0
        self.running: set = set()
        # fork: a worker starts from this process as it is, nothing imported again.
        self.executor = ProcessPoolExecutor(max_workers=size, initializer=start_worker,
                                            mp_context=multiprocessing.get_context("fork"))
        self.executor.submit(int)  # forks the workers (and starts their WeasyPrint import) now

    def room(self) -> int:
        self.running = {f for f in self.running if not f.done()}
        return self.size - len(self.running)

    def submit(self, task: RenderTask):
        future = self.executor.submit(back, task)
        self.given += 1
        self.running.add(future)
        return future

    def close(self) -> None:
        """Stop the workers once they are done; at once if they were never given a task
        (the build stopped early: a usage error, Ctrl-C), not after WeasyPrint's import."""
        if not self.given:
            # The executor's own processes (Python 3.14 has kill_workers()); killed,
            # as a worker without a task has nothing to clean up, nor anything to say.
            for process in list((getattr(self.executor, "_processes", None) or {}).values()):
                process.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)


def early(out_dir: Path) -> Workers | None:
    """The first render worker, forked now, if this build will surely render something.

    It will when the output folder has no manifest (a first build, or out/
    deleted: the benchmark's cold build, a CI checkout) and a worker pays off
    (:func:`render_here`). A build with a manifest may have nothing to do, and
    a build that does nothing imports no WeasyPrint: it starts its workers later.
    """
    from .incremental import MANIFEST

    if render_here() or (out_dir / MANIFEST).exists():
        return None
    workers = Workers()
    workers.grow_to(1)
    return workers
