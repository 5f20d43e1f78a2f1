"""Run each contender in fresh processes; measure wall time, peak RSS and the PDFs it wrote.

Peak RSS comes from ``os.wait4`` on each child: ``ru_maxrss`` (KiB on Linux)
is the largest resident set of the child or of any process it waited for, so
it is per process, never a sum. When a contender runs several processes at
once, the largest of them is reported.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


class CommandFailed(RuntimeError):
    """A measured command exited non-zero; the message ends with its stderr."""


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds, from the first start to the last exit
    rss_kib: int  # the largest ru_maxrss among the processes
    bytes: int  # the PDFs' total size


def _nothing() -> None:
    pass


@dataclass(frozen=True)
class Contender:
    """One way of making the PDF(s): commands started together, the PDFs they write."""

    name: str
    commands: tuple[tuple[str, ...], ...] = ()
    outputs: tuple[Path, ...] = ()
    #: Run before every measured run (and the warm-up), outside the timing.
    prepare: Callable[[], None] = _nothing
    #: Why this contender is not run (e.g. "typst not installed").
    skip: str | None = None


@dataclass
class Result:
    """A contender's samples; medians of them are what the tables show."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    pages: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.samples)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def rss_mib(self) -> float:
        return statistics.median(s.rss_kib for s in self.samples) / 1024

    @property
    def bytes(self) -> int:
        return int(statistics.median(s.bytes for s in self.samples))

    @property
    def bytes_vary(self) -> bool:
        return len({s.bytes for s in self.samples}) > 1

    def as_dict(self) -> dict:
        data = {"name": self.name, "error": self.error, "pages": self.pages,
                "runs": [vars(s) for s in self.samples]}
        if self.ok:
            data.update(median_wall_s=self.wall, median_rss_mib=self.rss_mib,
                        median_bytes=self.bytes)
        return data


def run_processes(commands: tuple[tuple[str, ...], ...]) -> tuple[float, int]:
    """Start COMMANDS together and wait for all; return (wall seconds, largest peak RSS in KiB)."""
    with ExitStack() as stack:
        errs = [stack.enter_context(tempfile.TemporaryFile()) for _ in commands]
        start = time.perf_counter()
        procs = [subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=err) for cmd, err in zip(commands, errs)]
        peak, failures = 0, []
        for proc, err in zip(procs, errs):
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            peak = max(peak, usage.ru_maxrss)
            if proc.returncode:
                err.seek(0)
                tail = err.read().decode(errors="replace").strip().splitlines()[-6:]
                failures.append(f"exit {proc.returncode}\n" + "\n".join(tail))
        wall = time.perf_counter() - start
    if failures:
        raise CommandFailed("\n".join(failures))
    return wall, peak


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def bench(contenders: list[Contender], runs: int, warmup: bool,
          progress: Callable[[str], None]) -> list[Result]:
    """Measure every contender RUNS times, round-robin, after one untimed warm-up round.

    Round-robin spreads slow drifts of the machine evenly over the contenders.
    A contender that fails is reported as failed; the others go on.
    """
    results = [Result(c.name, error=c.skip) for c in contenders]
    rounds = ["warm-up"] * warmup + [f"run {i + 1}/{runs}" for i in range(runs)]
    for label in rounds:
        for contender, result in zip(contenders, results):
            if result.error:
                continue
            progress(f"{contender.name}: {label}")
            contender.prepare()
            try:
                wall, rss = run_processes(contender.commands)
            except CommandFailed as error:
                result.error = f"failed: {error}"
                continue
            if label != "warm-up":
                size = sum(p.stat().st_size for p in contender.outputs)
                result.samples.append(Sample(wall, rss, size))
    for contender, result in zip(contenders, results):
        if result.ok:
            result.pages = sum(pdf_pages(p) for p in contender.outputs)
    return results
