"""Running Pandoc, which pypandoc-binary ships: its citeproc and its BibTeX reader.

Pandoc never reaches the network or a file it was not given (run_pandoc): what it
could fetch is a CSL style (--csl, a dependent style's parent), a bibliography or
an abbreviations file (--bibliography, metadata), a locale, its data folder. So
handbill gives it every file on the command line, resolves a dependent style's
parent itself and hands over the parent's text with no <link> left (see
citations.read_style), turns YAML metadata off in the text it formats, points
its data folder and resource path at an empty folder, runs it in that folder
with --sandbox, and without proxy variables in its environment.

Its errors become located diagnostics (pandoc_error): never a Haskell exception.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import replace
from functools import lru_cache
from typing import Mapping

from .errors import ContentError, Diagnostic

#: Longest a single Pandoc run may take (seconds).
TIMEOUT = 60
#: Environment variables Pandoc is not given (its HTTP client would use a proxy).
_PROXY = re.compile(r"(?i)^(?:https?|all|no|ftp|socks)_proxy$|^PANDOC_")


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    """The pandoc that pypandoc-binary ships (found without importing pypandoc, which
    takes 40 ms), or whichever pypandoc finds."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        shipped = Path(folder) / "files" / "pandoc"
        if shipped.is_file():
            return str(shipped)
    import pypandoc

    return pypandoc.get_pandoc_path()


@lru_cache(maxsize=1)
def has_sandbox() -> bool:
    """Whether this Pandoc has --sandbox (2.15 and later)."""
    try:
        first = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True,
                               timeout=TIMEOUT, env=_environment(), check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    found = re.match(r"pandoc(?:\.exe)?\s+(\d+)\.(\d+)", first)
    return bool(found) and (int(found.group(1)), int(found.group(2))) >= (2, 15)


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not _PROXY.search(k)}


def run_pandoc(args: list[str], text: str, source: str,
               files: Mapping[str, str] | None = None) -> str:
    """Pandoc's output for TEXT (read from its standard input, which is SOURCE); its
    errors become a diagnostic on SOURCE, or on the file they name. FILES: each file
    given to Pandoc by its path here, and how a message names it."""
    with tempfile.TemporaryDirectory(prefix="handbill-pandoc-") as empty:
        confined = [f"--data-dir={empty}", f"--resource-path={empty}",
                    *(["--sandbox"] if has_sandbox() else [])]
        try:
            result = subprocess.run([pandoc_path(), *confined, *args], input=text,
                                    capture_output=True, text=True, timeout=TIMEOUT,
                                    check=False, cwd=empty, env=_environment())
        except subprocess.TimeoutExpired:
            raise ContentError(Diagnostic(source, None, f"Pandoc took more than {TIMEOUT} s",
                                          code="citation")) from None
    if result.returncode != 0:
        code = "references" if "bibtex" in args else "citation"
        problem = pandoc_error(result.stderr, result.returncode, source, dict(files or {}), code)
        if problem.path == source and problem.line is not None:  # not past the text's end
            problem = replace(problem, line=min(problem.line, text.count("\n") + 1))
        raise ContentError(problem)
    return result.stdout


#: Haskell's words in a message: exception names, call stacks, wrappers.
_HASKELL = re.compile(r"\b(?:Pandoc|Citeproc)\w*(?:Error|Exception)\b:?\s*|\bPrelude\.|"
                      r"\buser error\b\s*|\bwithBinaryFile:\s*|\bopenBinaryFile:\s*|"
                      r"\bHasCallStack\b|\bCallStack\b")


def _plain(line: str) -> str:
    """A line of Pandoc's message without Haskell's words."""
    line = re.sub(r"^pandoc(?:\.exe)?:\s*", "", line.strip())
    line = " ".join(_HASKELL.sub("", line).replace("()", "").split()).strip(" :")
    if line.startswith("(") and line.endswith(")"):  # what "user error (...)" wrapped
        line = line[1:-1].strip(" :")
    return line


