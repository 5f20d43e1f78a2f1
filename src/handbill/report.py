"""Telling people what a build did: progress as it goes, a summary table, a JSON report.

On a terminal, a progress bar and a table (rich); in a CI log, plain lines.
The JSON report's schema is docs/report.schema.json.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

from . import __version__
from .builder import BuildReport, Output
from .errors import Diagnostic, OutputError, display_path, plural, printable
from .writing import write_atomic

REPORT_VERSION = 2


class Progress:
    """Shows each job as it finishes: a bar on a terminal, a line otherwise."""

    def __init__(self, total: int, project: Path, stream=None):
        self.stream = stream or sys.stderr
        self.project = project
        self.bar = None
        if total and self.stream.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn

            self.bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           transient=True, console=_console(self.stream))
            self.task = self.bar.add_task("building", total=total)
            self.bar.start()

    def __call__(self, output: Output) -> None:
        files = output_files(output)
        if self.bar is not None:
            from rich.markup import escape

            self.bar.update(self.task, advance=len(files), description=escape(printable(
                display_path(files[-1][0], self.project))))
            return
        for path, pages, size in files:
            status = {"built": "wrote", "cached": "up to date", "failed": "failed"}[output.status]
            detail = f" ({plural(pages, 'page')}, {size:,} bytes)" \
                if output.status != "failed" else ""
            print(f"{status} {printable(display_path(path, self.project))}{detail}",
                  file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _console(stream):
    from rich.console import Console

    return Console(file=stream)


def output_files(output: Output) -> list[tuple[Path, int | None, int | None]]:
    """The files OUTPUT wrote (path, pages, bytes); those it was to write, if it failed."""
    return output.files or [(path, None, None) for path in output.job.outputs]


def rows(report: BuildReport, project: Path) -> list[dict]:
    """One row per output file: document, layout, pages, bytes, seconds, status."""
    found = []
    for output in report.outputs:
        for path, pages, size in output_files(output):
            found.append({
                "document": display_path(output.job.bundle, project),
                "layout": output.job.layout,
                "lang": output.job.lang or "bilingual",
                "output": display_path(path, project),
                "pages": pages,
                "bytes": size,
                "seconds": round(output.seconds, 3),
                "status": output.status,
            })
    return found


def print_summary(report: BuildReport, project: Path, stream=None) -> None:
    """The summary table: a rich table on a terminal, aligned text otherwise."""
    stream = stream or sys.stdout
    table = [{k: printable(v) if isinstance(v, str) else v for k, v in row.items()}
             for row in rows(report, project)]  # one line a row, whatever a name holds
    if not table:
        return
    counts = {s: sum(1 for r in table if r["status"] == s) for s in ("built", "cached", "failed")}
    footer = (f"{plural(len(table), 'output')}: {counts['built']:,} built, "
              f"{counts['cached']:,} up to date, {counts['failed']:,} failed, "
              f"in {report.seconds:.2f} s")
    if stream.isatty():
        from rich.table import Table

        # The columns of the plain table: the output's path names its document and its
        # layout (out/<bundle>/<layout>.pdf). On a narrow terminal the path wraps, whole,
        # rather than being cut to an ellipsis that every row would share.
        rich_table = Table(title=None, show_edge=False)
        rich_table.add_column("output", justify="left", overflow="fold", ratio=1)
        for name in ("pages", "bytes", "seconds"):
            rich_table.add_column(name, justify="right", no_wrap=True)
        rich_table.add_column("status", justify="left", no_wrap=True)
        from rich.text import Text  # plain text: a name with [brackets] is no markup

        for row in table:
            rich_table.add_row(Text(row["output"]), _n(row["pages"]), _n(row["bytes"]),
                               f"{row['seconds']:.2f}", row["status"])
        console = _console(stream)
        console.print(rich_table)
        console.print(footer)
        return
    width = max(len("output"), *(len(row["output"]) for row in table))
    print(f"{'output':<{width}}  {'pages':>5}  {'bytes':>9}  {'seconds':>7}  status", file=stream)
    for row in table:
        print(f"{row['output']:<{width}}  {_n(row['pages']):>5}  {_n(row['bytes']):>9}  "
              f"{row['seconds']:>7.2f}  {row['status']}", file=stream)
    print(footer, file=stream)


def _n(value) -> str:
    return "-" if value is None else f"{value:,}"


def write_through(path: Path, data: bytes, what: str, project: Path) -> None:
    """Write DATA to PATH, which the user named, without destroying what PATH is.

    A regular file (or a new one) is replaced atomically; a link stays a link and
    the file it points at gets DATA (atomically, when that is a regular file); a FIFO
    or a device (``/dev/stdout``) is written into. A failure is an OutputError
    located at PATH.
    """
    try:
        try:
            info = os.stat(path)  # what the path leads to, links followed
        except FileNotFoundError:
            info = None
        if info is None and not os.path.islink(path):
            write_atomic(path, data)  # a new file
        elif info is not None and stat.S_ISREG(info.st_mode):
            write_atomic(Path(os.path.realpath(path)), data)  # a link stays, its file is replaced
        else:  # a FIFO, a device (/dev/stdout), a link to nothing yet: written through
            with open(path, "wb") as stream:
                stream.write(data)
    except OSError as error:
        raise OutputError(Diagnostic(display_path(path, project), None,
                                     f"cannot write the {what}: {error.strerror or error}",
                                     code="output")) from None


def write_report(report: BuildReport, project: Path, path: Path) -> None:
    """The build as JSON, for machines (schema: docs/report.schema.json)."""
    data = {
        "version": REPORT_VERSION,
        "handbill": __version__,
        "seconds": round(report.seconds, 3),
        "outputs": rows(report, project),
        "diagnostics": [d.as_json() for d in report.all_diagnostics],
        "failed": report.failed,
    }
    write_through(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode(),
                  "report", project)
