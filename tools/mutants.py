"""A mutation check of the test suite: does a change a reader would notice fail a test?

    .venv/bin/python tools/mutants.py [--only NAME ...] [--list] [--jobs N]   (make mutants)

Each mutation below is one hand-written change to the code (or a layout) that decides
what a handout prints or how safely it is made: the Han-Latin gap gone, compression on
the wrong mark, a symlink followed out of the project, a PDF written in place, a warning
not collected, a language not tagged... Each is applied, alone, to a copy of the project
(never to the working tree), and the tests named for it run there (PYTHONPATH puts the
copy's src/ first, for worker processes too). A mutation is *killed* when a test fails,
*survives* when they all pass. A mutation whose text is no longer in its file is
*stale*: the list needs updating, and the run fails.

The run ends with the table and the survivors; it exits 1 when more than 10% survive
(issue 18's bar) or any mutation is stale. It is not part of ``make test`` (it takes
several minutes); run it before resolving an issue that touches these modules.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: What is copied for the mutated project (src/ with its fonts, the tests and their data).
COPIED = ["src", "tests", "layouts", "content", "assets", "site.yaml", "pyproject.toml",
          "README.md", "docs", "bench", "tools", "Makefile", "constraints.txt"]


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    old: str
    new: str
    what: str  # what a reader would notice
    tests: tuple[str, ...]


def M(name, file, old, new, what, *tests):  # noqa: N802 - a table's row
    return Mutation(name, file, old, new, what, tests)


T = "tests/"
MUTATIONS = [
    # ---- typography: what a Chinese line looks like
    M("no-han-latin-gap", "src/handbill/typography.py",
      'return _GAP.sub(" ", text)', "return text",
      "no gap between Chinese and Latin letters or digits", T + "test_typesetting.py"),
    M("compression-on-opening", "src/handbill/typography.py",
      "        if first in CLOSING:\n", "        if first in OPENING:\n",
      "punctuation compression applied to the wrong mark",
      T + "test_typesetting.py::test_adjacent_chinese_marks_are_compressed_in_the_pdf_and_lone_"
      "ones_are_not"),
    M("no-tail-kept", "src/handbill/typography.py", "TAIL = 4", "TAIL = 0",
      "a Chinese paragraph may end with a line of one character", T + "test_typesetting.py"),
    M("words-split", "src/handbill/typography.py", "MAX_WORD = 6", "MAX_WORD = 2",
      "a Chinese word in a heading breaks across lines", T + "test_typesetting.py"),
    M("no-latin-runs", "src/handbill/typography.py",
      'return [(m.start(), m.end(), "latin") for m in _LATIN_RUN.finditer(text)]', "return []",
      "English words in Chinese text set in the CJK font (wide apostrophes)",
      T + "test_typesetting.py"),
    M("units-split-in-english", "src/handbill/typography.py",
      "        return _nest(text, _keeps(text))", "        return _nest(text, [])",
      "70 mg/dL may break between the number and its unit", T + "test_typesetting.py"),
    # ---- markdown: what the text becomes
    M("lists-start-at-one", "src/handbill/markdown.py",
      'token.attrSet("style", f"counter-reset: list-item {int(start.group(1)) - 1}")',
      "pass", "a numbered list that starts at 4 prints 1.",
      T + "test_panels.py::test_markdown_steps_that_start_at_a_number_print_it"),
    M("raw-lists-start-at-one", "src/handbill/markdown.py",
      "    return _OL_TAG.sub(numbered, html)", "    return html",
      "an author's <ol start=4> prints 1.",
      T + "test_panels.py::test_markdown_steps_that_start_at_a_number_print_it"),
    M("no-source-lines", "src/handbill/markdown.py",
      'token.attrSet("data-src", f"{name}:{token.map[0] + 1}-{token.map[1]}")', "pass",
      "an overflow is not located at its line", T + "test_gate.py", T + "test_panels.py"),
    M("nesting-unchecked", "src/handbill/markdown.py",
      "    problems += _nesting_problems(tokens, shown)\n", "",
      "text nested too deep vanishes without an error", T + "test_safety.py"),
    # ---- coverage: tofu
    M("coverage-ignores-css-content", "src/handbill/coverage.py",
      'elif rule.type == "declaration" and rule.lower_name == "content":',
      'elif rule.type == "declaration" and rule.lower_name == "no-content":',
      "a layout's CSS content: text in a missing glyph prints as a box",
      T + "test_fonts.py", T + "test_characters.py"),
    M("coverage-no-case-forms", "src/handbill/coverage.py",
      "        found |= {v for c in list(found) for v in (c.upper(), c.lower()) if len(v) == 1}\n",
      "", "text-transform: uppercase prints a letter no font has", T + "test_fonts.py",
      T + "test_characters.py"),
    M("coverage-all-covered", "src/handbill/coverage.py",
      "        gaps = sorted(c for c in wanted if ord(c) not in covered)",
      "        gaps = []", "an uncovered character prints as a box", T + "test_gate.py",
      T + "test_fonts.py", T + "test_characters.py"),
    # ---- fetcher and resources: what WeasyPrint may read
    M("fetcher-follows-links-out", "src/handbill/resources.py",
      "        path = Path(unquote(urlsplit(url).path)).resolve()\n",
      "        path = Path(unquote(urlsplit(url).path))\n",
      "a symlink in the project leads WeasyPrint to any file", T + "test_fetcher.py"),
    M("fetcher-any-size", "src/handbill/resources.py",
      "    if path.stat().st_size > MAX_FILE_BYTES:", "    if False:",
      "a huge file is read into the PDF", T + "test_fetcher.py"),
    M("fetcher-path-kept", "src/handbill/fetcher.py",
      "        return _Fetched(served, body=body", "        return URLFetcherResponse(served, body=body",
      "an image file swapped after layout prints its new content", T + "test_fetcher.py"),
    M("fetcher-no-image-check", "src/handbill/resources.py",
      "        problem = raster_problem(body)\n        if problem is not None:",
      "        problem = None\n        if problem is not None:",
      "an image bomb is decoded", T + "test_fetcher.py"),
    # ---- pdf: what is refused after rendering
    M("warnings-not-collected", "src/handbill/pdf.py",
      "            self.messages.append(message)\n", "            pass\n",
      "an image that failed to load leaves a hole, silently", T + "test_gate.py",
      T + "test_safety.py", T + "test_adversarial.py"),
    M("font-fallback-unchecked", "src/handbill/pdf.py",
      "            if not name.partition(\"+\")[2].startswith(ours):",
      "            if False:", "text in a font the layout does not name (tofu risk)",
      T + "test_fonts.py", T + "test_gate.py"),
    M("links-unchecked", "src/handbill/pdf.py",
      "        problems.extend(link_problems(pdf, source))\n", "",
      "a PDF links to a file: or javascript: address", T + "test_safety.py",
      T + "test_adversarial.py", T + "test_gate.py"),
    M("no-output-intent", "src/handbill/pdf.py",
      "            _add_output_intent(pdf, output_profile, project)", "            pass",
      "a PDF/X-4 without the print shop's profile", T + "test_print_layouts.py",
      T + "test_accessibility.py"),
    # ---- tagging: screen readers
    M("no-lang-on-structure", "src/handbill/tagging.py",
      '                child["Lang"] = pydyf.String(lang)', "                pass",
      "a screen reader reads Chinese with an English voice", T + "test_accessibility.py"),
    M("bibliography-untagged", "layouts/_partials/references.html.j2",
      'id="ref-{{ section.lang }}-{{ entry.id }}" lang="{{ entry.lang }}"',
      'id="ref-{{ section.lang }}-{{ entry.id }}"',
      "an English reference in the Chinese list read with a Chinese voice",
      T + "test_accessibility.py::test_each_reference_is_tagged_in_its_own_language"),
    # ---- citations
    M("citation-links-unscoped", "src/handbill/citations.py",
      """    return re.sub(r'href="#ref-', f'href="#ref-{lang}-', html)""",
      "    return html", "a Chinese citation jumps to the English reference list",
      T + "test_citations.py", T + "test_accessibility.py"),
    M("entries-in-foreign-terms", "src/handbill/citations.py",
      '            foreign[1].get(key, entry) if not profile.writes(languages.get(key, "en")) '
      "else entry",
      "            entry", "an English reference in the Chinese list says 等 for et al.",
      T + "test_citations.py"),
    # ---- impose: a booklet a print shop folds
    M("booklet-back-cover-inside", "src/handbill/impose.py",
      "            return pages - 1  # the back cover, last",
      "            return None", "the booklet's back cover is lost",
      T + "test_print_layouts.py", T + "test_impose.py"),
    M("booklet-pairs-swapped", "src/handbill/impose.py",
      "    return [((page(total - 2 * s), page(2 * s + 1)), (page(2 * s + 2), "
      "page(total - 2 * s - 1)))",
      "    return [((page(2 * s + 1), page(total - 2 * s)), (page(2 * s + 2), "
      "page(total - 2 * s - 1)))",
      "a folded booklet's pages out of order", T + "test_print_layouts.py", T + "test_impose.py"),
    # ---- incremental: a cache is a copy
    M("manifest-trusts-files", "src/handbill/incremental.py",
      "                if path.stat().st_size != size or file_sha256(path) != sha256:",
      "                if path.stat().st_size != size:",
      "an edited PDF of the same size counts as up to date",
      T + "test_adversarial.py::test_adversarial_case[3-pdf-changed-same-size]",
      T + "test_incremental.py"),
    M("manifest-ignores-key", "src/handbill/incremental.py",
      '        if entry is None or entry["key"] != key:', "        if entry is None:",
      "an edit of the text does not rebuild the PDF", T + "test_incremental.py",
      T + "test_build.py"),
    # ---- writing: never a half-written PDF
    M("write-in-place", "src/handbill/writing.py",
      "        os.replace(tmp, path)",
      "        path.write_bytes(open(tmp, 'rb').read()); os.unlink(tmp)",
      "a failed write leaves a half-written PDF where the old one was",
      T + "test_writing.py"),
    M("private-not-private", "src/handbill/writing.py",
      "        os.chmod(tmp, 0o600 if private else 0o644)", "        os.chmod(tmp, 0o644)",
      "a patient's handout readable by every user of the machine", T + "test_writing.py",
      T + "test_personalise.py"),
    # ---- personal data and rows
    M("row-values-as-markup", "src/handbill/personalise.py",
      "        out = typeset(text, han)\n",
      "        out = text\n",
      "a patient's name with <b> prints bold (values as markup)", T + "test_personalise.py"),
    M("duplicate-ids-allowed", "src/handbill/rows.py",
      "    elif row.id.lower() in seen:", "    elif False:",
      "two patients' handouts written to one folder", T + "test_personalise.py"),
    M("row-control-chars-allowed", "src/handbill/rows.py",
      '                    and c not in "\\t") or "\\u202a" <= c <= "\\u202e" or '
      '"\\u2066" <= c <= "\\u2069"),',
      '                    and c not in "\\t") and False),',
      "a value with a bidi override reorders the printed text", T + "test_personalise.py"),
    M("xlsx-dates-as-text", "src/handbill/spreadsheet.py",
      "    if isinstance(value, (datetime.date, datetime.datetime)):\n        return \"a date\"",
      "    if False:\n        return \"a date\"",
      "an Excel date prints as 2026-12-03 00:00:00", T + "test_personalise.py"),
    M("xlsx-zip-unchecked", "src/handbill/spreadsheet.py",
      '    check_zip(data, shown, "Excel workbook", ".xls", _HINT)', "    pass",
      "a zip bomb or a password-protected workbook reaches calamine",
      T + "test_personalise.py"),
    M("docx-zip-unchecked", "src/handbill/wordimport.py",
      '    check_zip(data, shown, "Word document", ".doc", _HINT, code="file")', "    pass",
      "a zip bomb or a password-protected document reaches mammoth", T + "test_import.py"),
    # ---- cluster: the same bytes, nothing read on a worker
    M("cluster-files-resent", "src/handbill/cluster.py",
      "            if sha not in self.futures:", "            if True:",
      "every task ships the fonts again", T + "test_cluster.py"),
    M("cluster-stale-cache", "src/handbill/resources.py",
      "    return tuple((s.st_size, s.st_mtime_ns, s.st_ino, s.st_dev) for s in (own, led))",
      "    return 1", "an edited file is sent to the cluster as it was",
      T + "test_cluster.py"),
    M("cluster-no-discovery", "src/handbill/cluster.py",
      "            if sent.rounds < MAX_ROUNDS:\n                sent.rounds += 1\n"
      "                send(sent)\n                return None",
      "            if False:\n                pass",
      "an SVG's image missing from the cluster's PDF", T + "test_cluster.py"),
    # ---- import from Word
    M("import-headings-not-moved", "src/handbill/wordimport.py",
      '            heading.name = f"h{min(level + 1, 6)}"', "            pass",
      "Word's Heading 1 becomes a second title", T + "test_import.py"),
    M("import-todo-alt-accepted", "src/handbill/checks.py",
      "                if alt and not alt.startswith(TODO_ALT):", "                if alt:",
      "an imported image prints with 'TODO' as its alt text", T + "test_import.py"),
    M("import-comments-silent", "src/handbill/wordimport.py",
      '    ("w:commentReference", "comments (not imported)"),\n', "",
      "a reviewer's comment dropped without a word", T + "test_import.py"),
    # ---- guard: the project's edge
    M("guard-open-follows-links", "src/handbill/guard.py",
      "        if _kind(info.st_mode) or (opened is not None and not _inside(opened,",
      "        if _kind(info.st_mode) or (opened is not None and False and not _inside(opened,",
      "a folder swapped for a link out while a file in it is opened: the file is read",
      T + "test_writing.py"),
    # ---- marks: what a print shop trims on
    M("no-crop-marks", "src/handbill/marks.py", "def draw(", "def _unused_draw(",
      "crop marks missing from a print PDF", T + "test_print_layouts.py"),
    M("no-registration-marks", "src/handbill/marks.py",
      "    r, half = 1.2 * MM,", "    r, half = 0.6 * MM,", "registration marks drawn too small", T + "test_print_layouts.py"),
    # ---- this session's defects, each back once
    M("cluster-limit-from-send", "src/handbill/cluster.py",
      "            since = max(sent.sent_at, moved[0]) if start is None else start\n",
      "            since = sent.sent_at\n",
      "a patient's row waiting behind others on the cluster is cancelled, its PDF missing",
      T + "test_cluster.py::test_the_time_limit_counts_a_render_not_its_wait_behind_others"),
    M("rows-fifo-opened", "src/handbill/rows.py",
      "    refusal = guard.refusal(path, root, guard.Named(root, None, \"data file\", str(path)))",
      "    refusal = guard.outside(path, root, guard.Named(root, None, \"data file\", str(path)))",
      "a FIFO named as --data is opened (the build waits on it)",
      T + "test_inputs_guarded.py::test_a_fifo_named_as_the_data_file_is_refused_not_waited_on"),
    M("preview-shared-errors-hidden", "src/handbill/assets/serve/index.html",
      "{% set shared = snapshot.problems + snapshot.shared %}",
      "{% set shared = snapshot.problems %}",
      "a broken site.yaml shows in the preview's index only as a count on each handout",
      T + "test_serve.py::test_a_broken_site_or_meta_yaml_is_shown_where_it_is_until_it_is_fixed"),
    M("page-fill-by-first-line", "src/handbill/pages.py",
      "next((line for line in held if line.source is not None), held[0])", "held[0]",
      "a page left over is said where the body mentions the clinic, mid-paragraph",
      T + "test_command_paths.py::test_a_page_left_over_is_located_where_its_text_starts"),
]


def _copy(target: Path) -> None:
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.exists():
            shutil.copy2(source, target / name)


def _apply(root: Path, mutation: Mutation) -> str | None:
    """Apply MUTATION in ROOT; the original text of its file, or None if stale."""
    path = root / mutation.file
    text = path.read_text(encoding="utf-8")
    if text.count(mutation.old) != 1:
        return None
    path.write_text(text.replace(mutation.old, mutation.new), encoding="utf-8")
    return text


def run_one(root: Path, mutation: Mutation, python: str) -> tuple[str, float, str]:
    """(killed, survived or stale; seconds; the last lines of the test run)."""
    original = _apply(root, mutation)
    if original is not None:
        for compiled in (root / mutation.file).parent.glob(
                f"__pycache__/{Path(mutation.file).stem}.*.pyc"):
            compiled.unlink()
    if original is None:
        return "stale", 0.0, f"{mutation.old!r} is not once in {mutation.file}"
    started = time.monotonic()
    try:
        env = {**os.environ, "PYTHONPATH": str(root / "src")}
        # Test files (those that exist) and pytest's own options (-k EXPR) as given.
        tests = [t for t in mutation.tests if t.startswith("-") or (root / t.split("::")[0])
                 .exists() or not t.startswith(T)]
        result = subprocess.run([python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                 *tests], cwd=root, env=env, capture_output=True, text=True,
                                timeout=1200)
        state = "survived" if result.returncode == 0 else "killed"
        if result.returncode not in (0, 1):  # an error, not a failing test
            state = "killed" if "Error" in result.stdout else state
        tail = "\n".join(result.stdout.strip().splitlines()[-3:])
    except subprocess.TimeoutExpired:
        state, tail = "killed", "timed out (a hang is noticed)"
    finally:
        path = root / mutation.file
        path.write_text(original, encoding="utf-8")
        for compiled in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
            compiled.unlink()  # never a mutant's bytecode for the next run
    return state, time.monotonic() - started, tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", metavar="NAME", help="run these mutations only")
    parser.add_argument("--list", action="store_true", help="list the mutations and stop")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="mutations at once, each in its own copy (default 1)")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only]
    if args.list:
        for m in chosen:
            print(f"{m.name:28} {m.file:34} {m.what}")
        return 0
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="handbill-mutants-") as tmp:
        roots = []
        for i in range(max(1, args.jobs)):
            root = Path(tmp) / f"copy{i}"
            root.mkdir()
            _copy(root)
            roots.append(root)
        results: dict[str, tuple[str, float, str]] = {}
        free = list(roots)
        import threading

        lock = threading.Lock()

        def work(mutation: Mutation):
            with lock:
                root = free.pop()
            try:
                outcome = run_one(root, mutation, python)
            finally:
                with lock:
                    free.append(root)
            print(f"{outcome[0]:8} {mutation.name:28} {outcome[1]:6.1f} s", flush=True)
            return mutation.name, outcome

        with ThreadPoolExecutor(max_workers=len(roots)) as pool:
            for name, outcome in pool.map(work, chosen):
                results[name] = outcome
    killed = [n for n, r in results.items() if r[0] == "killed"]
    survived = [n for n, r in results.items() if r[0] == "survived"]
    stale = [n for n, r in results.items() if r[0] == "stale"]
    print(f"\n{len(results)} mutations: {len(killed)} killed, {len(survived)} survived, "
          f"{len(stale)} stale")
    for name in survived + stale:
        mutation = next(m for m in MUTATIONS if m.name == name)
        print(f"  {results[name][0]}: {name} ({mutation.file}): {mutation.what}\n"
              f"    {results[name][2]}")
    return 1 if stale or len(survived) > 0.1 * max(1, len(results)) else 0


if __name__ == "__main__":
    sys.exit(main())
