"""The adversarial corpus: hostile and careless input, one case a file in tests/adversarial/cases/.

Each case starts from a copy of tests/adversarial/project (a small, real bilingual
handout with a site.yaml), beside a folder ``outside/`` holding files that carry
a marker string (a Markdown text, YAML, a CSL style, CSL-JSON, BibTeX, SVG, CSS,
a template, a "font"). A case changes the project, runs one or more commands,
and says exactly what must come of it: the exit code and the diagnostic lines,
each with its file:line. Every step of every case also checks what must always
hold:

- no traceback, and every line on stderr is one handbill writes (a diagnostic,
  its hint, a progress line), so nothing forged gets through;
- the marker is in no output (PDF text or bytes, JSON report) and in no message;
- every link annotation of every PDF written is http(s), mailto or tel, and no
  PDF names a path of the build machine.

The format of a case file is described in tests/adversarial/README.md.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from contextlib import chdir, redirect_stderr, redirect_stdout
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import yaml

from handbill.cli import run

HERE = Path(__file__).parent / "adversarial"
CASES = sorted((HERE / "cases").glob("*.yaml"))
MARKER = "OUTSIDE-SECRET-7f3a"

#: The lines handbill writes on stderr (anything else is a traceback or a forgery).
_LINES = re.compile(
    r"(?:\S.*?(?::\d+(?::\d+)?)?: (?:error|warning|note): .+ \[[a-z0-9-]+\]"  # a diagnostic
    r"|  hint: .+"
    r"|(?:wrote|up to date|failed) \S.*"  # progress, in a log
    r"|\d+ errors?, \d+ warnings?"  # handbill check's count
    r"|handbill: interrupted; .+)")
#: Link schemes a PDF may carry (README, "Accessible, archivable, safe").
_SCHEMES = ("http:", "https:", "mailto:", "tel:")


def _outside(folder: Path) -> None:
    """Files outside the project, each carrying the marker where it would be printed."""
    folder.mkdir()
    csl = (Path(__file__).parents[1] / "src" / "handbill" / "assets" / "csl" /
           "nlm-citation-sequence.csl").read_text(encoding="utf-8")
    bibliography = csl.index("<layout", csl.index("<bibliography"))
    end = csl.index(">", bibliography) + 1
    files = {
        "secret.md": f"## Secret\n\n{MARKER} root:x:0:0:root:/root:/bin/bash\n",
        "secret.txt": f"{MARKER} root:x:0:0:root:/root:/bin/bash\n",
        "secret.yaml": f"title: {{en: {MARKER}, zh-Hans: {MARKER}}}\ndate: 2025-01-01\n"
                       f"organisation: {MARKER}\nen: {{references: {MARKER}}}\n",
        "secret.csl": csl[:end] + f'<text value="{MARKER} "/>' + csl[end:],
        "broken.csl": f"<style>\n{MARKER} <unclosed\n",
        "secret.json": json.dumps([{"id": "guide2024", "type": "report", "title": MARKER,
                                    "issued": {"date-parts": [[2024]]}}]),
        "secret.bib": f"@report{{guide2024,\n  title = {{{MARKER}}},\n  year = {{2024}}\n}}\n",
        "secret.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">'
                      f'<text x="0" y="20">{MARKER}</text></svg>',
        "secret.css": f'.body::before {{ content: "{MARKER}" }}\n',
        "secret.html.j2": f"<p>{MARKER}</p>\n",
        "secret.ttf": f"{MARKER} this is not a font\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "bundle").mkdir()
    for name in ("meta.yaml", "en.md", "zh-Hans.md", "references.yaml"):
        shutil.copy(HERE / "project" / "content" / "leaflet" / name, folder / "bundle" / name)
    (folder / "bundle" / "en.md").write_text(files["secret.md"], encoding="utf-8")


def _expand(value, places: dict):
    if isinstance(value, str):
        for name, place in places.items():
            value = value.replace("{" + name + "}", str(place))
        return value
    if isinstance(value, list):
        return [_expand(v, places) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, places) for k, v in value.items()}
    return value


def _apply(action: dict, project: Path) -> None:
    """One change of a case's setup (see the README for each kind)."""
    (kind, argument), = action.items()
    if kind == "write":
        for name, text in argument.items():
            path = project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                path.unlink()
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
    elif kind == "append":
        for name, text in argument.items():
            with (project / name).open("a", encoding="utf-8") as file:
                file.write(text)
    elif kind == "replace":
        for name, (old, new) in argument.items():
            path = project / name
            text = path.read_text(encoding="utf-8")
            assert old in text, (name, old)
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
    elif kind == "symlink":
        for name, target in argument.items():
            path = project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink() or path.is_file():
                path.unlink()
            path.symlink_to(target)
    elif kind == "remove":
        for name in argument:
            path = project / name
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    elif kind == "mkdir":
        for name in argument:
            (project / name).mkdir(parents=True, exist_ok=True)
    elif kind == "mknod":  # a character device of our own (never the machine's /dev/full)
        if os.geteuid() != 0:
            pytest.skip("making a device takes root (CI runs as root)")
        for name, (major, minor) in argument.items():
            os.mknod(project / name, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    elif kind == "mkfifo":
        for name in argument:
            path = project / name
            if path.exists():
                path.unlink()
            os.mkfifo(path)
    elif kind == "truncate":  # every file of a folder (or one file) cut to SIZE bytes
        for name, size in argument.items():
            path = project / name
            for file in sorted(path.iterdir()) if path.is_dir() else [path]:
                with file.open("r+b") as handle:
                    handle.truncate(min(size, file.stat().st_size))
    elif kind == "garble":  # every file of a folder (or one file): same size, other bytes
        for name in argument:
            path = project / name
            for file in sorted(path.iterdir()) if path.is_dir() else [path]:
                data = bytearray(file.read_bytes())
                for i in range(0, len(data), 97):
                    data[i] ^= 0x5A
                file.write_bytes(bytes(data))
    elif kind == "python":  # a generator for inputs too large to write out
        exec(argument, {"project": project, "Path": Path, "json": json, "os": os})
    else:
        raise AssertionError(f"unknown setup action {kind!r}")


def _run(project: Path, args: list[str], separate: bool = False) -> tuple[int, str, str]:
    """handbill ARGS on PROJECT: in this process, or in one of its own (SEPARATE), as a
    shell would run it (for what writes to the process's own stdout, /dev/stdout)."""
    if separate:
        done = subprocess.run([sys.executable, "-m", "handbill", "--project", str(project), *args],
                              capture_output=True, text=True, timeout=300, cwd=project)
        return done.returncode, done.stdout, done.stderr
    out, err = io.StringIO(), io.StringIO()
    with chdir(project), redirect_stdout(out), redirect_stderr(err):
        code = run(["--project", str(project), *args])
    return code, out.getvalue(), err.getvalue()


def _pdf_text(path: Path) -> str:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _check_pdf(path: Path, project: Path) -> None:
    """What every PDF handbill writes must hold, whatever went into it."""
    data = path.read_bytes()
    assert data.rstrip().endswith(b"%%EOF"), f"{path} is cut short"
    reader = pypdf.PdfReader(path)
    # Every object, every stream decompressed (qpdf's QDF form): nothing hides in a stream.
    plain = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", "--decode-level=all",
                            str(path), "-"], capture_output=True, check=True).stdout
    for where in (data, plain, _pdf_text(path).encode()):
        assert MARKER.encode() not in where, f"the outside marker is in {path}"
        assert str(project).encode() not in where, f"{path} names the build machine's path"
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and action.get_object().get("/S") == "/URI":
                uri = str(action.get_object()["/URI"])
                assert uri.startswith(_SCHEMES), f"{path} links to {uri}"


