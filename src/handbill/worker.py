"""The back of a job: render a prepared document and write its PDF, in a worker process.

The builder prepares each job in the main process (its front) and hands it
here as a :class:`RenderTask`. Worker processes import WeasyPrint once and
render many documents. This module imports little, so that a build can fork
its first worker before it imports the rest of handbill (see :func:`early`):
the worker then imports WeasyPrint (0.3 s) while the main process imports,
plans and prepares the first document.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Diagnostic, HandbillError, RenderError

if TYPE_CHECKING:
    from .rows import Row
    from .spec import RenderSpec


@dataclass(frozen=True)
class Job:
    """One output to make: BUNDLE in LAYOUT, in both languages or in LANG."""

    bundle: Path
    layout: str
    lang: str | None
    target: Path
    #: Files outside the bundle's folder that its meta.yaml names (a references file, a
    #: citation style elsewhere in the project): its output depends on them too.
    inputs: tuple[Path, ...] = ()
    #: The files it writes: its PDF, and the imposed booklet beside it (every count of
    #: outputs, the progress bar's, the summary's and watch's, counts these).
    files: tuple[Path, ...] = ()
    #: A personalised handout's row (--data), whose values fill the placeholders.
    row: "Row | None" = None
    #: Every character of every row's values: the fonts are subset once for all rows.
    row_chars: frozenset = frozenset()

    @property
    def outputs(self) -> tuple[Path, ...]:
        return self.files or (self.target,)


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
    spec: "RenderSpec"  # what render_pdf needs besides the HTML (handbill.spec)
    timeout: float
    source: str
    started: float


@dataclass
class WholeTask:
    """A job whose front runs in the worker too: a layout that measures its pages
    (layout.yaml ``measure: true``) lays them out while it prepares them, and that is
    WeasyPrint's work, kept out of the main process."""

    output: Output
    options: object  # the build's BuildOptions
    source: str
    started: float


def back(task: RenderTask | WholeTask) -> Output:
    """Render a prepared job and write its PDF(s)."""
    if isinstance(task, WholeTask):
        from .builder import run_job

        return run_job(task.output.job, task.options)

    output, job = task.output, task.output.job
    try:
        for path, pdf, count in rendered(task):
            _write(path, pdf, task.spec.project, private=job.row is not None)
            output.files.append((path, count, len(pdf)))
    except HandbillError as error:
        output.status = "failed"
        output.diagnostics += error.diagnostics
    except Exception as error:  # noqa: BLE001 - one document's bug never stops the others
        output.status = "failed"
        output.diagnostics.append(unexpected(error, task.source))
    # The front's time counts too; perf_counter is one clock for all processes on Linux.
    output.seconds = time.perf_counter() - task.started
    return output


