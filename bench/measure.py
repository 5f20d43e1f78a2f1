"""Run each contender in fresh processes; measure wall time, peak RSS and the PDFs it wrote.

Peak RSS is ``ru_maxrss`` (KiB on Linux) of each command, taken with
``os.wait4`` by launch.py, a small process that starts it (so that the
benchmark's own size does not count, see there): the largest resident set of
the command or of any process it waited for, so per process, never a sum. When
a contender runs several processes at once, the largest of them is reported.
Wall time runs from the first command's start to the last one's end.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

LAUNCH = Path(__file__).resolve().parent / "launch.py"


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
    #: At most this many measured runs (None: as many as asked for).
    max_runs: int | None = None
    #: Whether it takes part in the warm-up round (when there is one).
    warmup: bool = True
    #: Given what the commands printed on stdout, why a run does not count (None: it does).
    #: A run that does not count fails the contender: its timing would measure something else.
    verify: Callable[[str], str | None] | None = None


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
    def runs(self) -> int:
        return len(self.samples)

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


def run_processes(commands: tuple[tuple[str, ...], ...]) -> tuple[float, int, str]:
    """Start COMMANDS together and wait for all.

    Returns (wall seconds, largest peak RSS in KiB, their stdout one after another).
    """
    with ExitStack() as stack:
        outs = [stack.enter_context(tempfile.TemporaryFile()) for _ in commands]
        errs = [stack.enter_context(tempfile.TemporaryFile()) for _ in commands]
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="handbill-bench-")))
        results = [folder / f"{i}.txt" for i in range(len(commands))]
        procs = [subprocess.Popen((sys.executable, "-S", str(LAUNCH), str(result), *cmd),
                                  stdin=subprocess.DEVNULL, stdout=out, stderr=err)
                 for cmd, result, out, err in zip(commands, results, outs, errs)]
        failures = []
        for proc, err in zip(procs, errs):
            proc.wait()
            if proc.returncode:
                err.seek(0)
                tail = err.read().decode(errors="replace").strip().splitlines()[-6:]
                failures.append(f"exit {proc.returncode}\n" + "\n".join(tail))
        if failures:
            raise CommandFailed("\n".join(failures))
        measured = [tuple(map(float, r.read_text().split())) for r in results]
        wall = max(end for _, end, _ in measured) - min(start for start, _, _ in measured)
        peak = int(max(rss for _, _, rss in measured))
        printed = []
        for out in outs:
            out.seek(0)
            printed.append(out.read().decode(errors="replace"))
    return wall, peak, "".join(printed)


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def bench(contenders: list[Contender], runs: int, warmup: bool,
          progress: Callable[[str], None]) -> list[Result]:
    """Measure every contender RUNS times (or its max_runs), round-robin, after one
    untimed warm-up round.

    Round-robin spreads slow drifts of the machine evenly over the contenders.
    A contender that fails (its prepare step, its commands, or its verify) is
    reported as failed; the others go on.
    """
    results = [Result(c.name, error=c.skip) for c in contenders]
    wanted = [runs if c.max_runs is None else max(1, min(runs, c.max_runs)) for c in contenders]
    rounds = [None] * warmup + list(range(runs))
    for round_ in rounds:
        for contender, result, n in zip(contenders, results, wanted):
            if result.error or (round_ is None and not contender.warmup) \
                    or (round_ is not None and round_ >= n):
                continue
            progress(f"{contender.name}: " + ("warm-up" if round_ is None else f"run {round_ + 1}/{n}"))
            try:
                contender.prepare()
                wall, rss, printed = run_processes(contender.commands)
            except CommandFailed as error:
                result.error = f"failed: {error}"
                continue
            problem = contender.verify(printed) if contender.verify else None
            if problem:
                result.error = f"failed: {problem}"
                continue
            if round_ is not None:
                size = sum(p.stat().st_size for p in contender.outputs)
                result.samples.append(Sample(wall, rss, size))
    for contender, result in zip(contenders, results):
        if result.ok:
            result.pages = sum(pdf_pages(p) for p in contender.outputs)
    return results
