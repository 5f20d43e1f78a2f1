"""Incremental and parallel builds, and what a build tells people and machines."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema

from handbill.cli import run

from conftest import REPO, add_second_bundle, assert_same_pdfs

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
    assert problem["code"] == "meta"


def test_plain_progress_lines_and_summary_when_not_a_terminal(project, capsys):
    assert run(["--project", str(project), "build"]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("wrote out/stem-cells-t2dm/handout.pdf (4 pages, ")
    lines = captured.out.splitlines()
    assert lines[0].split() == ["output", "pages", "bytes", "seconds", "status"]
    assert lines[-1].startswith("1 outputs: 1 built, 0 up to date, 0 failed, in ")
