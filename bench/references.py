"""How long loading a references file takes as it grows: CSL-JSON, CSL-YAML, BibTeX.

Each format is generated at N, 2N and 4N entries (plain entries of about the
size Zotero exports for a report: id, type, title, year) and loaded with
handbill's own `load_references`, in this process, the median of RUNS loads.
Beside CSL-JSON, the id-to-line lookup handbill used before issue 12 (each
entry's line counted from the start of the file again: quadratic) runs on the
same text, a replica of that code, so that both are measured in one run.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

from handbill.references import load_references

SIZES = (10_000, 20_000, 40_000)
QUICK_SIZES = (2_000, 4_000, 8_000)
#: The previous lookup takes 72 s at 40,000 entries (and about 5 minutes at 80,000).
PREVIOUS_UP_TO = 20_000


def _entries(n: int) -> list[dict]:
    return [{"id": f"ref{i}", "type": "report", "title": f"Home blood pressure readings, "
             f"report {i}", "publisher": "Riverside Family Practice",
             "issued": {"date-parts": [[2000 + i % 25]]}} for i in range(n)]


def _write(folder: Path, kind: str, n: int) -> Path:
    entries = _entries(n)
    if kind == "CSL-JSON":
        path, text = folder / "references.json", json.dumps(entries, indent=1)
    elif kind == "CSL-YAML":
        path = folder / "references.yaml"
        text = "".join(f"- id: {e['id']}\n  type: report\n  title: \"{e['title']}\"\n"
                       f"  publisher: {e['publisher']}\n"
                       f"  issued: {{date-parts: [[{e['issued']['date-parts'][0][0]}]]}}\n"
                       for e in entries)
    else:
        path = folder / "references.bib"
        text = "".join(f"@report{{{e['id']},\n  title = {{{e['title']}}},\n"
                       f"  institution = {{{e['publisher']}}},\n"
                       f"  year = {{{e['issued']['date-parts'][0][0]}}}\n}}\n\n" for e in entries)
    path.write_text(text, encoding="utf-8")
    return path


def _previous_lookup(text: str) -> dict[str, int]:
    """The id-to-line lookup of handbill before issue 12 (references._lines_of_ids)."""
    lines = {}
    for match in re.finditer(r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"', text):
        lines.setdefault(match.group(1), text.count("\n", 0, match.start()) + 1)
    return lines


def _median(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(folder: Path, runs: int, quick: bool, log) -> list[tuple]:
    """Rows of (what, entries, bytes, seconds)."""
    rows = []
    folder.mkdir(parents=True, exist_ok=True)
    for kind in ("CSL-JSON", "CSL-YAML", "BibTeX"):
        for n in QUICK_SIZES if quick else SIZES:
            path = _write(folder, kind, n)
            seconds = _median(lambda: load_references(path, folder), 1 if kind == "BibTeX"
                              else runs)
            rows.append((f"{kind} (handbill)", n, path.stat().st_size, seconds))
            log(f"references: {kind} {n:,} entries {seconds:.2f} s")
            if kind == "CSL-JSON" and n <= PREVIOUS_UP_TO:
                text = path.read_text(encoding="utf-8")
                previous = _median(lambda: _previous_lookup(text), 1)
                rows.append(("CSL-JSON (previous line lookup alone)", n, len(text.encode()),
                             previous))
                log(f"references: previous lookup {n:,} entries {previous:.2f} s")
    return rows


def render(rows: list[tuple], runs: int) -> str:
    out = [f"References loading: each row the median of {runs} loads in one process "
           "(BibTeX, through Pandoc: 1); x2: time against the row with half the entries "
           "(linear: about 2.0x)",
           f"{'what':<40} {'entries':>8} {'bytes':>12} {'seconds':>9} {'µs/entry':>9} {'x2':>6}",
           "-" * 89]
    last: dict[str, float] = {}
    for what, n, size, seconds in rows:
        ratio = f"{seconds / last[what]:.2f}x" if what in last and last[what] else ""
        out.append(f"{what:<40} {n:>8,} {size:>12,} {seconds:>9.3f} {seconds / n * 1e6:>9.1f} "
                   f"{ratio:>6}")
        last[what] = seconds
    return "\n".join(out)
