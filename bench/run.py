"""Benchmark handbill against plain WeasyPrint and Typst: wall time, peak RSS, PDF size.

    .venv/bin/python bench/run.py [--runs N] [--quick] [--no-many] [--json FILE] [--keep]

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
import sys
import tempfile
from itertools import chain
from pathlib import Path

import characters
import documents
import measure
import references
import report
import rows as batch
from documents import Document, make_bundle
from measure import Contender

BENCH = Path(__file__).resolve().parent
HANDBILL = Path(sys.executable).parent / "handbill"
FONT_DIR = "/usr/share/fonts/opentype/noto"
TARGET_PAGES = [20, 100]
VARIANTS = 50
JOBS = 2
#: The 50-document builds take tens of seconds each: at most this many measured runs.
MANY_RUNS = 3
MANIFEST = ".handbill-manifest.json"  # handbill's, in the output folder
HAS_TYPST = importlib.util.find_spec("typst") is not None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def handbill_build(project: Path, paths: list[Path], out: Path, *extra: str) -> tuple[str, ...]:
    return (str(HANDBILL), "--project", str(project), "build", *map(str, paths),
            "--out", str(out), *extra)


def fresh_out(out: Path, cache: Path | None = None):
    """A prepare step: delete the output folder OUT (and its manifest), so that the
    incremental build builds everything; and, for a cold build, the CACHE too."""
    def prepare() -> None:
        shutil.rmtree(out, ignore_errors=True)
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
    return prepare


SUMMARY = re.compile(r"^(\d+) outputs?: (\d+) built, (\d+) up to date, (\d+) failed", re.M)


def expect(built: int = 0, cached: int = 0):
    """A verify step: handbill's summary must say BUILT built and CACHED up to date, none failed."""
    def verify(printed: str) -> str | None:
        found = SUMMARY.findall(printed)
        if not found:
            return "handbill printed no summary line ('N outputs: ...')"
        total, b, c, f = map(int, found[-1])
        if (total, b, c, f) != (built + cached, built, cached, 0):
            return (f"expected {built} built and {cached} up to date, handbill said: "
                    f"{total} outputs: {b} built, {c} up to date, {f} failed")
        return None
    return verify


def build_once(command: tuple[str, ...], built: int, out: Path):
    """A prepare step: build into OUT with COMMAND, untimed, unless OUT already has a manifest."""
    def prepare() -> None:
        if (out / MANIFEST).is_file():
            return
        _, _, printed = measure.run_processes((command,))
        problem = expect(built=built)(printed)
        if problem:
            raise measure.CommandFailed(f"prepare: {problem}")
    return prepare


def typst_contender(name: str, project: Path, bundles: list[Path], processes: int = 1,
                    **options) -> Contender:
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
    return Contender(name, commands, tuple(pdf for _, pdf in pairs), **options)


def naive_contender(project: Path, bundle: Path, whole_fonts: bool = False) -> Contender:
    """Plain WeasyPrint on the HTML handbill renders, with the system's CJK font, or
    (WHOLE_FONTS) with handbill's bundled font files handed over whole, not subset."""
    name = report.WHOLE if whole_fonts else report.NAIVE
    html = project / "naive" / f"{bundle.name}.html"
    html.parent.mkdir(parents=True, exist_ok=True)
    try:
        text = documents.handbill_html(bundle, project)
        fonts = documents.whole_fonts_css(project) if whole_fonts else None
    except Exception as error:  # e.g. the API changed: this column fails, not the run
        return Contender(name, skip=f"failed (render_html: {error!r})")
    if documents.uses_font_face(text):
        log(f"warning: {bundle.name}: the HTML declares @font-face fonts; "
            "the naive timing includes loading them")
    html.write_text(text, encoding="utf-8")
    tag = "-whole" if whole_fonts else ""
    pdf = html.with_name(f"{bundle.name}{tag}.pdf")
    command = (sys.executable, str(BENCH / "naive_weasyprint.py"), str(html),
               bundle.resolve().as_uri() + "/", str(pdf))
    if fonts is not None:
        css = html.with_name(f"{bundle.name}-fonts.css")
        css.write_text(fonts, encoding="utf-8")
        command += (str(css),)
    return Contender(name, (command,), (pdf,))


