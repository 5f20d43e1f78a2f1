"""The command line: arguments -> BuildOptions -> build(); errors -> exit codes.

Exit codes: 0 all built, 1 the content has errors, 2 the command was misused.
A user's mistake never shows a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import HandbillError, display_path, plural, printable
from .options import BuildOptions


def _add_selection(parser: argparse.ArgumentParser, layout_help: str) -> None:
    """The PATHs and --layout that build, check and watch share."""
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="a bundle folder, or a folder of bundles (default: content/)")
    parser.add_argument("--layout", metavar="NAME", help=layout_help)


def _add_document_options(parser: argparse.ArgumentParser) -> None:
    """What makes a document what it is: build and check take the same, so that check
    judges the PDF that build would make."""
    parser.add_argument("--lang", metavar="TAG",
                        help="a single-language document instead of the bilingual one: a "
                             "language of layouts/languages.yaml (en, zh-Hans, ...)")
    parser.add_argument("--page-size", metavar="SIZE",
                        help="paper size, as the layout allows (A4, Letter); "
                             "same as --option page-size=SIZE")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="a layout option, checked against the layout's layout.yaml")
    parser.add_argument("--citation-style", metavar="STYLE",
                        help="vancouver (the default), apa, ama, gb-t-7714, or a .csl file; "
                             "over the bundle's and the layout's choice")
    parser.add_argument("--pdf-variant", choices=("pdf/ua-1", "pdf/a-2b", "pdf/x-4"),
                        help="PDF/UA-1 (accessible), PDF/A-2b (archival) or PDF/X-4 (for print "
                             "shops: site.yaml's print-profile as output intent); every PDF is "
                             "tagged")
    parser.add_argument("--max-pages", type=int, default=100, metavar="N",
                        help="refuse a document of more pages (default: 100)")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="stop a document that takes longer to render (default: 120)")


def _document_options(args, project: Path, **more) -> BuildOptions:
    return BuildOptions(project=project, layout=args.layout, lang=args.lang,
                        citation_style=_absolute_style(args.citation_style),
                        pdf_variant=args.pdf_variant,
                        max_pages=args.max_pages, timeout=args.timeout,
                        layout_options=_layout_options(args), **more)


def _absolute(paths):
    """PATHS as absolute paths (not resolved: a link stays the link it is). The command
    line is the one place paths are made absolute; messages shorten them again, once,
    relative to the project (errors.display_path)."""
    return [Path(os.path.abspath(path)) for path in paths] if paths else None


def _absolute_style(style: str | None) -> str | None:
    """--citation-style: a built-in style's name as it is, a file from where it was given."""
    if not style:  # the usual case: citations (and Markdown) are not imported for it
        return style
    from .styles import STYLES

    if style not in STYLES and Path(style).is_file():
        return os.path.abspath(style)
    return style


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="handbill",
        description="Turn content bundles into print-ready bilingual PDF handouts.")
    parser.add_argument("--version", action="version", version=f"handbill {__version__}")
    parser.add_argument("--project", type=Path, default=None, metavar="DIR",
                        help="the project folder holding content/ (default: the nearest folder, "
                             "from the current one up, that holds site.yaml or content/)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser(
        "build", help="build PDFs from content bundles",
        description="Build PDFs into out/<bundle>/<layout>.pdf (or <layout>.<lang>.pdf "
                    "with --lang). With no PATH, builds every bundle under content/.")
    _add_selection(build, "build this layout instead of those the bundle's meta.yaml lists")
    _add_document_options(build)
    build.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: out/)")
    build.add_argument("-j", "--jobs", type=int, metavar="N",
                       help="worker processes (default: one per core)")
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="render on a Dask cluster: a scheduler's address "
                            "(tcp://HOST:8786), or local:N to start N workers here")
    build.add_argument("--report", type=Path, metavar="FILE",
                       help="also write what was built, and every finding, as JSON")
    build.add_argument("--data", type=Path, metavar="ROWS",
                       help="a CSV, JSON or Excel (.xlsx) file of rows: one handout a row, its values in the "
                            "bundle's {{ placeholders }}, into out/<bundle>/<id>/ (owner-only)")

    from .registry import help_text

    check = commands.add_parser(
        "check", help="check content without writing PDFs",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run every check without writing PDFs: each bundle is taken through the "
                    "steps of a build, and every problem is reported, not only the first.\n"
                    "Errors fail the check and are refused by build too; warnings fail it "
                    "with --strict.",
        epilog="checks (id, severity, what it looks at):\n" + help_text())
    _add_selection(check, "check this layout only")
    _add_document_options(check)
    check.add_argument("--strict", action="store_true", help="warnings fail the check too")
    check.add_argument("--data", type=Path, metavar="ROWS",
                       help="check the rows of a personalised batch (as build --data reads them)")
    check.add_argument("--skip", action="append", default=[], metavar="CHECK",
                       help="leave out the findings of a warning check (readability-en, "
                            "page-fill...); errors cannot be skipped, since build refuses them")
    check.add_argument("--fix", action="store_true",
                       help="rewrite half-width punctuation in Chinese text as full-width "
                            "(zh-punctuation), then check")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="text (path:line:col: severity: message [check-id]) or json")

    new = commands.add_parser(
        "new", help="start a new bundle",
        description="Create content/NAME/ with meta.yaml, en.md, zh-Hans.md and references.yaml: "
                    "a bundle that builds and passes check, with instructions where the text goes.")
    new.add_argument("name", metavar="NAME", help="the bundle's folder name (lowercase, hyphens)")
    new.add_argument("--title-en", metavar="TITLE", help="the English title")
    new.add_argument("--title-zh", metavar="TITLE", help="the Chinese title")
    new.add_argument("--languages", metavar="TAGS",
                     help="its languages, comma-separated, from the languages table "
                          "(en,zh-Hant; default: site.yaml's languages, else en,zh-Hans)")

    imports = commands.add_parser(
        "import", help="make a Word document a bundle's text",
        description="Convert a Word document (.docx) into LANG.md of a bundle: a new bundle "
                    "(meta.yaml with the document's title and today's date), or another "
                    "language of one. A language imported again shows what changes first.")
    imports.add_argument("docx", type=Path, metavar="FILE.docx", help="the Word document")
    imports.add_argument("--lang", required=True, metavar="TAG",
                         help="the document's language (a tag of the languages table)")
    imports.add_argument("--into", type=Path, metavar="DIR",
                         help="the bundle (default: content/<the file's name>)")
    imports.add_argument("--dry-run", action="store_true",
                         help="print what would change (a diff), write nothing")

    watch = commands.add_parser(
        "watch", help="rebuild on every save",
        description="Build, then rebuild whenever content, layouts, fonts or site.yaml change, "
                    "printing the findings each time. Stop with Ctrl-C.")
    _add_selection(watch, "build this layout only")

    serve = commands.add_parser(
        "serve", help="preview the handouts in the browser, live",
        description="Build the handouts and show their pages, and check's findings beside "
                    "them, in the browser; every save rebuilds what changed and the open page "
                    "follows. Listens on 127.0.0.1 (this machine only). Stop with Ctrl-C.")
    _add_selection(serve, "show this layout only")
    serve.add_argument("--port", type=int, default=8000, metavar="N",
                       help="the port to listen on (default: 8000; 0 takes a free one)")
    serve.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                       help="the address to listen on (default: 127.0.0.1; another one lets "
                            "other machines read the handouts, and is warned about)")

    commands.add_parser("layouts", help="list the layouts and their options",
                        description="List every layout on the search path and its options.")

    fonts = commands.add_parser(
        "fonts", help="list the font families each language uses and their files",
        description="List each language's font chain and, for each family, the file it "
                    "resolved to, its version, glyph count and licence.")
    fonts.add_argument("--layout", metavar="NAME", default="handout",
                       help="the layout whose fonts to list (default: handout)")
    return parser


