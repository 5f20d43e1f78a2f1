"""Personalised batches (issue 16): N rows of the sample with two placeholders, side by side.

    python bench/run.py --rows-only [--rows N]     (part of every full run, N = 1000)

The sample gets a sentence with two placeholders in each language ("Prepared for
{{ name }}, {{ date }}."), and a rows file of N patients (English and Chinese
names). Contenders, each a fresh process into an empty output folder, font cache
warm (an untimed build first), timed once each (N builds is many already):

- handbill --data, -j 1 and -j 2;
- handbill --data on a Dask cluster of 2 workers on this machine (--scheduler
  local:2, the cluster's start included), its PDFs compared byte for byte with
  -j 2's;
- separate bundles: min(N, 50) copies of the bundle with a row's values written
  in, one `handbill build -j 2` of them all: what a batch costs without --data;
- Typst: the same document as Typst source with ``sys.inputs`` where the
  placeholders are, compiled once a row, in 1 process and in 2 at once.

The figure compared is the wall time per row (per document for the separate
bundles). Targets (issue 16): -j 2 at most 0.6x a separate bundle's per-row time,
and within 1.5x of Typst's (2 processes); the Dask cluster within 1.15x of -j 2.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import documents  # noqa: E402

HANDBILL = Path(sys.executable).parent / "handbill"
FONT_DIR = "/usr/share/fonts/opentype/noto"  # as the other Typst contenders (run.py)
NAMES = ["Margaret O'Neill", "陈美玲", "Kwame Mensah", "李志强", "Siobhán Ní Bhriain", "黃嘉欣",
         "José Álvarez", "王小明"]
SENTENCES = {"en.md": "Prepared for {{ name }}, {{ date }}.\n\n",
             "zh-Hans.md": "本单张为{{ name }}准备，{{ date }}。\n\n"}


def _rows(count: int) -> list[dict]:
    return [{"id": f"p{i:05}", "name": f"{NAMES[i % len(NAMES)]} {i}",
             "date": f"{i % 28 + 1} December 2026"} for i in range(count)]


def _personalised_bundle(project: Path) -> Path:
    bundle = documents.make_bundle(project, "letter")
    for name, sentence in SENTENCES.items():
        body = bundle / name
        text = body.read_text(encoding="utf-8")
        first = text.index("\n\n") + 2  # after the first heading
        body.write_text(text[:first] + sentence + text[first:], encoding="utf-8")
    return bundle


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])}...: exit {result.returncode}: "
                           f"{result.stderr[-400:]}")
    return time.perf_counter() - started


def measure(folder: Path, count: int, log) -> list[tuple[str, int, float]]:
    """(contender, documents, wall seconds) for each contender."""
    shutil.rmtree(folder, ignore_errors=True)
    project = folder / "project"
    (project / "content").mkdir(parents=True)
    bundle = _personalised_bundle(project)
    rows = _rows(count)
    data = project / "rows.json"
    data.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    results = []

    def handbill(out: Path, *extra: str) -> list[str]:
        return [str(HANDBILL), "--project", str(project), "build", *extra, "--out", str(out)]

    log("rows: warm-up")
    warm = _rows(4)
    (project / "warm.json").write_text(json.dumps(warm, ensure_ascii=False), encoding="utf-8")
    _timed(handbill(folder / "warm", str(bundle), "--data", str(project / "warm.json")))
    for jobs in ("1", "2"):
        log(f"rows: handbill --data -j {jobs} ({count} rows)")
        out = folder / f"out-j{jobs}"
        results.append((f"handbill --data, -j {jobs}", count,
                        _timed(handbill(out, str(bundle), "--data", str(data), "-j", jobs))))
    try:
        import distributed  # noqa: F401
    except ImportError:
        pass
    else:
        log(f"rows: handbill --data on a 2-worker Dask cluster ({count} rows)")
        out = folder / "out-dask"
        # The cluster starts inside the timed build (local:2): its start is part of the cost.
        results.append(("handbill --data, Dask local:2", count,
                        _timed(handbill(out, str(bundle), "--data", str(data),
                                        "--scheduler", "local:2"))))
        _same_pdfs(folder / "out-j2", out)
    separate = min(count, 50)
    others = folder / "separate"
    (others / "content").mkdir(parents=True)
    for row in rows[:separate]:
        target = others / "content" / row["id"]
        shutil.copytree(bundle, target)
        for name in ("en.md", "zh-Hans.md"):
            text = (target / name).read_text(encoding="utf-8")
            (target / name).write_text(text.replace("{{ name }}", row["name"]).replace(
                "{{ date }}", row["date"]), encoding="utf-8")
    log(f"rows: {separate} separate bundles, -j 2")
    _timed([str(HANDBILL), "--project", str(others), "build", "--out", str(folder / "sep-warm"),
            str(others / "content" / rows[0]["id"])])
    results.append(("separate bundles, -j 2", separate,
                    _timed([str(HANDBILL), "--project", str(others), "build", "-j", "2",
                            "--out", str(folder / "sep-out")])))
    try:
        import typst  # noqa: F401
    except ImportError:
        return results
    source = project / "letter.typ"
    text = documents.typst_source(bundle, project)
    text = re.sub(r"\\?\{\\?\{ ?(\w+) ?\\?\}\\?\}", r'#sys.inputs.at("\1")', text)
    source.write_text(text, encoding="utf-8")
    for processes in (1, 2):
        log(f"rows: Typst, {processes} process(es) ({count} rows)")
        out = folder / f"typst-{processes}"
        out.mkdir()
        started = time.perf_counter()
        running = [subprocess.Popen([sys.executable, str(BENCH / "typst_rows.py"), str(project),
                                     FONT_DIR,
                                     str(source), str(data), str(out), str(i), str(processes)])
                   for i in range(processes)]
        if any(p.wait() != 0 for p in running):
            raise RuntimeError("typst_rows.py failed")
        results.append((f"Typst, {processes} process{'es' if processes > 1 else ''}", count,
                        time.perf_counter() - started))
    return results


def _same_pdfs(one: Path, two: Path) -> None:
    """The cluster's PDFs are the local build's, byte for byte (or the bench stops)."""
    found = sorted(p.relative_to(one) for p in one.rglob("*.pdf"))
    if found != sorted(p.relative_to(two) for p in two.rglob("*.pdf")) or any(
            (one / rel).read_bytes() != (two / rel).read_bytes() for rel in found):
        raise RuntimeError(f"{two} is not {one} byte for byte")


def render(results: list[tuple[str, int, float]]) -> str:
    lines = [f"Personalised batch: the sample with 2 placeholders; per row: wall / documents",
             f"{'contender':30} {'documents':>9} {'wall s':>9} {'per row s':>10}", "-" * 61]
    per = {}
    for name, count, seconds in results:
        per[name] = seconds / count
        lines.append(f"{name:30} {count:9,} {seconds:9.2f} {seconds / count:10.3f}")
    j2, separate = per.get("handbill --data, -j 2"), per.get("separate bundles, -j 2")
    typst2 = per.get("Typst, 2 processes")
    lines.append("")
    if j2 and separate:
        ratio = j2 / separate
        lines.append(f"  -j 2 per row <= 0.6x a separate bundle's   {ratio:.3f}x   "
                     f"{'met' if ratio <= 0.6 else 'missed'}")
    dask = per.get("handbill --data, Dask local:2")
    if j2 and dask:
        ratio = dask / j2
        lines.append(f"  Dask, 2 workers <= 1.15x -j 2               {ratio:.3f}x   "
                     f"{'met' if ratio <= 1.15 else 'missed'}")
    if j2 and typst2:
        ratio = j2 / typst2
        lines.append(f"  -j 2 per row <= 1.5x Typst's (2 proc.)     {ratio:.3f}x   "
                     f"{'met' if ratio <= 1.5 else 'missed'}")
    return "\n".join(lines)
