"""The Python API (handbill.build, BuildOptions, Diagnostic, HandbillError): what a
program that builds handouts itself calls, the same PDFs as the command line's."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import SAMPLE, assert_same_pdfs, clinic_project
from pdfcheck import page_sizes


def test_a_build_through_the_api_is_the_command_lines_bytes(tmp_path):
    import handbill
    from handbill.cli import run

    project = clinic_project(tmp_path / "project")
    shutil.copytree(SAMPLE, project / "content" / "stem-cells-t2dm")
    options = handbill.BuildOptions(project=project, out=tmp_path / "api", layout="handout",
                                    jobs=1)
    report = handbill.build(None, options)
    assert not report.failed, [str(d) for d in report.all_diagnostics]
    made = [(o.job.bundle.name, o.status, [p.name for p, _, _ in o.files])
            for o in report.outputs]
    assert made == [("stem-cells-t2dm", "built", ["handout.pdf"])]
    assert page_sizes(tmp_path / "api" / "stem-cells-t2dm" / "handout.pdf")[0] == \
        pytest.approx((595.3, 841.9), abs=0.05)  # A4
    assert run(["--project", str(project), "build", "--layout", "handout", "-j", "1",
                "--out", str(tmp_path / "cli")]) == 0
    assert_same_pdfs(tmp_path / "api", tmp_path / "cli", 1)


def test_what_the_api_finds_wrong_is_a_diagnostic_with_its_place(tmp_path):
    import handbill

    project = clinic_project(tmp_path / "project")
    bundle = project / "content" / "stem-cells-t2dm"
    shutil.copytree(SAMPLE, bundle)
    (bundle / "en.md").write_text((bundle / "en.md").read_text("utf-8")
                                  + "\nAs shown [@nowhere2099].\n", "utf-8")
    report = handbill.build(None, handbill.BuildOptions(project=project, layout="handout",
                                                       jobs=1))
    assert report.failed
    errors = [d for d in report.all_diagnostics if d.severity == "error"]
    assert errors and all(isinstance(d, handbill.Diagnostic) for d in errors)
    assert any("nowhere2099" in d.message and str(d.path).endswith("en.md") and d.line
               for d in errors), [str(d) for d in errors]
    assert not (project / "out" / "stem-cells-t2dm" / "handout.pdf").exists()
    assert issubclass(handbill.HandbillError, Exception)


def test_the_api_loads_lightly_and_names_only_what_it_has():
    import handbill

    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        handbill.nothing  # noqa: B018
    # Importing the package imports nothing of the pipeline until it is asked for.
    loaded = subprocess.run([sys.executable, "-c", "import sys, handbill; "
                             "print(sorted(m for m in sys.modules if m.startswith('handbill')))"],
                            capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['handbill']"
