"""Shared fixtures: a copy of the sample project, the built sample PDF, and no stray logs."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples every run (a commit's result is its own, in CI and
# here); to explore new ones, run with HYPOTHESIS_PROFILE=explore.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "ci"))

from handbill.cli import run

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "content" / "stem-cells-t2dm"
CORPUS = Path(__file__).resolve().parent / "corpus"


def clinic_project(root: Path) -> Path:
    """ROOT made a project with no bundle yet: the sample's site.yaml and assets (logo,
    organisation, QR), as a clinic starts one."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "assets", root / "assets")
    return root


#: The personalised appointment letter (--data), and where a project holds it.
APPOINTMENT = REPO / "tests" / "fixtures" / "appointment"
APPOINTMENT_BUNDLE = "content/appointment"


def appointment_project(root: Path, rows: str) -> Path:
    """ROOT made a clinic's project holding the appointment bundle and ROWS as rows.csv."""
    project = clinic_project(root)
    shutil.copytree(APPOINTMENT, project / APPOINTMENT_BUNDLE)
    (project / "rows.csv").write_text(rows, encoding="utf-8")
    return project


def build_rows(project: Path, *extra: str, data: str = "rows.csv") -> int:
    """handbill build of PROJECT's appointment bundle with DATA's rows (in-process)."""
    from handbill.cli import run

    return run(["--project", str(project), "build", str(project / APPOINTMENT_BUNDLE),
                "--data", str(project / data), *extra])


def corpus_project(root: Path, *bundles: str) -> Path:
    """ROOT made a project of the real-shaped handouts of tests/corpus (those BUNDLES, or
    all), with the sample's site.yaml and assets (logo, organisation, QR)."""
    clinic_project(root)
    if bundles:
        for name in bundles:
            shutil.copytree(CORPUS / name, root / "content" / name)
    else:
        shutil.copytree(CORPUS, root / "content")
    return root


@pytest.fixture(autouse=True)
def assert_no_logs(request, caplog):
    """As WeasyPrint's own tests do: an unexpected warning fails the test."""
    caplog.set_level(logging.WARNING)
    yield
    if request.node.get_closest_marker("weasyprint_logs"):
        return
    bad = [r for r in caplog.get_records("call") if r.levelno >= logging.WARNING
           and r.name.startswith("weasyprint") and not getattr(r, "expected", False)]
    assert not bad, [r.getMessage() for r in bad]


@pytest.fixture
def project(tmp_path) -> Path:
    """A fresh project holding a copy of the sample bundle (edit it freely)."""
    (tmp_path / "content").mkdir()
    bundle = tmp_path / "content" / "stem-cells-t2dm"
    shutil.copytree(SAMPLE, bundle)
    meta = bundle / "meta.yaml"  # one layout keeps these tests quick; test_print_layouts has all
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        "layouts: [handout, parallel, trifold, booklet]", "layouts: [handout]"), encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The sample built once per session, bilingual, English and Chinese only, and Letter."""
    out = tmp_path_factory.mktemp("out")
    for extra in ([], ["--lang", "en"], ["--lang", "zh-Hans"]):
        assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(out),
                    "--layout", "handout", *extra]) == 0
    letter = out / "letter"
    assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(letter),
                "--layout", "handout", "--page-size", "Letter"]) == 0
    return out


def add_second_bundle(project: Path) -> Path:
    """A copy of the sample beside it, built as a handout and a tri-fold: three outputs in all."""
    second = project / "content" / "second"
    shutil.copytree(project / "content" / "stem-cells-t2dm", second)
    meta = second / "meta.yaml"
    meta.write_text(meta.read_text("utf-8").replace("layouts: [handout]",
                                                    "layouts: [handout, trifold]"), "utf-8")
    return second


def assert_same_pdfs(one: Path, two: Path, count: int) -> None:
    """Folders ONE and TWO hold the same COUNT PDFs, byte for byte."""
    found = sorted(p.relative_to(one) for p in one.rglob("*.pdf"))
    assert found == sorted(p.relative_to(two) for p in two.rglob("*.pdf"))
    assert len(found) == count
    for rel in found:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel


def children(pid: int) -> list[int]:
    """The processes PID started that are still running (Linux's /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:  # the task ended meanwhile
            continue
    return found


def alive(pid: int) -> bool:
    """Whether process PID runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def lengthen(bundle: Path, times: int = 5) -> None:
    """BUNDLE's texts TIMES over: a worker takes seconds to render it."""
    for name in ("en.md", "zh-Hans.md"):
        text = (bundle / name).read_text(encoding="utf-8")
        (bundle / name).write_text(text + ("\n" + text.split("\n", 1)[1]) * (times - 1),
                                   encoding="utf-8")


def wait_for(condition, seconds: float = 60.0, what: str = "the condition"):
    """Poll CONDITION until it holds (returning its value), at most SECONDS."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"{what} did not happen within {seconds} s")