def pandoc_error(stderr: str, returncode: int, source: str, files: dict[str, str],
                 code: str = "citation") -> Diagnostic:
    """What Pandoc's STDERR says, as a diagnostic at the file and line it names: SOURCE
    (what it read on its standard input) or one of FILES (path -> the name to show)."""
    text = stderr
    for path in sorted(files, key=len, reverse=True):
        text = text.replace(path, files[path])
    lines, skipping = [], False
    for line in text.splitlines():
        if re.match(r"\s*(?:HasCallStack backtrace|CallStack \(from)", line):
            break  # the rest is Haskell's call stack
        if line.startswith("[WARNING]"):
            skipping = True
            continue
        if skipping and line.startswith("  "):
            continue  # a warning's continuation
        skipping = False
        if line.strip():
            lines.append(line.rstrip())
    whole = "\n".join(lines)
    named = {shown: shown for shown in files.values()}

    def of(name: str) -> str:
        return named.get(name.strip("'\""), name.strip("'\""))

    found = re.search(r"Error at \(line (\d+), column (\d+)\):\s*\n?(.*)", whole)
    if found:  # Parsec: BibTeX (or another reader)
        what = "BibTeX does not parse" if code == "references" else "Pandoc cannot read it"
        return Diagnostic(source, int(found.group(1)), f"{what}: {_plain(found.group(3))}",
                          column=int(found.group(2)), code=code)
    found = re.search(r"YAML parse exception at line (\d+), column (\d+),?\s*(.*)", whole, re.S)
    if found:  # libyaml counts from 0
        path = re.search(r"(?:file|reading)\s+(\S+?):?\s*$", whole.split("YAML")[0], re.M)
        yaml = [shown for given, shown in files.items() if given.endswith((".yaml", ".yml"))]
        where = of(path.group(1)) if path else yaml[0] if len(yaml) == 1 else source
        detail = "; ".join(_plain(line) for line in found.group(3).splitlines() if line.strip())
        return Diagnostic(where, int(found.group(1)) + 1,
                          f"YAML does not parse: {detail}", column=int(found.group(2)) + 1,
                          code="references")
    found = re.search(r"Error reading bibliography file (.+?):\s*\n(.*)", whole, re.S)
    if found:
        detail = " ".join(_plain(line) for line in found.group(2).splitlines())
        return Diagnostic(of(found.group(1)), None, f"Pandoc cannot read the references: "
                          f"{detail}", code="references")
    found = re.search(r"UTF-8 decoding error in (.+?) at byte offset (\d+)", whole)
    if found:
        return Diagnostic(of(found.group(1)), None, "file is not valid UTF-8 (at byte "
                          f"{found.group(2)})", code=code, hint="save the file as UTF-8")
    found = (re.search(r"File (.+?) not found in resource path", whole)
             or re.search(r"Could not find data file (\S+)", whole)
             or re.search(r"^(?:pandoc:\s*)?(.+?):\s*(?:withBinaryFile|openBinaryFile|openFile)"
                          r":\s*does not exist", whole, re.M))
    if found:
        return Diagnostic(source, None, f"Pandoc could not find the file {of(found.group(1))}",
                          code=code)
    if returncode == 61 or re.search(r"HttpException|Could not fetch|HTTP", whole):
        return Diagnostic(source, None, "Pandoc tried to download a file, which handbill "
                          "does not let it do", code=code, hint="give the file in the project")
    style = next((shown for path, shown in files.items() if path.endswith(".csl")), None)
    if returncode in (4, 24) and style is not None and re.search(r"(?i)citeproc|style|csl|"
                                                                 r"element|layout", whole):
        return Diagnostic(style, None, "Pandoc's citeproc cannot read the style: "
                          f"{_plain(lines[0]) if lines else 'exit code ' + str(returncode)}",
                          code="citation")
    first = _plain(lines[0]) if lines else ""
    return Diagnostic(source, None, f"Pandoc failed (exit code {returncode})"
                      + (f": {first[:300]}" if first else ""), code=code)


@lru_cache(maxsize=1)
def _threads():
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="handbill-pandoc")


# A forked worker (which prepares the documents of a layout that measures its pages)
# inherits the pool but not its threads: it starts a pool of its own.
os.register_at_fork(after_in_child=_threads.cache_clear)


def in_background(function, *args):
    """A Future of FUNCTION(*ARGS), run in a thread: for work that mostly waits on Pandoc."""
    return _threads().submit(function, *args)


def stop_background(seconds: float = 10.0) -> None:
    """After an interrupt: cancel the Pandoc runs not started, and wait (at most SECONDS)
    for those under way, which end as their Pandoc does (it gets the same Ctrl-C), so
    that their temporary folders are removed before the process leaves."""
    import threading
    import time

    if not _threads.cache_info().currsize:  # no Pandoc run was ever started
        return
    _threads().shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + seconds
    for thread in threading.enumerate():
        if thread.name.startswith("handbill-pandoc"):
            thread.join(max(deadline - time.monotonic(), 0))
