"""Benchmark handbill against plain WeasyPrint and Typst: wall time, peak RSS, PDF size.

    .venv/bin/python bench/run.py [--runs N] [--quick] [--many] [--json FILE] [--keep]

Every document is generated into a temporary project (never into the
repository); every build runs in a fresh process. Progress goes to stderr, the
report to stdout. See bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from itertools import chain
from pathlib import Path

import documents
import measure
import report
from documents import Document, make_bundle
from measure import Contender

BENCH = Path(__file__).resolve().parent
HANDBILL = Path(sys.executable).parent / "handbill"
FONT_DIR = "/usr/share/fonts/opentype/noto"
TARGET_PAGES = [20, 100]
VARIANTS = 50
JOBS = 2
HAS_TYPST = importlib.util.find_spec("typst") is not None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def handbill_build(project: Path, paths: list[Path], out: Path, *extra: str) -> tuple[str, ...]:
    return (str(HANDBILL), "--project", str(project), "build", *map(str, paths),
            "--out", str(out), *extra)


def clear_cache(project: Path):
    """A prepare step: delete the project's handbill cache (fonts), if there is one."""
    return lambda: shutil.rmtree(project / ".cache", ignore_errors=True)


def handbill_has_jobs() -> bool:
    """Whether `handbill build --help` offers -j (parallel builds)."""
    shown = subprocess.run([str(HANDBILL), "build", "--help"], capture_output=True, text=True).stdout
    return re.search(r"(^|[\s\[,])-j\b", shown, re.M) is not None


def typst_contender(name: str, project: Path, bundles: list[Path], processes: int = 1) -> Contender:
    """Typst compiling BUNDLES, split over PROCESSES processes running at once."""
    if not HAS_TYPST:
        return Contender(name, skip="typst not installed")
    pairs = []
    try:
        for bundle in bundles:
            source = project / "typst" / f"{bundle.name}.typ"
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_text(documents.typst_source(bundle, project), encoding="utf-8")
            pairs.append((source, source.with_suffix(".pdf")))
    except Exception as error:  # a converter problem costs this column, not the run
        return Contender(name, skip=f"failed (to_typst: {error})")
    commands = tuple(
        (sys.executable, str(BENCH / "typst_compile.py"), str(project), FONT_DIR,
         *map(str, chain.from_iterable(pairs[i::processes])))
        for i in range(min(processes, len(pairs))))
    return Contender(name, commands, tuple(pdf for _, pdf in pairs))


def naive_contender(project: Path, bundle: Path) -> Contender:
    """Plain WeasyPrint on the HTML handbill renders, with the system's CJK font."""
    html = project / "naive" / f"{bundle.name}.html"
    html.parent.mkdir(parents=True, exist_ok=True)
    try:
        text = documents.handbill_html(bundle, project)
    except Exception as error:  # e.g. the API changed: this column fails, not the run
        return Contender(report.NAIVE, skip=f"failed (render_html: {error!r})")
    if documents.uses_font_face(text):
        log(f"warning: {bundle.name}: the HTML declares @font-face fonts; "
            "the naive timing includes loading them")
    html.write_text(text, encoding="utf-8")
    pdf = html.with_suffix(".pdf")
    command = (sys.executable, str(BENCH / "naive_weasyprint.py"), str(html),
               bundle.resolve().as_uri() + "/", str(pdf))
    return Contender(report.NAIVE, (command,), (pdf,))


def document_contenders(project: Path, doc: Document) -> list[Contender]:
    def handbill(tag: str, **extra) -> Contender:
        out = project / f"out-{tag}"
        return Contender(f"handbill {tag}", (handbill_build(project, [doc.bundle], out),),
                         (out / doc.name / "handout.pdf",), **extra)

    return [handbill("cold", prepare=clear_cache(project)),
            handbill("warm"),  # the cache of the runs before it is kept
            naive_contender(project, doc.bundle),
            typst_contender(report.TYPST, project, [doc.bundle])]