def document_contenders(project: Path, doc: Document) -> list[Contender]:
    """One document: handbill on one process (-j 1), from an empty output folder, with the
    font-subset cache deleted (cold) or kept (warm); naive WeasyPrint; WeasyPrint with the
    bundled fonts whole; Typst."""
    def handbill(tag: str, cold: bool) -> Contender:
        out = project / f"out-{tag}"
        return Contender(f"handbill {tag}", (handbill_build(project, [doc.bundle], out, "-j", "1"),),
                         (out / doc.name / f"{documents.LAYOUT}.pdf",),
                         prepare=fresh_out(out, project / ".cache" if cold else None),
                         verify=expect(built=1))

    return [handbill("cold", cold=True),
            handbill("warm", cold=False),  # the cache of the runs before it is kept
            naive_contender(project, doc.bundle),
            naive_contender(project, doc.bundle, whole_fonts=True),
            typst_contender(report.TYPST, project, [doc.bundle])]


def many_contenders(project: Path, typst_warmup: bool = False) -> list[Contender]:
    """50 variants of the sample: handbill's no-op rebuild, handbill -j 1 and -j JOBS from an
    empty output folder (font cache warm), Typst in 1 and in JOBS processes."""
    bundles = [make_bundle(project, f"variant-{i:02}", title_suffix=f"({i})")
               for i in range(1, VARIANTS + 1)]
    content = [project / "content"]

    def outputs(out: Path) -> tuple[Path, ...]:
        return tuple(out / b.name / f"{documents.LAYOUT}.pdf" for b in bundles)

    def build(jobs: int) -> Contender:
        out = project / f"out-j{jobs}"
        return Contender(report.many_jobs(jobs), (handbill_build(project, content, out, "-j", str(jobs)),),
                         outputs(out), prepare=fresh_out(out), verify=expect(built=VARIANTS),
                         max_runs=MANY_RUNS, warmup=False)

    noop_out = project / "out-noop"
    noop = handbill_build(project, content, noop_out)  # as one would type it: default -j
    return [
        # First: its untimed prepare step builds all 50 once, which also fills the font cache
        # and the OS file cache for the builds after it; so they need no warm-up run of their
        # own (tens of seconds each), nor does Typst, warmed by the sections before.
        Contender(report.NOOP, (noop,), outputs(noop_out),
                  prepare=build_once(noop, VARIANTS, noop_out), verify=expect(cached=VARIANTS)),
        build(1),
        build(JOBS),
        typst_contender(report.TYPST_1, project, bundles, max_runs=MANY_RUNS, warmup=typst_warmup),
        typst_contender(report.TYPST_N, project, bundles, JOBS, max_runs=MANY_RUNS,
                        warmup=typst_warmup),
    ]