def _layout_options(args) -> dict:
    values = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"handbill: error: --option takes KEY=VALUE, not '{printable(item)}'"
                             " [usage]")
        values[key.strip()] = value.strip()
    if args.page_size:
        values["page-size"] = args.page_size
    return values


#: What marks a project's folder, as .git marks a repository's: its site.yaml, or its
#: content/ folder (a project that has no site.yaml yet).
PROJECT_MARKERS = ("site.yaml", "content")


def find_project(start: Path) -> Path:
    """The project START is in: the nearest folder, START itself or one above it, that
    holds site.yaml or a content/ folder (git's way of finding its repository); START
    when none does. A bundle folder, content/, or a folder deeper down all find it."""
    start = Path(os.path.abspath(start))
    for folder in (start, *start.parents):
        if (folder / "site.yaml").is_file() or (folder / "content").is_dir():
            return folder
    return start


def command_name() -> str:
    """How the person who ran handbill runs it again: `handbill` when the shell finds this
    very program, else the path of the virtual environment's script (`.venv/bin/handbill`,
    as `make` creates it), else `python -m handbill`."""
    import shutil

    script = Path(sys.executable).parent / "handbill"
    found = shutil.which("handbill")
    if found and script.exists() and Path(found).resolve() == script.resolve():
        return "handbill"
    if script.exists():
        return _from_here(script)
    return "python -m handbill"


