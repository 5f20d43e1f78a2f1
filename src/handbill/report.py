"""Telling people what a build did: progress as it goes, a summary table, a JSON report.

On a terminal, a progress bar and a table (rich); in a CI log, plain lines.
The JSON report's schema is docs/report.schema.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import __version__
from .builder import BuildReport, Output
from .errors import display_path
from .pdf import write_atomic

REPORT_VERSION = 1


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
        if self.bar is not None:
            self.bar.update(self.task, advance=1,
                            description=display_path(output.job.target, self.project))
            return
        for path, pages, size in output.files or [(output.job.target, 0, 0)]:
            status = {"built": "wrote", "cached": "up to date", "failed": "failed"}[output.status]
            detail = f" ({pages} pages, {size:,} bytes)" if output.status != "failed" else ""
            print(f"{status} {display_path(path, self.project)}{detail}", file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _console(stream):
    from rich.console import Console

    return Console(file=stream)


def rows(report: BuildReport, project: Path) -> list[dict]:
    """One row per output file: document, layout, pages, bytes, seconds, status."""
    found = []
    for output in report.outputs:
        files = output.files or [(output.job.target, None, None)]
        for path, pages, size in files:
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
    table = rows(report, project)
    if not table:
        return
    counts = {s: sum(1 for r in table if r["status"] == s) for s in ("built", "cached", "failed")}
    footer = (f"{len(table)} outputs: {counts['built']} built, {counts['cached']} up to date, "
              f"{counts['failed']} failed, in {report.seconds:.2f} s")
    if stream.isatty():
        from rich.table import Table

        rich_table = Table(title=None, show_edge=False)
        for name, justify in (("document", "left"), ("layout", "left"), ("output", "left"),
                              ("pages", "right"), ("bytes", "right"), ("seconds", "right"),
                              ("status", "left")):
            rich_table.add_column(name, justify=justify)
        for row in table:
            rich_table.add_row(row["document"], row["layout"], row["output"], _n(row["pages"]),
                               _n(row["bytes"]), f"{row['seconds']:.2f}", row["status"])
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


def write_report(report: BuildReport, project: Path, path: Path) -> None:
    """The build as JSON, for machines (schema: docs/report.schema.json)."""
    data = {
        "version": REPORT_VERSION,
        "handbill": __version__,
        "seconds": round(report.seconds, 3),
        "outputs": rows(report, project),
        "diagnostics": [{
            "path": d.path, "line": d.line, "column": d.column, "severity": d.severity,
            "code": d.code, "message": d.message, "hint": d.hint,
        } for d in report.all_diagnostics],
        "failed": report.failed,
    }
    write_atomic(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())
