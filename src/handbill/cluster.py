"""Builds on a Dask cluster (``handbill build --scheduler``): the main process plans and
prepares, Dask's workers render, the main process writes.

Each document's front runs here, as in any build. Its render goes to the cluster
as a :class:`ClusterTask`: the HTML, the RenderSpec, and a table of every file the
render reads (handbill.resources.Shipped) by content hash, never a path to read.
The files themselves (the font subsets, stylesheets, images, the bodies the
checks quote) are sent once a build, each a task under its hash that returns
its bytes (so that the scheduler can make a file again should every worker
holding it die); Dask moves each to a worker once, where it stays for the
build's tasks, and the worker verifies it against its hash before it uses it. A worker returns
the PDF's bytes and its findings; this process writes the files (atomically,
0600 for personalised rows) and keeps the manifest, as a local build does, and
the bytes are the same as a local build's.

A render that asks for a file it was not sent (one the HTML and CSS scan missed,
such as an image an SVG links to) comes back with the URLs it missed; they are
read here, under the project's rules, and the task is sent again with them
(and every later task of that bundle and layout gets them at once).

Failures: a worker that dies mid-task has its task run elsewhere by Dask; a task
Dask gives up (its workers died twice: ``allowed-failures`` for ``local:N``) is sent
once more as a task of its own, and given up again it is an error for that
document only. A render's time limit (--timeout) counts from when a worker began it (it
says so on :data:`STARTED_TOPIC`), not from when it was sent: a task may wait behind
others; one no worker begins is given up only when nothing on the cluster began or
ended for as long. A scheduler that does not answer within
:data:`CONNECT_TIMEOUT` seconds is a misuse (exit 2). Ctrl-C cancels the
build's tasks on the cluster.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .errors import Diagnostic, HandbillError, UsageError

if TYPE_CHECKING:
    from .options import BuildOptions
    from .resources import Shipped
    from .worker import Job, Output, RenderTask

#: Seconds to wait for the scheduler to answer.
CONNECT_TIMEOUT = 3
#: How many times a task goes back for files it was not sent before that is an error.
MAX_ROUNDS = 3
#: The key a shipped file has on the cluster: this prefix and its SHA-256.
BLOB_PREFIX = "handbill-file-"
#: The Dask event topic on which a worker says it has begun a render: a render's time
#: limit counts from then, not from when it was sent (it may wait behind others).
STARTED_TOPIC = "handbill-render-started"
#: Tasks in flight per worker thread: enough to keep each busy, few enough that the
#: HTML of thousands of rows is not all held at once.
IN_FLIGHT = 2
_ADDRESS = re.compile(r"^(local:(\d+)|(tcp|tls|inproc|ucx)://\S+)$")


def check_scheduler(value: str) -> None:
    """Misuse (exit 2) unless VALUE is ``local:N`` (N >= 1) or a scheduler's address."""
    match = _ADDRESS.match(value)
    if match is None or (match.group(2) is not None and int(match.group(2)) < 1):
        raise UsageError(Diagnostic(
            "handbill", None, f"--scheduler {value}: not a Dask scheduler",
            hint="give a running scheduler's address (tcp://HOST:8786) or local:N to start "
                 "N workers on this machine"))
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError(Diagnostic(
            "handbill", None, "--scheduler needs Dask's distributed package, which is not "
            "installed", hint="pip install 'handbill[dask]'")) from None


@dataclass
class ClusterTask:
    """A render for a Dask worker: the prepared task and every file it reads, by hash."""

    task: "RenderTask"
    shipped: "Shipped"
    version: str


