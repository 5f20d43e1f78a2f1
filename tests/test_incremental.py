"""Incremental and parallel builds, and what a build tells people and machines."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from handbill.cli import run

from conftest import REPO, add_second_bundle, assert_same_pdfs
from pdfcheck import all_text

SCHEMA = json.loads((REPO / "docs" / "report.schema.json").read_text(encoding="utf-8"))


def _statuses(report: Path) -> dict[str, str]:
    return {o["output"]: o["status"] for o in json.loads(report.read_text())["outputs"]}


def _two_bundles(project: Path) -> None:
    shutil.copytree(project / "content" / "stem-cells-t2dm", project / "content" / "second")


def test_only_what_changed_is_rebuilt(project, tmp_path):
    _two_bundles(project)
    report = tmp_path / "report.json"
    assert run(["--project", str(project), "build", "-j", "1", "--report", str(report)]) == 0
    assert set(_statuses(report).values()) == {"built"}
    assert run(["--project", str(project), "build", "-j", "1", "--report", str(report)]) == 0
    assert set(_statuses(report).values()) == {"cached"}
    en = project / "content" / "second" / "en.md"
    en.write_text(en.read_text(encoding="utf-8").replace("Introduction", "Overview"), "utf-8")
    assert run(["--project", str(project), "build", "-j", "1", "--report", str(report)]) == 0
    assert _statuses(report) == {"out/second/handout.pdf": "built",
                                 "out/stem-cells-t2dm/handout.pdf": "cached"}
    assert run(["--project", str(project), "build", "-j", "1", "--report", str(report),
                "--option", "large-print=yes"]) == 0  # an option is an input too
    assert set(_statuses(report).values()) == {"built"}


def test_a_deleted_output_is_rebuilt(project, tmp_path):
    assert run(["--project", str(project), "build"]) == 0
    (project / "out" / "stem-cells-t2dm" / "handout.pdf").unlink()
    report = tmp_path / "report.json"
    assert run(["--project", str(project), "build", "--report", str(report)]) == 0
    assert _statuses(report) == {"out/stem-cells-t2dm/handout.pdf": "built"}


def test_noop_rebuild_does_not_import_weasyprint(project):
    assert run(["--project", str(project), "build"]) == 0
    # Nor does it start a render worker (which would import it).
    script = ("import sys; from handbill import worker; from handbill.cli import run\n"
              "started = []; grow = worker.Workers.grow_to\n"
              "worker.Workers.grow_to = lambda self, n: (started.append(n), grow(self, n))\n"
              f"code = run(['--project', {str(project)!r}, 'build'])\n"
              "print(code, 'weasyprint' in sys.modules, started)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout.splitlines()[-1] == "0 False []", result.stdout + result.stderr


def test_parallel_build_gives_the_same_bytes(project):
    add_second_bundle(project)
    assert run(["--project", str(project), "build", "-j", "1", "--out", str(project / "one")]) == 0
    assert run(["--project", str(project), "build", "-j", "2", "--out", str(project / "two")]) == 0
    assert_same_pdfs(project / "one", project / "two", 3)


def test_json_report_follows_its_schema(project, tmp_path):
    bad = project / "content" / "broken"
    shutil.copytree(project / "content" / "stem-cells-t2dm", bad)
    (bad / "zh-Hans.md").unlink()
    report = tmp_path / "report.json"
    assert run(["--project", str(project), "build", "--report", str(report)]) == 1
    data = json.loads(report.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    assert data["failed"] is True
    statuses = {o["output"]: (o["status"], o["pages"]) for o in data["outputs"]}
    assert statuses == {"out/broken/handout.pdf": ("failed", None),
                        "out/stem-cells-t2dm/handout.pdf": ("built", 4)}
    [problem] = [d for d in data["diagnostics"] if d["severity"] == "error"]
    assert problem["path"] == "content/broken/meta.yaml" and problem["line"] == 4
    assert problem["check"] == "meta"


def test_plain_progress_lines_and_summary_when_not_a_terminal(project, capsys):
    assert run(["--project", str(project), "build"]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("wrote out/stem-cells-t2dm/handout.pdf (4 pages, ")
    lines = captured.out.splitlines()
    assert lines[0].split() == ["output", "pages", "bytes", "seconds", "status"]
    assert lines[-1].startswith("1 output: 1 built, 0 up to date, 0 failed, in ")


def test_a_bundle_named_any_way_is_the_same_output(project, capsys, monkeypatch):
    """Paths are made absolute once, on the command line: the whole project, the bundle
    by its relative path, and with ./ and a trailing slash, are one output, built once."""
    monkeypatch.chdir(project)
    said = []
    for args in ([], ["content/stem-cells-t2dm"], ["./content/stem-cells-t2dm/"]):
        assert run(["build", *args]) == 0
        captured = capsys.readouterr()
        said.append((captured.err.splitlines()[0], captured.out.splitlines()[-1]))
    assert said[0][0].startswith("wrote out/stem-cells-t2dm/handout.pdf (4 pages, ")
    assert said[0][1].startswith("1 output: 1 built, 0 up to date, 0 failed, in ")
    for err, summary in said[1:]:  # nothing built again, and the same path said
        assert err.startswith("up to date out/stem-cells-t2dm/handout.pdf (4 pages, ")
        assert summary.startswith("1 output: 0 built, 1 up to date, 0 failed, in ")
    monkeypatch.chdir(project / "content")  # from inside the project: the same again
    assert run(["build", "stem-cells-t2dm/"]) == 0
    assert "0 built, 1 up to date" in capsys.readouterr().out


def _edit_keeping_stamp(path: Path, old: bytes, new: bytes) -> None:
    """Change PATH's bytes, keeping its size and modification time (as `touch -r` can)."""
    import os

    assert len(old) == len(new)
    info = path.stat()
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns


def test_files_edited_with_size_and_time_kept_are_read_again_in_the_same_process(project):
    # As in `handbill watch`: one process builds, a template and a font change under it
    # with their sizes and modification times kept, it builds again. Its PDF must be a
    # fresh process's, never the remembered template's and font's.
    from handbill.fonts import bundled_fonts_dir

    layouts = project / "layouts" / "handout"
    layouts.mkdir(parents=True)
    (layouts / "layout.yaml").write_text((REPO / "layouts" / "handout" / "layout.yaml")
                                         .read_text(encoding="utf-8"), encoding="utf-8")
    (layouts / "handout.html.j2").write_text(
        '{% extends "!builtin/handout/handout.html.j2" %}\n{% block body %}<p>Banner AAAA'
        '</p>{{ super() }}{% endblock %}\n', encoding="utf-8")
    fonts = project / "fonts"
    fonts.mkdir()
    shutil.copy(bundled_fonts_dir() / "HandbillText-Regular.ttf", fonts / "Mine.ttf")
    (project / "layouts" / "languages.yaml").write_text(
        "en:\n  fonts: [Handbill Text, Handbill Sans SC]\nzh-Hans:\n  fonts: [Handbill Sans SC, "
        "Handbill Text]\n", encoding="utf-8")
    args = ["--project", str(project), "build", "-j", "1"]
    assert run(args) == 0
    pdf = project / "out" / "stem-cells-t2dm" / "handout.pdf"
    _edit_keeping_stamp(layouts / "handout.html.j2", b"AAAA", b"BBBB")
    from fontTools.ttLib import TTFont  # the font: the same size, another version string

    font = TTFont(fonts / "Mine.ttf")
    version = font["name"].getDebugName(5).encode("utf-16-be")
    _edit_keeping_stamp(fonts / "Mine.ttf", version, version[:-2] + "9".encode("utf-16-be"))
    assert run(args) == 0
    assert "Banner BBBB" in " ".join(all_text(pdf).split())
    fresh = project.parent / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("out", ".cache"))
    done = subprocess.run([sys.executable, "-m", "handbill", "--project", str(fresh), "build"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes() == (fresh / "out" / "stem-cells-t2dm" / "handout.pdf").read_bytes()


def _tamper(entry: dict, how: str) -> object:
    path = entry["results"][0][0]
    return {
        "not a table": ["key", entry["key"]],
        "no key": {k: v for k, v in entry.items() if k != "key"},
        "results not a list": {**entry, "results": "built"},
        "a page count as text": {**entry, "results": [[path, "4", entry["results"][0][2]]]},
        "a page count true": {**entry, "results": [[path, True, entry["results"][0][2]]]},
        "a result of two": {**entry, "results": [[path, 4]]},
        "files not a table": {**entry, "files": [path]},
        "a file without its hash": {**entry, "files": {path: [entry["files"][path][0]]}},
        "a size as text": {**entry, "files": {path: ["102327", entry["files"][path][1]]}},
        "seconds as text": {**entry, "seconds": "2.0"},
    }[how]


@pytest.mark.parametrize("how", ["not a table", "no key", "results not a list",
                                 "a page count as text", "a page count true", "a result of two",
                                 "files not a table", "a file without its hash",
                                 "a size as text", "seconds as text"])
def test_a_manifest_entry_not_as_handbill_writes_it_is_built_again(project, tmp_path, how):
    """The manifest is a copy of what was built, and anyone can edit it: an entry of the
    wrong shape is no proof that the PDF is up to date, so the output is built again (the
    same bytes), without a traceback, and the manifest is whole again after."""
    assert run(["--project", str(project), "build", "-j", "1"]) == 0
    manifest = project / "out" / ".handbill-manifest.json"
    pdf = project / "out" / "stem-cells-t2dm" / "handout.pdf"
    before = pdf.read_bytes()
    data = json.loads(manifest.read_text("utf-8"))
    name = "stem-cells-t2dm/handout.pdf"
    data["outputs"][name] = _tamper(data["outputs"][name], how)
    manifest.write_text(json.dumps(data), "utf-8")
    report = tmp_path / "report.json"
    assert run(["--project", str(project), "build", "-j", "1", "--report", str(report)]) == 0
    assert _statuses(report) == {"out/stem-cells-t2dm/handout.pdf": "built"}
    assert pdf.read_bytes() == before
    assert run(["--project", str(project), "build", "-j", "1", "--report", str(report)]) == 0
    assert _statuses(report) == {"out/stem-cells-t2dm/handout.pdf": "cached"}


def test_handbills_own_fonts_enter_the_key_by_their_stamp_and_a_write_changes_it(
        project, tmp_path, monkeypatch):
    # 14 MB of bundled fonts are not read on every build (12 ms); a rewrite of one, even
    # of the same bytes with its modification time kept, changes its change time.
    from handbill import builder, incremental
    from handbill.fonts import bundled_fonts_dir
    from handbill.options import BuildOptions

    options = BuildOptions(project=project)
    (job,), _ = builder.plan(None, options)
    read: list[Path] = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: (read.append(self), real_open(
        self, *a, **k))[1])
    builder.job_key(job, options, {})
    assert read and not [p for p in read if p.is_relative_to(bundled_fonts_dir())]
    monkeypatch.undo()
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    font = fonts / "Own.ttf"
    font.write_bytes(b"a font")
    before = incremental.fingerprint([fonts], {}, stamped=(fonts,))
    _edit_keeping_stamp(font, b"a font", b"a font")  # the same bytes, written again
    assert incremental.fingerprint([fonts], {}, stamped=(fonts,)) != before
    # Elsewhere a file enters by its bytes: the same bytes, the same key.
    assert incremental.fingerprint([fonts], {}) == incremental.fingerprint([fonts], {})