def many_contenders(project: Path) -> tuple[list[Contender], str | None]:
    """50 variants of the sample: handbill in one command, Typst in 1 and in JOBS processes."""
    bundles = [make_bundle(project, f"variant-{i:02}", title_suffix=f"({i})")
               for i in range(1, VARIANTS + 1)]

    def handbill(name: str, tag: str, *extra: str, **options) -> Contender:
        out = project / f"out-{tag}"
        return Contender(name, (handbill_build(project, [project / "content"], out, *extra),),
                         tuple(out / b.name / "handout.pdf" for b in bundles), **options)

    contenders = [handbill("handbill cold", "cold", prepare=clear_cache(project)),
                  handbill("handbill warm", "warm")]
    note = None
    if handbill_has_jobs():
        contenders.append(handbill(f"handbill -j {JOBS} warm", "jobs", "-j", str(JOBS)))
    else:
        note = f"handbill build has no -j yet: 'handbill -j {JOBS}' skipped"
        log(note)
    contenders += [typst_contender("Typst, 1 process", project, bundles),
                   typst_contender(f"Typst, {JOBS} processes", project, bundles, JOBS)]
    return contenders, note


def prepare_documents(project: Path, quick: bool) -> list[Document]:
    """The sample, and (unless QUICK) documents of about TARGET_PAGES pages made from it."""
    docs = [Document(documents.SAMPLE.name, "sample",
                     make_bundle(project, documents.SAMPLE.name), 1)]
    if quick:
        return docs

    def handbill_pages(bundle: Path) -> int:
        out = project / "out-probe"
        measure.run_processes((handbill_build(project, [bundle], out),))
        return measure.pdf_pages(out / bundle.name / "handout.pdf")

    log("sizing the long documents...")
    for target, repeats in documents.fit_repeats(project, TARGET_PAGES, handbill_pages).items():
        name = f"sample-x{repeats}"
        docs.append(Document(name, f"~{target} pages ({repeats}x)",
                             make_bundle(project, name, repeats), repeats))
    return docs


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "cpus": str(os.cpu_count())}
    for package in ("handbill", "weasyprint", "typst"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def run(args: argparse.Namespace, tmp: Path) -> int:
    runs, warmup = (1, False) if args.quick else (args.runs, True)
    project = tmp / "project"
    sections = []
    for doc in prepare_documents(project, args.quick):
        log(f"== {doc.label}")
        results = measure.bench(document_contenders(project, doc), runs, warmup,
                                lambda message: log(f"  {doc.label}: {message}"))
        sections.append((doc.label, results))
    many = many_note = None
    if args.many and not args.quick:
        log(f"== {VARIANTS} documents")
        contenders, many_note = many_contenders(tmp / "many")
        many = (f"{VARIANTS} variants", measure.bench(contenders, runs, warmup,
                                                      lambda message: log(f"  many: {message}")))

    v = versions()
    header = [
        f"handbill benchmark: median of {runs} run(s)"
        + (" after 1 warm-up run" if warmup else " (no warm-up)") + ", each in a fresh process",
        f"handbill {v['handbill']}, WeasyPrint {v['weasyprint']}, typst (PyPI) {v['typst']}, "
        f"Python {v['python']}, {v['cpus']} CPUs",
        "cold: <project>/.cache deleted before each run; warm: cache kept; "
        "peak RSS: ru_maxrss of the process; * bytes differed between runs",
    ]
    print(report.render(header, sections, many, many_note))
    if args.json:
        data = {"versions": v, "runs": runs, "warmup": warmup,
                "documents": [{"document": label, "results": [r.as_dict() for r in results]}
                              for label, results in sections],
                "many": None if many is None else [r.as_dict() for r in many[1]],
                "many_note": many_note}
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    failed = any(r.error and r.error.startswith("failed")
                 for _, results in sections + ([many] if many else []) for r in results)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, metavar="N",
                        help="measured runs per contender (default 5); the median is shown")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: the sample only, 1 run, no warm-up")
    parser.add_argument("--many", action="store_true",
                        help=f"also build {VARIANTS} variants of the sample in one batch")
    parser.add_argument("--json", metavar="FILE", help="also write every measurement as JSON")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary project (its path goes to stderr)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not HANDBILL.exists():
        parser.error(f"{HANDBILL} not found: run this with the venv's python (.venv/bin/python)")
    tmp = Path(tempfile.mkdtemp(prefix="handbill-bench-"))
    try:
        return run(args, tmp)
    except measure.CommandFailed as error:
        log(f"error: handbill failed while sizing the documents:\n{error}")
        return 1
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
