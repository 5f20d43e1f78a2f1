"""Orchestration: plan the jobs, skip those whose inputs have not changed, run the rest.

A job is one output: a bundle in a layout, bilingual or in one language. Data
flows one way through a job: content -> citations -> HTML (layouts) -> fonts
-> PDF. A bundle with errors is reported and skipped; the others still build
(Pelican's way). Jobs run in worker processes (``-j``), each importing
WeasyPrint once; the output is the same bytes as with one process.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from . import guard
from .styles import BUILT_IN_STYLES, PARENT_FOLDERS, STYLES
from .content import find_bundles, load_bundle, load_meta
from .errors import (ContentError, Diagnostic, HandbillError, UsageError,
                     choices_hint, display_path)
from .fonts import bundled_fonts_dir
from .incremental import Manifest, file_sha256, fingerprint
from .layouts import Layout, find_layout
from .places import builtin_layouts_dir
from .limits import fewest_pages
from .model import Bundle
from .options import BuildOptions
from .site import SITE_FILE, Site, load_site
from .worker import (Job, Output, RenderTask, WholeTask, Workers, back, render_here,
                     time_limit, unexpected)


@dataclass
class BuildReport:
    """What a build made and what it found wrong."""

    outputs: list[Output] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.all_diagnostics)

    @property
    def all_diagnostics(self) -> list[Diagnostic]:
        """Each finding once (the jobs of one bundle find its problems each), in order."""
        return list(dict.fromkeys(self.diagnostics + [d for o in self.outputs
                                                       for d in o.diagnostics]))


def output_path(bundle_dir: Path, layout: str, lang: str | None, options: BuildOptions) -> Path:
    """out/<bundle path under content/>/<layout>.pdf, or <layout>.<lang>.pdf for one language.

    A bundle elsewhere in the project goes to out/<its path in the project>/, so that
    two bundles never share an output (drafts/x and content/x).
    """
    root = Path(os.path.abspath(options.project))
    folder = Path(os.path.abspath(bundle_dir))
    content_dir = root / "content"
    rel = folder.relative_to(content_dir) if folder.is_relative_to(content_dir) else \
        folder.relative_to(root) if folder.is_relative_to(root) else Path(folder.name)
    name = f"{layout}.pdf" if lang is None else f"{layout}.{lang}.pdf"
    return options.out_dir / rel / name


def output_files(job: Job, layout: Layout | None) -> list[Path]:
    """The files JOB writes: its PDF, and the imposed booklet beside it."""
    if layout is not None and layout.impose == "saddle-stitch":
        return [job.target, imposed_path(job.target)]
    return [job.target]


def imposed_path(target: Path) -> Path:
    return target.with_name(target.stem + ".imposed.pdf")


def _check_options(options: BuildOptions) -> None:
    root = options.project
    if options.lang is not None:
        from .languages import load_languages

        table = load_languages(root)
        if options.lang not in table:
            raise UsageError(table.unknown("handbill", None, options.lang, "(--lang)",
                                           code="usage"))
    if options.layout is not None and find_layout(options.layout, root) is None:
        raise UsageError(unknown_layout("handbill", None, options.layout, root, "--layout"))
    if options.layout is not None and options.lang is not None \
            and find_layout(options.layout, root).bilingual:
        raise UsageError(Diagnostic(
            "handbill", None, f"--lang {options.lang}: the {options.layout} layout sets both "
            "languages side by side; it has no single-language form",
            hint=f"drop --lang for {options.layout}, or make a single-language document in "
                 f"another layout: --layout handout --lang {options.lang}"))
    if options.citation_style is not None and options.citation_style not in STYLES:
        style = options.citation_style
        found = next((p for p in (Path(style), root / style) if p.is_file()), None)
        if found is None:
            import difflib

            near = difflib.get_close_matches(style, list(STYLES), n=1)
            raise UsageError(Diagnostic(
                "handbill", None, f"unknown citation style '{style}' (built-in: "
                f"{', '.join(BUILT_IN_STYLES)}; or the path of a .csl file)"
                + (f"; did you mean '{near[0]}'?" if near else "")))
        refused = guard.outside(found, root, guard.Named(root, None, "citation style", style))
        if refused is not None:
            raise UsageError(replace(refused, path="handbill", code="usage"))
    if options.data is not None:
        from .rows import check_data_path

        check_data_path(options.data, root)
    if options.scheduler is not None:
        from .cluster import check_scheduler

        check_scheduler(options.scheduler)
        if options.jobs is not None:
            raise UsageError(Diagnostic("handbill", None, "-j counts this machine's render "
                                        "processes; with --scheduler the cluster's workers "
                                        "render", hint="drop -j, or drop --scheduler"))
    if options.jobs is not None and options.jobs < 1:
        raise UsageError(Diagnostic("handbill", None, "-j takes a number of processes, 1 or more"))
    if not isinstance(options.timeout, (int, float)) or not math.isfinite(options.timeout) \
            or options.timeout <= 0:
        raise UsageError(Diagnostic("handbill", None, "--timeout takes a number of seconds, more "
                                    f"than 0 and finite, not {options.timeout:g}"))
    if not isinstance(options.max_pages, int) or options.max_pages < 1:
        raise UsageError(Diagnostic("handbill", None, "--max-pages takes a number of pages, "
                                    f"1 or more, not {options.max_pages}"))


def find_bundle_dirs(paths: list[Path] | None, root: Path) -> tuple[list[Path], list[Diagnostic]]:
    """The bundle folders PATHS name (default: the project's content/), and the folders
    among them that link out of the project (errors); misuse raises."""
    if not paths and not (root / "content").exists() and not (root / "content").is_symlink():
        raise UsageError(Diagnostic(
            display_path(root / "content", root), None, "no content/ folder here, and no folder "
            "above holds site.yaml or content/: this is not a handbill project",
            hint="run handbill in the project's folder (the one holding content/ and "
                 "site.yaml) or in a folder inside it, name it with --project DIR, or start "
                 "a bundle here with: handbill new NAME"))
    paths = paths or [root / "content"]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(Diagnostic(display_path(path, root), None, "no such file or folder"))
        if not Path(os.path.abspath(path)).is_relative_to(Path(os.path.abspath(root))):
            raise UsageError(Diagnostic(display_path(path, root), None, "this folder is outside "
                                        "the project; handbill builds only bundles inside it "
                                        "(--project names another project)"))
    bundle_dirs, problems = find_bundles(paths, root)
    if not bundle_dirs and not problems:
        raise UsageError(Diagnostic(", ".join(display_path(p, root) for p in paths), None,
                                    "no content bundle here (a bundle is a folder with a meta.yaml)"))
    return bundle_dirs, problems


def unknown_layout(path: str, line: int | None, name: str, root: Path, where: str,
                   code: str = "usage") -> Diagnostic:
    """The error for NAME, which is no layout: the layouts there are, and the nearest."""
    from .layouts import list_layouts

    names = [layout.name for layout in list_layouts(root)]
    return Diagnostic(path, line, f"unknown layout '{name}' ({where})", code=code,
                      hint=choices_hint(name, names, "layouts") + " ('handbill layouts' "
                      "describes them)")


def unknown_layouts(meta_path: Path, meta, names: list[str], root: Path) -> list[Diagnostic]:
    """An error at meta.yaml's layouts line for each of NAMES that is no layout."""
    return [unknown_layout(display_path(meta_path, root), meta.lines.get("layouts", 1), name,
                           root, "in 'layouts:'", code="meta")
            for name in names if find_layout(name, root) is None]


def plan(paths: list[Path] | None, options: BuildOptions) -> tuple[list[Job], list[Diagnostic]]:
    """Every job the build should run, and the problems of bundles that cannot be built."""
    _check_options(options)
    root = options.project
    jobs: list[Job] = []
    bundle_dirs, problems = find_bundle_dirs(paths, root)
    for bundle_dir in bundle_dirs:
        try:  # the metadata only: the text is read by the job that needs it
            meta = load_meta(bundle_dir, root)
        except HandbillError as error:
            problems += error.diagnostics
            continue
        except Exception as error:  # noqa: BLE001 - one bundle's bug never stops the others
            problems.append(unexpected(error, display_path(bundle_dir, root)))
            continue
        if options.lang is not None and options.lang not in meta.languages:
            problems.append(Diagnostic(display_path(bundle_dir, root), None,
                                       f"bundle has no '{options.lang}' text", code="meta",
                                       hint="its languages (meta.yaml): "
                                            f"{', '.join(meta.languages)}"))
            continue
        names = [options.layout] if options.layout else list(dict.fromkeys(meta.layouts))
        try:
            unknown = unknown_layouts(bundle_dir / "meta.yaml", meta, names, root)
        except HandbillError as error:  # a layout.yaml that does not load
            problems += error.diagnostics
            continue
        if unknown:
            problems += unknown
            continue
        if bundle_dir.name.lower().endswith(".pdf"):
            problems.append(Diagnostic(display_path(bundle_dir, root), None, "a bundle's folder "
                                       "name may not end in .pdf: its outputs' folder would "
                                       "stand where a PDF goes", code="meta",
                                       hint="rename the folder"))
            continue
        inputs = named_inputs(bundle_dir, meta, root)
        for name in names:
            layout = find_layout(name, root)
            layout.resolve_options(options.layout_options)  # misuse: exit 2
            if options.lang is not None and layout.bilingual:
                # --layout parallel --lang en was refused above; a bundle's layouts: list
                # that names it is built without it, and says so.
                problems.append(Diagnostic(
                    display_path(bundle_dir / "meta.yaml", root), meta.lines.get("layouts"),
                    f"--lang {options.lang}: the {name} layout sets both languages side by "
                    f"side and has no single-language form; {name} is not built",
                    severity="warning", code="usage",
                    hint="build it without --lang, or leave --lang for the other layouts"))
                continue
            target = output_path(bundle_dir, name, options.lang, options)
            jobs.append(Job(bundle_dir, name, options.lang, target, inputs,
                            tuple(output_files(Job(bundle_dir, name, options.lang, target),
                                               layout))))
    if options.data is not None:
        jobs = _row_jobs(jobs, options, problems)
    problems += unhonoured([job.layout for job in jobs], options)
    return _apart(jobs, problems, root), problems


def _row_jobs(jobs: list[Job], options: BuildOptions, problems: list[Diagnostic]) -> list[Job]:
    """--data: each job once a row, into out/<bundle>/<id>/ (the rows that cannot be built
    are problems, located in the data file, and left out)."""
    from .personalise import names
    from .rows import load_rows

    root = options.project
    bundles = sorted({job.bundle for job in jobs})
    if len(bundles) != 1:
        raise UsageError(Diagnostic("handbill", None, "--data fills one bundle's placeholders: "
                                    "name that bundle (handbill build content/NAME --data "
                                    "ROWS.csv)"))
    try:
        full = load_bundle(bundles[0], root)
        needed = names(full, options.lang and (options.lang,) or full.meta.languages)
        rows, found = load_rows(options.data, root, needed)
    except HandbillError as error:
        problems += error.diagnostics
        return []
    problems += found
    # A layout may set a text in capitals (text-transform): the capitals count too.
    chars = frozenset().union(*(form for row in rows.rows for value in row.values.values()
                                for form in (value, value.upper(), value.lower())))
    return [replace(job, row=row, row_chars=chars,
                    target=job.target.parent / row.id / job.target.name,
                    files=tuple(f.parent / row.id / f.name for f in job.outputs))
            for row in rows.rows for job in jobs]


def row_digest(row, options: BuildOptions) -> str:
    """What a row's values contribute to its job's hash: an HMAC under a key kept beside
    the outputs (0600), so that the manifest never holds a guessable hash of a name."""
    import hashlib
    import hmac
    import json

    key_path = options.out_dir / ".handbill-rows.key"
    try:
        key = key_path.read_bytes()
    except FileNotFoundError:
        from .writing import write_atomic

        key = os.urandom(32)
        write_atomic(key_path, key, private=True)
    return hmac.new(key, json.dumps(row.fields, ensure_ascii=False).encode(),
                    hashlib.sha256).hexdigest()


def unhonoured(names: list[str], options: BuildOptions) -> list[Diagnostic]:
    """A warning, at the command line that gave it, for each option the layouts NAMES
    cannot honour (once a build or a check, not once a bundle)."""
    found = []
    layouts = {name: find_layout(name, options.project) for name in names}
    imposed = sorted(name for name, layout in layouts.items()
                     if layout.impose == "saddle-stitch")
    for name in imposed:
        resolved = layouts[name].resolve_options(options.layout_options)
        given = [f"--option {key}={resolved[key]}" for key, none in (("bleed", "0mm"),
                                                                     ("marks", "none"))
                 if resolved.get(key, none) != none]
        if given:
            sheet = resolved.page_size
            found.append(Diagnostic(
                "handbill", None, f"{' and '.join(given)}: {name}.imposed.pdf is printed to "
                f"trim, without bleed or marks: two A5 pages fill "
                f"{'an' if sheet[0] in 'AEIOU' else 'a'} {sheet} sheet and leave no room "
                f"around them (the reading-order {name}.pdf has them)",
                severity="warning", code="impose",
                hint=f"send {name}.pdf to a print shop that imposes, or print the imposed "
                     "sheets on paper larger than the pages and trim them"))
        if options.pdf_variant == "pdf/ua-1":
            found.append(Diagnostic(
                "handbill", None, f"--pdf-variant pdf/ua-1: {name}.imposed.pdf is a print "
                f"file of sheets, two pages on each, without the tags of the text: only "
                f"{name}.pdf is PDF/UA", severity="warning", code="impose",
                hint=f"give readers {name}.pdf; the imposed sheets are for printing"))
    return found


def _apart(jobs: list[Job], problems: list[Diagnostic], root: Path) -> list[Job]:
    """JOBS whose outputs do not collide: a job that would write a file another job writes
    too, or a file where another's outputs need a folder, is left out with an error."""
    kept, written, folders = [], {}, {}
    for job in jobs:
        paths = [job.target, imposed_path(job.target)]
        clash = next((written.get(p) or folders.get(p) for p in paths
                      if p in written or p in folders), None) or next(
            (written[parent] for p in paths for parent in p.parents if parent in written), None)
        if clash is not None:
            problems.append(Diagnostic(display_path(job.bundle, root), None, f"its output "
                                       f"{display_path(job.target, root)} collides with that of "
                                       f"{display_path(clash.bundle, root)}", code="meta"))
            continue
        kept.append(job)
        for path in paths:
            written[path] = job
            folders.update({parent: job for parent in path.parents})
    return kept


def named_inputs(bundle_dir: Path, meta, root: Path) -> tuple[Path, ...]:
    """The files META names that may lie outside the bundle's folder, as the build looks
    for them: its references file, its citation style (beside it, or in the project)."""
    named = []
    if meta.references:
        named.append(bundle_dir / meta.references)
    if meta.citation_style and meta.citation_style not in STYLES:
        named += [bundle_dir / meta.citation_style, root / meta.citation_style]
    return tuple(path for path in named if "\0" not in str(path))


def _site_inputs(root: Path) -> list[Path]:
    """The files site.yaml names (its logo, its print profile), wherever they are."""
    try:
        site = load_site(root)
    except HandbillError:  # reported by each job's front
        return []
    return [path for path in (site.logo, site.print_profile) if path is not None]


def job_key(job: Job, options: BuildOptions, cache: dict) -> str:
    """The hash of everything JOB's output depends on."""
    root = options.project
    shared = cache.get("shared")  # what every job depends on: hashed once a build
    if shared is None:
        sources = [root / "layouts", builtin_layouts_dir(), root / "fonts", bundled_fonts_dir(),
                   Path(__file__).parent / "assets" / "csl", root / SITE_FILE,
                   *(root / folder for folder in PARENT_FOLDERS),  # dependent styles' parents
                   *(root / n for n in ("references.yaml", "references.yml", "references.json",
                                        "references.bib"))]
        if (root / SITE_FILE).is_file():
            sources.append(root / "assets")  # the logo and other files site.yaml names
            sources += _site_inputs(root)
        style = options.citation_style
        if style and style not in STYLES:  # --citation-style FILE: its text
            sources += [Path(style), root / style]
        # handbill's own fonts (14 MB, 12 ms to read a build) are written only by its set-up
        # or an upgrade, and any write changes a file's stamp: they enter by it.
        shared = cache["shared"] = fingerprint(sources, {}, cache, root, _unhashed(options),
                                               stamped=(bundled_fonts_dir(),))
    settings = {"layout": job.layout, "lang": job.lang, "style": options.citation_style,
                "row": row_digest(job.row, options) if job.row is not None else None,
                "timeout": options.timeout,
                "variant": options.pdf_variant, "max_pages": options.max_pages,
                "options": dict(sorted(options.layout_options.items())), "shared": shared}
    return fingerprint([job.bundle, *job.inputs], settings, cache, root, _unhashed(options))


def _unhashed(options: BuildOptions) -> tuple[Path, ...]:
    """Folders the build writes, which its inputs' hash leaves out (--out inside a bundle)."""
    return (Path(os.path.abspath(options.out_dir)),)


def build(paths: list[Path] | None, options: BuildOptions,
          progress: Callable[[int], Callable[[Output], None]] | None = None,
          workers: Workers | None = None) -> BuildReport:
    """Build every bundle under PATHS (default: the project's content/).

    PROGRESS, given the number of jobs, returns a function told of each output.
    WORKERS: render processes started earlier (worker.early); who started them closes them.
    """
    started = time.perf_counter()
    _ROWS_SHARE.clear()  # a new build reads its bundles again (watch builds many times)
    jobs, problems = plan(paths, options)
    progress = progress(sum(len(job.outputs) for job in jobs)) if progress else None
    report = BuildReport(diagnostics=problems)
    manifest = Manifest(options.out_dir)
    cache: dict = {}
    todo, keys = [], {}
    for job in jobs:
        key = keys[job] = job_key(job, options, cache)
        entry = manifest.fresh(_rel(job.target, options), key,
                               output_files(job, find_layout(job.layout, options.project)))
        if entry is not None:
            output = Output(job, [(Path(p), n, b) for p, n, b in entry["results"]],
                            entry.get("seconds", 0.0), "cached")
            report.outputs.append(output)
            if progress:
                progress(output)
        else:
            todo.append(job)
    for output in _run_all(todo, options, workers):
        report.outputs.append(output)
        if output.status == "built":
            manifest.record(_rel(output.job.target, options), keys[output.job], {
                "results": [[p.as_posix(), n, b] for p, n, b in output.files],
                "files": {p.as_posix(): [b, file_sha256(p)] for p, _, b in output.files},
                "seconds": round(output.seconds, 3)})
        if progress:
            progress(output)
    if any(o.status == "built" for o in report.outputs):
        try:
            manifest.save()
        except OSError as error:  # the PDFs are right: only the next build's shortcut is lost
            report.diagnostics.append(Diagnostic(
                display_path(manifest.path, options.project), None,
                f"cannot write the build manifest: {error.strerror}", severity="warning",
                code="output", hint="the PDFs are written; the next build makes them all again"))
    report.outputs.sort(key=lambda o: (o.job.target.as_posix()))
    report.seconds = time.perf_counter() - started
    return report


def _rel(path: Path, options: BuildOptions) -> str:
    """PATH under the output folder, as written (links are not followed: an output's path
    may be a link, even one that loops, which writing the PDF replaces)."""
    mine, out = Path(os.path.abspath(path)), Path(os.path.abspath(options.out_dir))
    return mine.relative_to(out).as_posix() if mine.is_relative_to(out) else path.as_posix()


def _run_all(jobs: list[Job], options: BuildOptions, workers: Workers | None):
    """Each job's Output, as it is done.

    The main process prepares each job (content, citations, HTML, fonts: the
    front) and worker processes render them (WeasyPrint: the back), at most
    ``-j`` at once. A worker imports WeasyPrint once and renders many documents.
    With one job at a time, a worker is still used when WeasyPrint is not yet
    imported here and there is a second CPU: its 0.3 s import then overlaps the
    front. Otherwise (one CPU, or WeasyPrint already loaded, as in ``watch``)
    everything runs here. WORKERS may hold a worker started before the build
    (worker.early); the others start here.
    """
    if not jobs:
        return
    if options.scheduler is not None:
        from .cluster import run

        yield from run(jobs, options)
        return
    size = min(options.jobs or os.cpu_count() or 1, len(jobs))
    if size <= 1 and workers is None and render_here():
        yield from (run_job(job, options) for job in jobs)
        return
    from concurrent.futures import FIRST_COMPLETED, wait

    own = workers is None
    workers = Workers() if own else workers
    try:
        workers.grow_to(size)
        workers.warm(hyphenation(jobs[0], options))
        pending: set = set()
        for job in jobs:
            task = (WholeTask(Output(job), options, display_path(job.bundle, options.project),
                              time.perf_counter())
                    if measures(job, options) else front(job, options))
            if isinstance(task, Output):  # the front found a problem: nothing to render
                workers.collector_on()  # a batch of broken rows must not pile up garbage
                yield task
                continue
            pending.add(workers.submit(task))
            # -j N: N jobs at a time, counting the one being prepared here.
            while len(pending) >= size:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (workers.result(future) for future in done)
            done = {f for f in pending if f.done()}
            pending -= done
            yield from (workers.result(future) for future in done)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (workers.result(future) for future in done)
    finally:
        if own:  # interrupted (Ctrl-C, SIGTERM): the workers stop now, unwinding their tasks
            workers.close(stop=isinstance(sys.exc_info()[1], KeyboardInterrupt))


def hyphenation(job: Job, options: BuildOptions) -> tuple[str, ...]:
    """The hyphenation languages of JOB's document (languages.yaml's typography), for the
    workers to load ahead of it; none if its meta.yaml or the table is wrong (the front
    says so)."""
    from .languages import load_languages

    try:
        tags = (job.lang,) if job.lang else load_meta(job.bundle, options.project).languages
        table = load_languages(options.project)
        return tuple(dict.fromkeys(table[tag].typography.hyphenation for tag in tags
                                   if tag in table and table[tag].typography.hyphenation))
    except HandbillError:
        return ()


def measures(job: Job, options: BuildOptions) -> bool:
    """Whether JOB's layout lays its pages out while it prepares them (handbill.panels):
    then the worker prepares it too. A layout that does not load is the front's to say."""
    try:
        layout = find_layout(job.layout, options.project)
    except HandbillError:
        return False
    return layout is not None and layout.measure


def run_job(job: Job, options: BuildOptions) -> Output:
    """Make one output here; every problem becomes a diagnostic of the returned Output."""
    task = front(job, options)
    return task if isinstance(task, Output) else back(task)


def front(job: Job, options: BuildOptions) -> RenderTask | Output:
    """Everything of JOB before WeasyPrint; a failed Output if the content has problems."""
    started = time.perf_counter()
    output = Output(job)
    try:
        with time_limit(options.timeout, display_path(job.bundle, options.project),
                        "preparing the document"):
            return _front(job, options, output, started)
    except UsageError:
        raise
    except HandbillError as error:
        output.status = "failed"
        output.diagnostics += error.diagnostics
    except Exception as error:  # noqa: BLE001 - one bundle's bug never stops the others
        output.status = "failed"
        output.diagnostics.append(unexpected(error, display_path(job.bundle, options.project)))
    output.seconds = time.perf_counter() - started
    return output


def _front(job: Job, options: BuildOptions, output: Output, started: float) -> RenderTask:
    """front()'s work, under its time limit."""
    from .checks import check_bundle
    from .citations import check_citations
    from .document import plan_document, prepare

    root = options.project
    # A personalised batch's rows share one reading, parse and check of their bundle.
    shared = _ROWS_SHARE.get((job.bundle, job.lang)) if job.row is not None else None
    full = shared[0] if shared else load_bundle(job.bundle, root)
    output.diagnostics += list(full.warnings)

    layout = find_layout(job.layout, root)
    too_long = size_problems(full, [layout], job.lang, options)
    if too_long:
        raise ContentError(too_long)

    # What `handbill check` calls an error stops the build here, at its source line: a
    # citation to nowhere, an image with no alt text (the PDF is tagged for screen
    # readers), a translation that lacks a section. The warnings about the writing
    # (readability, sentence length, punctuation) are `handbill check`'s alone.
    problems = shared[1] if shared else (
        check_citations(full, root) + check_bundle(full, root, for_build=True, lang=job.lang))
    if job.row is not None:
        _ROWS_SHARE[(job.bundle, job.lang)] = (full, problems)
    output.diagnostics += [p for p in problems if p.severity == "warning"]
    if any(p.severity == "error" for p in problems):
        raise ContentError([p for p in problems if p.severity == "error"])
    site = load_site(root)
    problems = option_problems(full, layout, options, site, job.target.name)
    output.diagnostics += [p for p in problems if p.severity == "warning"]
    if any(p.severity == "error" for p in problems):
        raise ContentError([p for p in problems if p.severity == "error"])
    full = _personalised(full, job, layout, options)
    html, spec = prepare(plan_document(full, layout, job.lang, options, site), options,
                         row_chars=job.row_chars, private=job.row is not None)
    return RenderTask(output, html, spec, options.timeout, display_path(job.bundle, root),
                      started)


#: (bundle folder, lang) -> (the loaded bundle, its check's problems), for the rows of a
#: personalised batch: emptied at the start of each build.
_ROWS_SHARE: dict = {}


def _personalised(full: Bundle, job: Job, layout: Layout, options: BuildOptions) -> Bundle:
    """FULL with JOB's row in its placeholders; without a row, placeholders are errors. A
    value no font of its language covers is an error at its place in the data file."""
    from .languages import load_languages
    from .personalise import fill, occurrences, unfilled

    root = options.project
    languages = full.meta.languages if job.lang is None else (job.lang,)
    if job.row is None:
        missing = unfilled(full, root, languages)
        if missing:
            raise ContentError(missing)
        return full
    from .coverage import uncovered
    from .fonts import plan_fonts

    table = load_languages(root)
    fonts = plan_fonts(root, layout, languages)
    values, columns = job.row.values, job.row.columns
    used: dict[str, set[str]] = {}  # language -> the fields its texts print
    for path, _, _, name in occurrences(full, languages):
        lang = next((t for t in languages if t in full.bodies and path in
                     (full.bodies[t].path, getattr(full.short_bodies.get(t), "path", None))),
                    None)
        for tag in ([lang] if lang else languages):
            used.setdefault(tag, set()).add(name)
    problems = []
    shown = display_path(options.data, root)
    for lang, fields in sorted(used.items()):
        missing = uncovered({lang: set("".join(values[f] for f in fields))}, fonts).get(lang)
        for char in sorted(missing or ()):
            name = next(f for f in sorted(fields) if char in values[f])
            column = columns.get(name)
            problems.append(Diagnostic(
                shown, job.row.line, f"row {job.row.id}: its '{name}' has a character no font "
                f"covers for {lang} (U+{ord(char):04X}), which would print as a box",
                column=column + values[name].index(char) if column else None,
                code="font-coverage"))
    if problems:
        raise ContentError(problems)
    return fill(full, values, lambda tag: table[tag].typography.han)


def size_problems(full: Bundle, layouts: list[Layout], lang: str | None,
                  options: BuildOptions) -> list[Diagnostic]:
    """An error when the text LAYOUTS print (the full one, or the shorter) cannot fit
    --max-pages, counted before anything slower than parsing is done with it."""
    languages = full.meta.languages if lang is None else (lang,)
    for short in sorted({layout.text == "short" for layout in layouts}):
        bundle = full.shortened() if short else full
        blocks, pages = fewest_pages(bundle.bodies[lang] for lang in languages
                                     if lang in bundle.bodies)
        if pages > options.max_pages:
            return [Diagnostic(
                display_path(bundle.path, options.project), None, f"the text has {blocks:,} "
                f"paragraphs, list items and headings: at least {pages:,} pages, more than the "
                f"limit of {options.max_pages}", code="limits",
                hint="raise it with --max-pages if the text is meant to be that long")]
    return []


def option_problems(full: Bundle, layout: Layout, options: BuildOptions, site: Site,
                    target: str) -> list[Diagnostic]:
    """What the options ask of LAYOUT that it cannot do for FULL: a PDF/X-4 without the
    print shop's profile (an error). TARGET: the name of the reading-order PDF. (What no
    bundle could have in a layout is said once: see unhonoured.)"""
    root = options.project
    found = []
    if options.pdf_variant == "pdf/x-4" and site.print_profile is None:
        found.append(Diagnostic(
            SITE_FILE if (root / SITE_FILE).is_file() else "handbill", None,
            "pdf/x-4 needs the print shop's CMYK ICC profile as its output intent",
            code="site", hint="set print-profile: in site.yaml to the profile's file "
                              "(the print shop gives it, e.g. ISO Coated v2 or GRACoL)"))
    return found