def run(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (never calls sys.exit)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    project = (args.project or find_project(Path.cwd())).resolve()
    try:
        if not project.is_dir():
            from .errors import Diagnostic, UsageError

            raise UsageError(Diagnostic(display_path(args.project or project), None,
                                        "no such project folder" if not project.exists()
                                        else "the project is not a folder"))
        if args.project is None and project != Path.cwd().resolve() \
                and args.command in ("build", "check", "watch", "serve"):
            print(f"handbill: project {printable(str(project))} (the nearest folder above "
                  "holding site.yaml or content/); the paths below are from there",
                  file=sys.stderr)
        if args.command == "layouts":
            return _list_layouts(project)
        if args.command == "fonts":
            return _list_fonts(project, args.layout)
        if args.command == "check":
            return _check(args, project)
        if args.command == "new":
            return _new(args, project)
        if args.command == "import":
            from .wordimport import import_docx

            into = Path(os.path.abspath(args.into)) if args.into is not None else None
            return import_docx(Path(os.path.abspath(args.docx)), args.lang, into, project,
                               args.dry_run, print)
        if args.command == "watch":
            return _watch(args, project)
        if args.command == "serve":
            return _serve(args, project)
        return _build(args, project)
    except HandbillError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        return error.exit_code
    except SystemExit as exit_:
        print(exit_.code, file=sys.stderr)
        return 2


def _build(args, project: Path) -> int:
    from .worker import early

    out = Path(os.path.abspath(args.out)) if args.out is not None else None
    data = Path(os.path.abspath(args.data)) if args.data is not None else None
    options = _document_options(args, project, out=out, jobs=args.jobs, data=data,
                                scheduler=args.scheduler)
    # A first build forks its render worker now, before importing the rest of
    # handbill: the worker's WeasyPrint import overlaps all of that. (On a Dask
    # cluster, the cluster's workers render.)
    workers = early(options.out_dir) if (options.jobs is None or options.jobs >= 1) \
        and options.scheduler is None else None
    if workers is not None:  # and jieba's dictionary loads in a process of its own
        from .segmenter import start

        start()
    shown: list = []
    try:
        from .builder import build
        from .report import Progress, print_summary, write_report

        def progress(total: int) -> Progress:
            shown.append(Progress(total, project))
            return shown[0]

        report = build(_absolute(args.paths), options, progress, workers)
    finally:
        for bar in shown:
            bar.close()
        if workers is not None:  # interrupted: the workers stop now, unwinding their tasks
            workers.close(stop=isinstance(sys.exc_info()[1], KeyboardInterrupt))
            from .segmenter import stop

            stop()
    for diagnostic in report.all_diagnostics:
        print(diagnostic.format(), file=sys.stderr)
    print_summary(report, project)
    if args.report:
        try:
            write_report(report, project, args.report)
        except HandbillError as error:
            for diagnostic in error.diagnostics:
                print(diagnostic.format(), file=sys.stderr)
            return 1
    return 1 if report.failed else 0


def _check(args, project: Path) -> int:
    from .checker import check, failed, findings_json

    options = _document_options(args, project, data=Path(os.path.abspath(args.data))
                                if args.data is not None else None)
    from .registry import skippable

    skip = skippable(args.skip)
    paths = _absolute(args.paths)
    findings = [f for f in check(paths, options) if f.code not in skip]
    if args.fix:
        from .punctuation import fix_files

        fixed, unfixed = fix_files(findings, project)
        for shown, count in fixed:
            print(f"fixed {count} punctuation mark{'s' if count != 1 else ''} in "
                  f"{printable(shown)}", file=sys.stderr)
        findings = [f for f in check(paths, options) + unfixed
                    if f.code not in skip]
    if args.format == "json":
        print(findings_json(findings, args.strict))
    else:
        for finding in findings:
            print(finding.format())
        errors = sum(f.severity == "error" for f in findings)
        warnings = sum(f.severity == "warning" for f in findings)
        sys.stdout.flush()  # the findings first, then the count, when both go to one place
        print(f"{plural(errors, 'error')}, {plural(warnings, 'warning')}", file=sys.stderr)
    return 1 if failed(findings, args.strict) else 0


def _new(args, project: Path) -> int:
    from .scaffold import new_bundle

    languages = tuple(t.strip() for t in args.languages.split(",")) if args.languages else None
    folder = new_bundle(project, args.name, title_en=args.title_en, title_zh=args.title_zh,
                        languages=languages)
    shown = printable(_from_here(folder))  # as it is named from here, for the commands below
    command = command_name()
    files = sorted((p.name for p in folder.glob("*.md")), key=lambda n: (n != "en.md", n))
    listed = " and ".join([", ".join(files[:-1]), files[-1]] if len(files) > 1 else files)
    print(f"created {shown}: write the text in {listed}, then run:\n"
          f"  {command} check {shown}\n"
          f"  {command} build {shown}")
    activate = Path(sys.executable).parent / "activate"
    if command != "handbill" and activate.is_file():
        print(f"({command} is the handbill of the virtual environment make created; after "
              f"'. {_from_here(activate)}' in this shell it is simply: handbill)")
    return 0


def _from_here(path: Path) -> str:
    """PATH as the current folder names it: relative, unless that climbs more than two
    folders up (then absolute)."""
    relative = os.path.relpath(path)
    return relative if Path(relative).parts[:3].count("..") < 3 else str(path)


def _watch(args, project: Path) -> int:
    from .builder import build
    from .watch import watch

    from .builder import _check_options
    from .engine import load

    options = BuildOptions(project=project, layout=args.layout, jobs=1)
    _check_options(options)  # a misused command (--layout handuot) stops here, exit 2
    load()  # once: every rebuild then renders in this process, with no start-up to pay

    def rebuild(changed: set[Path]) -> int:
        try:
            report = build(_absolute(args.paths), options)
        except HandbillError as error:
            for diagnostic in error.diagnostics:
                print(diagnostic.format(), file=sys.stderr)
            return error.exit_code
        for output in report.outputs:
            if output.status == "built":
                for path, pages, size in output.files:
                    print(f"wrote {printable(display_path(path, project))} "
                          f"({plural(pages, 'page')})")
        for diagnostic in report.all_diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        sys.stdout.flush()
        print(watching_line(report, project), file=sys.stderr)
        return 1 if report.failed else 0

    if rebuild(set()) == 2:  # a PATH that is not there, or no bundle: nothing to watch for
        return 2
    watch([p for p in watched_sources(project) if p.exists()], rebuild,
          out_dir=options.out_dir)
    return 0


def watched_sources(project: Path) -> list[Path]:
    """What watch and serve watch: every source a document is made from."""
    return [project / name for name in ("content", "layouts", "fonts", "site.yaml", "assets")]


def _serve(args, project: Path) -> int:
    from .builder import _check_options, find_bundle_dirs
    from .engine import load
    from .preview import Preview
    from .serve import serve

    if not 0 <= args.port <= 65535:
        from .errors import Diagnostic, UsageError

        raise UsageError(Diagnostic("handbill", None, f"--port takes 0 to 65535, not {args.port}"))
    options = BuildOptions(project=project, layout=args.layout, jobs=1)
    _check_options(options)  # a misused command stops here, exit 2
    paths = _absolute(args.paths)
    find_bundle_dirs(paths, project)  # no bundle there: exit 2 before anything listens
    load()  # once: every rebuild then renders in this process
    return serve(Preview(options, paths), watched_sources(project), args.host, args.port)


def watching_line(report, project: Path) -> str:
    """What watch says after each build: the outputs counted as the summary counts them."""
    from .report import rows

    return (f"watching for changes ({plural(len(rows(report, project)), 'output')}, "
            f"{'failed' if report.failed else 'ok'})")


def _list_layouts(project: Path) -> int:
    from .layouts import list_layouts

    for layout in list_layouts(project):  # a project's texts, shown one line each
        print(printable(f"{layout.name}: {layout.description}  "
                        f"[{display_path(layout.path, project)}]"))
        for option in layout.options.values():
            takes = option.takes()
            kind = f"{option.kind}: {takes}" if takes else option.kind
            print("    " + printable(f"{option.name}={option.default} ({kind})  "
                                     f"{option.description}"))
    return 0


def _list_fonts(project: Path, layout_name: str) -> int:
    from .errors import UsageError
    from .fonts import describe_face, plan_fonts
    from .layouts import find_layout

    layout = find_layout(layout_name, project)
    if layout is None:
        from .builder import unknown_layout

        raise UsageError(unknown_layout("handbill", None, layout_name, project, "--layout"))
    plan = plan_fonts(project, layout)
    for lang, chain in plan.chains.items():  # names from fonts.yaml and the fonts' own tables
        print(printable(f"{lang}: {' > '.join(chain)}"))
    for family, faces in plan.faces.items():
        print(f"\n{printable(family)}")
        for face in faces:
            info = describe_face(face)
            print("  " + printable(f"{face.weight} {face.style:<7} "
                                   f"{display_path(face.path, project)} [{face.origin}]"))
            print("      " + printable(f"version {info['version']}, {info['glyphs']:,} glyphs, "
                                       f"licence: {info['licence']}"))
    return 0


def _terminated(signum, frame):
    raise KeyboardInterrupt  # unwinds like Ctrl-C: temporary files are removed on the way


def main() -> int:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    try:
        code = run(sys.argv[1:])
        if "weasyprint" not in sys.modules:
            # Nothing here holds a file that only a collection would delete (the
            # fonts WeasyPrint copies live in workers): skip the full garbage
            # collection Python makes on its way out, 20 ms of a one-handout build.
            import gc

            gc.freeze()
        return code
    except KeyboardInterrupt:
        print("handbill: interrupted; finished PDFs are complete, none is half-written",
              file=sys.stderr)
        return 130
    except BrokenPipeError:  # `handbill fonts | head`: the reader has all it wanted
        sys.stderr.close()
        return 0