def _files(project: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted(project.rglob("*")):
        if path.is_file() and not path.is_symlink() and ".cache" not in path.parts:
            found[path.relative_to(project).as_posix()] = path.read_bytes()
    return found


def _step(step: dict, project: Path, places: dict, number: int) -> None:
    step = _expand(step, places)
    for action in step.get("setup", []):
        _apply(action, project)
    kept = {name: (project / name).read_bytes() for name in step.get("unchanged", [])}
    before = _files(project)
    code, out, err = _run(project, step["run"], step.get("subprocess", False))
    where = f"step {number}: handbill {' '.join(step['run'])}\n--- stderr:\n{err}--- stdout:\n{out}"
    assert "Traceback" not in err + out, where
    assert code == step.get("exit", 0), where
    # handbill check prints its findings on stdout; they are held to the same rules.
    lines = err.splitlines() + (out.splitlines() if step["run"][0] == "check" else [])
    for expected in step.get("stderr", []):
        assert expected in lines, f"missing line: {expected}\n{where}"
    for unwanted in step.get("stderr-not", []):
        assert unwanted not in err, f"unwanted: {unwanted}\n{where}"
    if not step.get("argparse"):
        for line in lines:
            assert _LINES.fullmatch(line), f"a line handbill does not write: {line!r}\n{where}"
    for expected in step.get("stdout", []):
        assert expected in out, f"missing on stdout: {expected}\n{where}"
    assert MARKER not in err + out, f"the outside marker leaked into a message\n{where}"
    for name, data in kept.items():
        assert (project / name).read_bytes() == data, f"{name} changed\n{where}"
    after = _files(project)
    written = [n for n, data in after.items() if before.get(n) != data]
    leftovers = [n for n in after if re.search(r"(^|/)\.[^/]*\.tmp$", n)]
    assert not leftovers, f"temporary files left: {leftovers}\n{where}"
    for name in written:
        if name.endswith(".pdf"):
            _check_pdf(project / name, project)
        else:
            assert MARKER.encode() not in after[name], f"the marker is in {name}"
    if step.get("pdf") == "none":
        assert not [n for n in written if n.endswith(".pdf")], f"a PDF was written\n{where}"
    for name in step.get("built", []):
        assert name in written, f"{name} was not written\n{where}"
    for name, texts in (step.get("pdf-text") or {}).items():
        text = " ".join(_pdf_text(project / name).split())
        for expected in texts:
            assert expected in text, f"{expected!r} not printed in {name}\n{where}"
    for name, fields in (step.get("pdf-metadata") or {}).items():
        metadata = pypdf.PdfReader(project / name).metadata
        for key, value in fields.items():
            assert metadata.get(f"/{key}") == value, (name, key, metadata)
    for name in step.get("same-as-clean-build", []):
        _same_as_clean(project, name, step["run"])
    for name, kind in (step.get("still") or {}).items():
        mode = os.lstat(project / name).st_mode
        assert {"symlink": stat.S_ISLNK, "fifo": stat.S_ISFIFO,
                "chardev": stat.S_ISCHR}[kind](mode), (name, kind)


def _same_as_clean(project: Path, name: str, args: list[str]) -> None:
    """NAME is byte for byte what a build from nothing (no cache, no output) makes."""
    clean = project.parent / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(project, clean, symlinks=True,
                    ignore=shutil.ignore_patterns(".cache", "out"))
    code, _, err = _run(clean, [a for a in args if not a.startswith("--report")])
    assert code == 0, err
    assert (project / name).read_bytes() == (clean / name).read_bytes(), \
        f"{name} differs from a clean build's"


@pytest.mark.weasyprint_logs
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_adversarial_case(case: Path, tmp_path: Path):
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    assert spec.get("about"), f"{case.name} says what it tries"
    project = tmp_path / "project"
    shutil.copytree(HERE / "project", project)
    _outside(tmp_path / "outside")
    import handbill

    places = {"outside": tmp_path / "outside", "project": project, "marker": MARKER,
              "handbill": Path(handbill.__file__).resolve().parent}
    steps = spec.get("steps") or [{k: v for k, v in spec.items() if k not in ("about", "class")}]
    for number, step in enumerate(steps, 1):
        _step(step, project, places, number)


def test_the_corpus_is_large_and_covers_every_class():
    """At least 40 cases (issue 12), each naming its class; every class 1-8 has some."""
    classes = {}
    for case in CASES:
        spec = yaml.safe_load(case.read_text(encoding="utf-8"))
        classes.setdefault(spec.get("class"), []).append(case.stem)
    assert len(CASES) >= 40
    assert set(classes) >= {1, 2, 3, 4, 5, 6, 8, "new"}, sorted(map(str, classes))


def test_the_base_project_builds_cleanly(tmp_path: Path):
    """The cases' starting point is itself fine: built with no finding at all."""
    project = tmp_path / "project"
    shutil.copytree(HERE / "project", project)
    code, out, err = _run(project, ["check"])
    assert code == 0 and err.strip() == "0 errors, 0 warnings", err
    code, out, err = _run(project, ["build"])
    assert code == 0, err
    _check_pdf(project / "out" / "leaflet" / "handout.pdf", project)
    text = " ".join(_pdf_text(project / "out" / "leaflet" / "handout.pdf").split())
    assert "Rest your arm on a table at heart level." in text
    assert "把手臂放在桌上，与心脏同高。" in text