def rendered(task: RenderTask) -> list[tuple[Path, bytes, int]]:
    """TASK's PDF(s), not yet written: (path, bytes, pages) of each (the imposed booklet's
    beside the reading-order one). Problems raise HandbillError."""
    from .pdf import render_pdf

    job = task.output.job
    # One limit for the whole document: what its preparation left of it.
    left = task.timeout - (time.perf_counter() - task.started)
    with time_limit(max(left, 0.001), task.source, "preparing and rendering the document",
                    shown=task.timeout):
        data, pages = render_pdf(task.html, **task.spec.pdf_arguments())
    written = [(job.target, data, pages)]
    if task.spec.sheet is not None:
        from .impose import impose_booklet

        sheets = impose_booklet(data, sheet=task.spec.sheet)
        imposed = job.target.with_name(job.target.stem + ".imposed.pdf")
        written.append((imposed, sheets, -(-pages // 4) * 2))
    return written


def _write(path: Path, data: bytes, project: Path | None, private: bool = False) -> None:
    """Write a PDF atomically; a write that fails is an error at the PDF's path (the
    previous PDF, if any, stays as it was, and no temporary file is left)."""
    from .errors import OutputError, display_path
    from .writing import write_atomic

    try:
        write_atomic(path, data, private)
    except OSError as error:
        raise OutputError(Diagnostic(display_path(path, project), None,
                                     f"cannot write the PDF: {error.strerror or error}",
                                     code="output")) from None


def unexpected(error: Exception, source: str) -> Diagnostic:
    """An error handbill did not foresee, as a finding about the document it happened on.

    One document's failure never stops the others. HANDBILL_DEBUG=1 raises it
    instead, with its traceback, for whoever fixes the bug.
    """
    if os.environ.get("HANDBILL_DEBUG"):
        raise error
    if isinstance(error, RecursionError):
        return Diagnostic(source, None, "the document nests its elements too deeply to lay out",
                          code="limits", hint="flatten deeply nested lists, quotes or emphasis")
    if isinstance(error, MemoryError):
        return Diagnostic(source, None, "laying the document out ran out of memory",
                          code="limits", hint="build it alone (-j 1), or shorten it")
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT,
                                                      errno.EROFS, errno.EIO):
        # WeasyPrint's temporary copies of the fonts, written while it renders
        return Diagnostic(source, None, f"a file could not be written while rendering: "
                          f"{error.strerror}", code="output",
                          hint="is the disk, or the temporary folder (TMPDIR), full?")
    return Diagnostic(source, None, f"handbill failed on this document ({type(error).__name__}: "
                      f"{str(error)[:200]})", code="internal",
                      hint="this is a bug in handbill: please report it, with the bundle "
                           "(HANDBILL_DEBUG=1 shows where it happened)")


@contextmanager
def time_limit(seconds: float, source: str, what: str = "rendering",
               shown: float | None = None):
    """Stop WHAT (a render, a document's preparation) when it takes longer than SECONDS:
    a RenderError at SOURCE (saying SHOWN seconds, the whole limit, when given), where
    signals allow it (the main thread)."""
    import signal
    import threading

    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise RenderError(Diagnostic(source, None, f"{what} took more than "
                                     f"{shown or seconds:g} s and was stopped", code="limits",
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


#: Whether this worker is rendering a task (see _stop).
_BUSY = False
#: How often a worker looks whether the process that started it is still there (seconds).
PARENT_POLL = 0.5


def start_worker(parent: int | None = None) -> None:
    """A worker's first step: its signals, a watch on its parent, then WeasyPrint's import.

    Ctrl-C on a terminal reaches every process of the group: a worker ignores it
    and lets the main process stop the build. SIGTERM (from the main process, or
    from the watch) stops it: in a task by unwinding it, so that a PDF being
    written leaves no temporary file, otherwise at once, quietly. Should the main
    process die without stopping it (SIGKILL), the watch sees its parent gone
    within PARENT_POLL seconds and stops it the same way.
    """
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    if hasattr(signal, "pthread_sigmask"):  # blocked by the parent while it forked us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    parent = parent or os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="handbill-parent-watch").start()
    import gc

    from .engine import load

    # The collector is off in a worker (see work): the import makes some 400,000 objects,
    # all kept for the worker's life, and no garbage, so a collection during it only
    # walks them (30 ms of its 0.22 s). Then they are frozen: no collection walks them.
    gc.disable()
    try:
        load()
    except KeyboardInterrupt:
        # Stopped while importing: the build is stopping, and the main process says
        # so. Leave quietly (the pool would print the interrupted import's traceback).
        os._exit(130)
    finally:
        gc.freeze()


def warm(hyphenation: tuple[str, ...]) -> None:
    """A worker's second step, while the main process still prepares its first document:
    what WeasyPrint would otherwise load in that document's render. Pyphen's patterns
    for each language of HYPHENATION (the document's; about 45 ms for English, a
    tenth of a handout's render) go to the cache its public constructor fills and
    WeasyPrint's hyphenation reads, and a FontConfiguration sets fontconfig up. What
    is loaded is what the render would load: the PDF is the same, byte for byte."""
    import pyphen
    from weasyprint.text.fonts import FontConfiguration

    for tag in hyphenation:
        lang = pyphen.language_fallback(tag)
        if lang:  # a language pyphen has no patterns for is never hyphenated: none to load
            pyphen.Pyphen(lang=lang)
    FontConfiguration()


def _stop(signum, frame) -> None:
    """SIGTERM in a worker: unwind the task it renders (temporary files removed), or leave."""
    if _BUSY:
        raise KeyboardInterrupt
    os._exit(0)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os.kill(os.getpid(), __import__("signal").SIGTERM)
    time.sleep(5)  # a task that does not unwind in time (stuck in C code): leave anyway
    os._exit(1)


#: The documents this worker has rendered.
_RENDERED = 0


def work(task: RenderTask) -> Output:
    """back(), in a worker: a task stopped by SIGTERM unwinds, then the worker leaves.

    A render runs with the collector off, and the garbage it leaves is collected at
    once when the next begins: one collection a document instead of dozens during it
    (11 ms of a handout's 0.31 s), and none before the first document's PDF is sent.
    """
    global _BUSY, _RENDERED
    import gc

    if _RENDERED:
        gc.collect()
    _RENDERED += 1
    _BUSY = True
    try:
        return back(task)
    except KeyboardInterrupt:
        os._exit(130)  # after unwinding: a PDF being written left no temporary file
    finally:
        _BUSY = False


def _warm_quietly(hyphenation: tuple[str, ...]) -> None:
    try:
        warm(hyphenation)
    except Exception:  # noqa: BLE001 - the render loads it again, and says what fails
        pass


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
        self._collector_off = False  # by early(), until the first document is prepared

    def collector_on(self) -> None:
        """The main process's collector on again, if early() turned it off (see there)."""
        if self._collector_off:
            import gc

            self._collector_off = False
            # Frozen first: a collection of all that was made meanwhile would hold up the
            # sending of the document (10 ms), and it is mostly the imports, kept anyway.
            gc.freeze()
            gc.enable()

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
        self.collector_on()
        return future

    def warm(self, hyphenation: tuple[str, ...]) -> None:
        """Have the workers not yet given a document load what its render needs first
        (see :func:`warm`): they do it after WeasyPrint's import, before that document."""
        for pool in self._pools:
            if not pool.given:
                pool.warm(hyphenation)

    def result(self, future) -> Output:
        """The Output of a done FUTURE; a failed one, located, if its worker died."""
        from concurrent.futures.process import BrokenProcessPool

        task = self._tasks.pop(future)
        try:
            return future.result()
        except BrokenProcessPool:
            return _stopped(task)

    def close(self, stop: bool = False) -> None:
        """Let the workers finish and leave; with STOP, stop them now (see _Pool.close)."""
        self.collector_on()
        for pool in self._pools:
            pool.close(stop)
        self._pools.clear()


class _Pool:
    """SIZE forked worker processes (a ProcessPoolExecutor) and the tasks given them."""

    def __init__(self, size: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        import signal

        self.size = size
        self.given = 0
        self.running: set = set()
        # fork: a worker starts from this process as it is, nothing imported again. The
        # signals that stop a build wait while it forks: a worker takes them only once it
        # has its own handlers (start_worker), and this process gets them right after.
        self.executor = ProcessPoolExecutor(max_workers=size, initializer=start_worker,
                                            initargs=(os.getpid(),),
                                            mp_context=multiprocessing.get_context("fork"))
        stopping = {signal.SIGINT, signal.SIGTERM}
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
        try:
            self.executor.submit(int)  # forks the workers (and starts their WeasyPrint import)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def room(self) -> int:
        self.running = {f for f in self.running if not f.done()}
        return self.size - len(self.running)

    def warm(self, hyphenation: tuple[str, ...]) -> None:
        # Not counted in GIVEN: a build that stops before its first document does not
        # wait for this (see close). Its result is never read: a failure here costs only
        # the time saved, and the render loads the same things again.
        from concurrent.futures.process import BrokenProcessPool

        try:
            for _ in range(self.size):
                self.executor.submit(_warm_quietly, hyphenation)
        except BrokenProcessPool:  # a worker died already: its document says so (submit)
            pass

    def submit(self, task: RenderTask):
        future = self.executor.submit(work, task)
        self.given += 1
        self.running.add(future)
        return future

    def close(self, stop: bool = False) -> None:
        """Stop the workers once they are done; at once if they were never given a task
        (the build stopped early: a usage error), not after WeasyPrint's import. With
        STOP (Ctrl-C, SIGTERM), stop them now: a worker in a task unwinds it first."""
        # The executor's own processes (Python 3.14 has kill_workers()).
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        if not self.given:
            for process in processes:  # nothing to clean up, nor anything to say
                process.kill()
        elif stop:
            for process in processes:
                try:
                    process.terminate()
                except (OSError, ValueError):
                    pass
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
    # Until its first document is sent, the main process imports (most of its objects,
    # kept to the end) and prepares that document, on the build's critical path: the
    # collector, off meanwhile, would only walk the imports (20 ms). It is on again,
    # with what was made frozen, once that document is sent (Workers.submit) or found
    # broken (builder._run_all), or the workers are closed.
    import gc

    gc.disable()
    workers._collector_off = True
    return workers