@dataclass
class Rendered:
    """What a worker sends back: the PDFs (path, bytes, pages), or the URLs it missed."""

    files: list[tuple[Path, bytes, int]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    #: SHA-256s of files the cluster had lost (their worker died): sent again
    lost: list[str] = field(default_factory=list)
    worker: str = ""


# ---------------------------------------------------------------- on a worker

#: One render at a time in a worker process (WeasyPrint keeps state of its own).
_RENDERING = threading.Lock()


def render(ctask: ClusterTask, blobs: dict[str, bytes]) -> Rendered:
    """Render CTASK on a Dask worker: its files (BLOBS, by hash) from the cluster, which
    Dask moves to this worker once and keeps there; its PDFs in memory."""
    from . import __version__
    from .resources import serving
    from .worker import rendered, unexpected

    _announce()
    task = ctask.task
    out = Rendered(worker=f"{os.uname().nodename}:{os.getpid()}")
    if ctask.version != __version__:
        out.diagnostics.append(Diagnostic(
            task.source, None, f"the Dask worker {out.worker} runs handbill {__version__}, "
            f"this build {ctask.version}: its PDF could differ, so it was not rendered",
            code="render", hint="install the same handbill on every worker"))
        return out
    out.lost = _verified(blobs)
    if out.lost:
        return out
    # The worker's clock is not the main process's: the time limit starts here.
    task = replace(task, started=time.perf_counter())
    with _RENDERING, serving(ctask.shipped, blobs) as served:
        try:
            out.files = rendered(task)
        except HandbillError as error:
            out.diagnostics += error.diagnostics
        except Exception as error:  # noqa: BLE001 - one document's bug never stops the others
            out.diagnostics.append(unexpected(error, task.source))
        if served.missing:
            out.files, out.diagnostics = [], []
            out.missing = list(dict.fromkeys(served.missing))
    return out


def _announce() -> None:
    """Say on STARTED_TOPIC that this worker has begun the task it runs now."""
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:  # called outside a worker
        return
    worker.log_event(STARTED_TOPIC, {"key": worker.get_current_task()})


def _verified(blobs: dict[str, bytes]) -> list[str]:
    """The hashes among BLOBS whose bytes are not their content (a copy is verified)."""
    from .resources import sha256

    return [sha for sha, data in blobs.items() if sha256(data) != sha]


def _file(data: bytes) -> bytes:
    """A shipped file, as a task's result (see _Connection.ship)."""
    return data


def warm() -> str:
    """Import WeasyPrint in a worker before its first task (client.run)."""
    from .engine import load

    load()
    return "ready"


# ---------------------------------------------------------------- in the main process

class _Connection:
    """The build's Client, and the LocalCluster it started for ``local:N``."""

    def __init__(self, scheduler: str):
        import logging

        import dask
        from distributed import Client

        for name in ("distributed", "tornado"):  # handbill says what went wrong
            logging.getLogger(name).setLevel(logging.CRITICAL)
        self.cluster = None
        local = re.match(r"^local:(\d+)$", scheduler)
        try:
            if local:
                from distributed import LocalCluster

                # A task whose worker died twice is bad (retried once, elsewhere). The
                # shipped files stay on every worker (the memory manager would keep
                # one copy of each, and each task would fetch it again).
                # Fewer tasks wait on a worker (as far as Dask queues them): one that
                # dies takes fewer other tasks' tries with it (see run.done).
                with dask.config.set({"distributed.scheduler.allowed-failures": 1,
                                      "distributed.scheduler.worker-saturation": 1.0,
                                      "distributed.worker.profile.enabled": False,
                                      # A patient's handout is never spilled to disk.
                                      "distributed.worker.memory.target": False,
                                      "distributed.worker.memory.spill": False,
                                      "distributed.scheduler.active-memory-manager.start":
                                      False}):
                    self.cluster = LocalCluster(
                        n_workers=int(local.group(1)), threads_per_worker=1, processes=True,
                        host="127.0.0.1", dashboard_address="127.0.0.1:0",
                        silence_logs=logging.CRITICAL)
                self.client = Client(self.cluster, timeout=CONNECT_TIMEOUT)
            else:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as error:
            raise self._misuse(f"--scheduler {scheduler}: no Dask scheduler answered within "
                               f"{CONNECT_TIMEOUT} s ({str(error).splitlines()[0][:160]})",
                               "start one (dask scheduler; then dask worker ADDRESS on each "
                               "machine), or use local:N for N workers on this machine") from None
        try:
            self.client.run(warm)  # every worker imports WeasyPrint now, side by side
        except Exception as error:  # noqa: BLE001 - a worker without handbill, or another one
            raise self._misuse(f"--scheduler {scheduler}: the cluster's workers cannot run "
                               f"handbill ({type(error).__name__}: {str(error)[:160]})",
                               "install the same handbill on every worker: pip install "
                               "'handbill[dask]'") from None
        self.futures: dict[str, object] = {}  # SHA-256 -> its Future (held for the build)
        self.store: dict[str, bytes] = {}  # SHA-256 -> the bytes, to send again if lost
        self._sent = 0

    def _misuse(self, message: str, hint: str) -> UsageError:
        """The cluster closed (what of it was started), and the misuse (exit 2) to raise."""
        self.close()
        return UsageError(Diagnostic("handbill", None, message, hint=hint))

    @property
    def threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def ship(self, hashes: set[str], lost: tuple[str, ...] = ()) -> dict[str, object]:
        """Send the files of HASHES not yet on the cluster (or LOST there), each once, under
        its hash; return SHA-256 -> Future for all of HASHES."""
        for sha in lost:
            self.futures.pop(sha, None)
        for sha in hashes:  # a file whose every copy went with its workers
            future = self.futures.get(sha)
            if future is not None and future.status in ("lost", "error", "cancelled"):
                del self.futures[sha]
        new = {}
        for sha in sorted(hashes):
            if sha not in self.futures:
                self._sent += 1  # a file sent again gets a new key: the old one may linger
                new[f"{BLOB_PREFIX}{sha}-{self._sent}"] = self.store[sha]
        for key, data in new.items():
            # A task that returns the bytes, not scattered data: should every worker that
            # holds them die, the scheduler makes them again from the task.
            self.futures[key[len(BLOB_PREFIX):].rsplit("-", 1)[0]] = self.client.submit(
                _file, data, key=key, pure=False)
        return {sha: self.futures[sha] for sha in sorted(hashes)}

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()


@dataclass
class _Sent:
    task: "RenderTask"
    shipped: "Shipped"
    rounds: int = 1
    files: dict = field(default_factory=dict)  # SHA-256 -> the Future of its bytes
    #: Whether it was sent again after Dask gave it up (see run.done)
    tried_again: bool = False
    #: When it was last sent (time.perf_counter)
    sent_at: float = 0.0


def run(jobs: list["Job"], options: "BuildOptions") -> Iterator["Output"]:
    """Each job's Output as it is done, rendered on the cluster options.scheduler names."""
    from asyncio import CancelledError

    from distributed import wait

    from . import __version__
    from .builder import front
    from .resources import collect

    connection = _Connection(options.scheduler)
    client = connection.client
    pending: dict = {}  # future -> _Sent
    asked: dict[tuple, tuple[str, ...]] = {}  # (bundle, layout) -> URLs its renders asked for
    known: dict = {}  # what each URL gave, while its file is unchanged (resources.collect)
    # A render's time limit counts from when a worker began it (its event on
    # STARTED_TOPIC), not from when it was sent: on a busy cluster a task waits behind
    # others. One no worker has begun is given up only when nothing on the cluster has
    # begun or ended for as long (every worker stalled, or gone).
    began: dict = {}  # a future's key -> when a worker began it
    moved = [time.perf_counter()]  # when a render last began or ended

    def on_started(event) -> None:  # in the Client's own thread
        now = time.perf_counter()
        began[event[1]["key"]] = now
        moved[0] = now

    client.subscribe_topic(STARTED_TOPIC, on_started)

    def send(sent: _Sent, lost: tuple[str, ...] = ()) -> None:
        key = (sent.task.output.job.bundle, sent.task.output.job.layout)
        spec = sent.task.spec
        sent.shipped = collect(sent.task.html, spec.stylesheets, spec.allowed,
                               (*spec.text_files, *filter(None, [spec.output_profile])),
                               spec.project, connection.store, sent.shipped,
                               asked.get(key, ()), known)
        sent.files = connection.ship(sent.shipped.hashes, lost)
        future = client.submit(render, ClusterTask(sent.task, sent.shipped, __version__),
                               sent.files, pure=False, retries=1)
        sent.sent_at = time.perf_counter()
        pending[future] = sent

    def done(future, sent: _Sent) -> Output | None:
        output = sent.task.output
        try:
            result = future.result()
        except (Exception, CancelledError) as error:  # noqa: BLE001 - one the cluster could not run
            lost = tuple(sha for sha, f in sent.files.items()
                         if f.status in ("lost", "error", "cancelled"))
            if isinstance(error, CancelledError):  # the cluster forgot it: with its files,
                lost = tuple(sent.files)           # when every worker holding them died
            if lost and sent.rounds < MAX_ROUNDS:  # its files went with their workers
                sent.rounds += 1
                send(sent, lost)
                return None
            from distributed import KilledWorker

            if isinstance(error, KilledWorker) and not sent.tried_again:
                # Dask counts a task against every worker death while it was assigned
                # there, running or waiting: an innocent document waiting behind one that
                # kills its workers can be given up too. Each gets one more try of its
                # own; a document that kills its workers again is the one that fails.
                sent.tried_again = True
                send(sent)
                return None
            return _failed(sent.task, error, _where(sent.task, options))
        if result.lost and sent.rounds < MAX_ROUNDS:
            sent.rounds += 1
            send(sent, tuple(result.lost))
            return None
        if result.lost:  # gone with their workers, or copies that are not their bytes
            path, line, row = _where(sent.task, options)
            result.diagnostics.append(Diagnostic(
                path, line, f"{row}the Dask worker had no good copy of the files this "
                f"document needs ({len(result.lost)} lost, or not their bytes), "
                f"{MAX_ROUNDS} times", code="render",
                hint="are workers dying, or their memory failing? build it again"))
        if result.missing:
            key = (output.job.bundle, output.job.layout)
            asked[key] = tuple(dict.fromkeys(asked.get(key, ()) + tuple(result.missing)))
            if sent.rounds < MAX_ROUNDS:
                sent.rounds += 1
                send(sent)
                return None
            output.status = "failed"
            output.diagnostics.append(Diagnostic(
                sent.task.source, None, "the Dask worker kept asking for files it was not "
                f"sent: {', '.join(result.missing)[:300]}", code="render",
                hint="this is a bug in handbill: please report it"))
        output.diagnostics += result.diagnostics
        if any(d.severity == "error" for d in result.diagnostics):
            output.status = "failed"
        if output.status != "failed":
            from .worker import _write

            try:
                for path, pdf, count in result.files:
                    _write(path, pdf, sent.task.spec.project, private=output.job.row is not None)
                    output.files.append((path, count, len(pdf)))
            except HandbillError as error:
                output.status = "failed"
                output.diagnostics += error.diagnostics
        output.seconds = time.perf_counter() - sent.task.started
        return output

    def finished(timeout: float | None = None) -> Iterator[Output]:
        try:
            ready, _ = wait(list(pending), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            ready = set()
        except (Exception, CancelledError):  # noqa: BLE001 - cancelled ones: done, said below
            ready = {f for f in pending if f.done()}
        now = time.perf_counter()
        if ready:
            moved[0] = now
        for future in list(pending):
            sent = pending[future]
            start = began.get(future.key)
            if future in ready:
                del pending[future]
                began.pop(future.key, None)
                output = done(future, sent)
                if output is not None:
                    yield output
                continue
            since = max(sent.sent_at, moved[0]) if start is None else start
            if now - since > sent.task.timeout:
                del pending[future]
                began.pop(future.key, None)
                future.cancel()
                moved[0] = now
                yield _expired(sent.task, _where(sent.task, options), start is not None)

    try:
        window = IN_FLIGHT * connection.threads
        for job in jobs:
            task = front(job, options)
            if not hasattr(task, "html"):  # the front found a problem: nothing to render
                yield task
                continue
            send(_Sent(task, None))
            while len(pending) >= window:
                yield from finished(0.5)
        while pending:
            yield from finished(0.5)
    finally:
        if pending:  # Ctrl-C, SIGTERM: the cluster drops this build's tasks
            client.cancel(list(pending), force=True)
        connection.close()


def _where(task: "RenderTask", options: "BuildOptions") -> tuple[str, int | None, str]:
    """Where a failure of TASK's render is said: a row's line in the data file (and the
    row's id), or the bundle."""
    from .errors import display_path

    row = task.output.job.row
    if row is None:
        return task.source, None, ""
    return display_path(options.data, options.project), row.line, f"row {row.id}: "


def _failed(task: "RenderTask", error: BaseException, where: tuple) -> "Output":
    """TASK's Output when the cluster could not run it (its worker died twice, or a worker
    lacks handbill), said at WHERE (see _where)."""
    from distributed import KilledWorker

    path, line, row = where
    output = task.output
    output.status = "failed"
    if isinstance(error, KilledWorker):
        output.diagnostics.append(Diagnostic(
            path, line, f"{row}the Dask workers rendering it stopped before they were done, "
            "in two tries of it (killed, or out of memory?)", code="render",
            hint="build it again; give the workers more memory if it happens again"))
    else:
        output.diagnostics.append(Diagnostic(
            path, line, f"{row}the Dask cluster could not render it ({type(error).__name__}: "
            f"{str(error)[:200]})", code="render",
            hint="does every worker have handbill installed, the same version as here "
                 "(pip install 'handbill[dask]')?"))
    output.seconds = time.perf_counter() - task.started
    return output


def _expired(task: "RenderTask", where: tuple, begun: bool) -> "Output":
    """TASK's Output when its render ran past its time limit (BEGUN), or no worker began
    it while nothing else on the cluster began or ended for as long."""
    path, line, row = where
    output = task.output
    output.status = "failed"
    if begun:
        output.diagnostics.append(Diagnostic(
            path, line, f"{row}rendering it on the Dask cluster took more than "
            f"{task.timeout:g} s and its task was cancelled", code="limits",
            hint="raise it with --timeout, or look for a runaway layout"))
    else:
        output.diagnostics.append(Diagnostic(
            path, line, f"{row}no Dask worker began rendering it, and no other render began "
            f"or ended, for {task.timeout:g} s; its task was cancelled", code="limits",
            hint="are the cluster's workers running (dask worker ADDRESS), or all stalled?"))
    output.seconds = time.perf_counter() - task.started
    return output