def prepare_documents(project: Path, quick: bool) -> list[Document]:
    """The sample, and (unless QUICK) documents of about TARGET_PAGES pages made from it."""
    docs = [Document(documents.SAMPLE.name, "sample",
                     make_bundle(project, documents.SAMPLE.name), 1)]
    if quick:
        return docs

    def handbill_pages(bundle: Path) -> int:
        out = project / "out-probe"
        measure.run_processes((handbill_build(project, [bundle], out, "-j", "1"),))
        return measure.pdf_pages(out / bundle.name / f"{documents.LAYOUT}.pdf")

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
    if args.references_only:
        rows = references.measure(tmp / "references", runs, args.quick, log)
        print(references.render(rows, runs))
        return 0
    if args.rows_only:
        print(batch.render(batch.measure(tmp / "rows", args.rows, log)))
        return 0
    if args.characters_only:
        rows = characters.measure(tmp / "characters", runs, log)
        print(characters.render(rows, runs))
        return 0
    load_before = os.getloadavg()
    project = tmp / "project"
    sections = []
    for doc in [] if args.many_only else prepare_documents(project, args.quick):
        log(f"== {doc.label}")
        results = measure.bench(document_contenders(project, doc), runs, warmup,
                                lambda message: log(f"  {doc.label}: {message}"))
        sections.append((doc.label, results))
    many = None
    if not (args.quick or args.no_many):
        log(f"== {VARIANTS} documents")
        many = (f"{VARIANTS} variants",
                measure.bench(many_contenders(tmp / "many", typst_warmup=args.many_only), runs, warmup,
                              lambda message: log(f"  many: {message}")))

    v = versions()
    header = [
        f"handbill benchmark: each row the median of its 'runs' ({runs} asked; "
        f"{VARIANTS}-document builds at most {MANY_RUNS})"
        + (", after 1 untimed warm-up run (50-document builds: warmed by the no-op's build)"
           if warmup else " (no warm-up)")
        + ", each run in fresh processes",
        f"handbill {v['handbill']}, WeasyPrint {v['weasyprint']}, typst (PyPI) {v['typst']}, "
        f"Python {v['python']}, {v['cpus']} CPUs",
        "handbill builds into an empty output folder (no manifest) unless it says no-op; "
        "cold: <project>/.cache (font subsets) deleted too; warm: cache kept",
        "peak RSS: ru_maxrss, the largest single process (handbill: main, a worker or Pandoc), "
        "each command started by a small launcher; "
        "* bytes differed between runs",
        "load average (1, 5, 15 min) before: {}; after: {} (above 0.5 before: the machine was "
        "busy)".format(*(", ".join(f"{x:.2f}" for x in load)
                         for load in (load_before, os.getloadavg()))),
    ]
    print(report.render(header, sections, many))
    reference_rows = []
    if not args.many_only:
        log("== references")
        reference_rows = references.measure(tmp / "references", runs, args.quick, log)
        print()
        print(references.render(reference_rows, runs))
    character_rows = []
    if not args.many_only:
        log("== characters")
        character_rows = characters.measure(tmp / "characters", runs, log)
        print()
        print(characters.render(character_rows, runs))
    row_results = []
    if not args.many_only:
        log("== personalised rows")
        row_results = batch.measure(tmp / "rows", 20 if args.quick else args.rows, log)
        print()
        print(batch.render(row_results))
    if args.json:
        data = {"rows": row_results, "versions": v, "runs": runs, "warmup": warmup,
                "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
                "documents": [{"document": label, "results": [r.as_dict() for r in results]}
                              for label, results in sections],
                "many": None if many is None else [r.as_dict() for r in many[1]],
                "references": [dict(zip(("what", "entries", "bytes", "seconds"), row))
                               for row in reference_rows],
                "characters": [dict(zip(("document", "fonts", "seconds", "bytes", "note"), row))
                               for row in character_rows]}
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
                        help=f"the {VARIANTS}-document section (now always run: kept for old scripts)")
    parser.add_argument("--no-many", action="store_true",
                        help=f"skip the {VARIANTS}-document section (--quick skips it too)")
    parser.add_argument("--many-only", action="store_true",
                        help=f"only the {VARIANTS}-document section (Typst then gets a warm-up run)")
    parser.add_argument("--references-only", action="store_true",
                        help="only the references-loading section (CSL-JSON, CSL-YAML, BibTeX)")
    parser.add_argument("--rows", type=int, default=1000, metavar="N",
                        help="rows of the personalised batch (default 1000)")
    parser.add_argument("--rows-only", action="store_true",
                        help="the personalised batch section only")
    parser.add_argument("--characters-only", action="store_true",
                        help="only the character-coverage section (fonts before and after issue 13)")
    parser.add_argument("--json", metavar="FILE", help="also write every measurement as JSON")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary project (its path goes to stderr)")
    args = parser.parse_args(argv)
    if args.many_only and (args.quick or args.no_many):
        parser.error("--many-only cannot go with --quick or --no-many")
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
