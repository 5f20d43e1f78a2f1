"""Builds on a Dask cluster (build --scheduler): the same bytes as a local build, workers
that read nothing of the project, a worker killed mid-build, a document whose workers die
twice, a render that stalls, files only a render finds (an SVG's image), and misuse.

The cluster is a real LocalCluster of 2 worker processes on 127.0.0.1, its workers
preloaded with tests/cluster/preload.py: an audit of every file they open under the
folder the projects are made in, and markers that kill or stall a render.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import stat
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from handbill.cli import run
from conftest import REPO, appointment_project, assert_same_pdfs, build_rows, clinic_project
from pdfcheck import reading_text, squash

distributed = pytest.importorskip("distributed")

PRELOAD = REPO / "tests" / "cluster" / "preload.py"
B = "content/appointment"
HEADER = "id,name,date,time,second_dose,nurse_line\n"
KILL = "Kill-this-worker-7f3a"
STALL = "Stall-this-worker-7f3a"
SLOW = "Slow-this-worker-7f3a"
RAISE = "Raise-this-worker-7f3a"
NAMES = ["Margaret O'Neill", "陈美玲", "Kwame Mensah-Boateng", "黃嘉欣", "José Álvarez",
         "王小明", "Siobhán Ní Bhriain", "李志强"]


def _rows(count: int, special: dict[int, str] | None = None) -> str:
    lines = [HEADER]
    for i in range(count):
        name = (special or {}).get(i, NAMES[i % len(NAMES)])
        lines.append(f'p{i:04},"{name}",{i + 1} December 2026,9:{i:02} a.m.,5:00 a.m.,'
                     f"020 7946 {i:04}\n")
    return "".join(lines)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A LocalCluster of 2 preloaded workers; the folder its tests' projects go in."""
    import dask
    from distributed import Client, LocalCluster

    root = tmp_path_factory.mktemp("cluster-projects")
    log = tmp_path_factory.mktemp("cluster-audit") / "opened.log"
    saved = {k: os.environ.get(k) for k in ("HANDBILL_AUDIT_FORBID", "HANDBILL_AUDIT_LOG")}
    os.environ.update(HANDBILL_AUDIT_FORBID=str(root), HANDBILL_AUDIT_LOG=str(log))
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": 1,
                              "distributed.scheduler.worker-saturation": 1.0,
                              "distributed.scheduler.active-memory-manager.start": False}):
            local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                 preload=[str(PRELOAD)], silence_logs=50)
        client = Client(local)
        # The audit works: a worker that opens a project's file is seen.
        probe = root / "probe.txt"
        probe.write_text("x")
        client.run(lambda path: open(path).close(), str(probe))
        assert str(probe) in log.read_text()
        log.write_text("")
        yield SimpleNamespace(address=local.scheduler_address, root=root, log=log,
                              client=client)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    client.close()
    local.close()


def _project(root: Path, name: str, rows: str) -> Path:
    return appointment_project(root / name, rows)


_build = build_rows


def test_rows_on_a_cluster_are_a_local_builds_bytes_and_its_workers_read_no_file(cluster,
                                                                                 capsys):
    project = _project(cluster.root, "same", _rows(6))
    assert _build(project, "-j", "1", "--out", str(project / "local")) == 0
    client = cluster.client
    client.run(lambda dask_worker: dask_worker.transfer_incoming_log.clear())
    client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_log.clear())
    assert _build(project, "--scheduler", cluster.address, "--out", str(project / "dask")) == 0
    assert_same_pdfs(project / "local", project / "dask", 6)
    # The files (fonts, stylesheets, logo, bodies) went to each worker once, not once a row.
    moved = client.run(lambda dask_worker: [str(k) for t in dask_worker.transfer_incoming_log
                                            for k in t["keys"]])
    made = client.run_on_scheduler(lambda dask_scheduler: sorted(
        {str(t[0]) for t in dask_scheduler.transition_log if t[2] == "memory"}))
    files = [k for k in made if k.startswith("handbill-file-")]
    renders = [k for k in made if k.startswith("render-")]
    assert len(renders) == 6
    # Each file once for the build, not once a row: 8 font subsets, 2 stylesheets, the
    # logo, the 3 texts.
    assert len(files) == 14, files
    hashes = [[k[len("handbill-file-"):].rsplit("-", 1)[0] for k in keys
               if k.startswith("handbill-file-")] for keys in moved.values()]
    assert sum(map(len, hashes)) >= 5  # fonts, stylesheets and the logo moved at all
    for each in hashes:
        assert len(each) == len(set(each)), each
    pdf = project / "dask" / "appointment" / "p0001" / "handout.pdf"
    assert squash("Dear 陈美玲, your colonoscopy is booked for") in squash(reading_text(pdf))
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert stat.S_IMODE(pdf.parent.stat().st_mode) == 0o700
    # The workers were sent everything: they opened nothing of the project.
    assert cluster.log.read_text() == ""
    # A second build finds them up to date: the cluster's outputs are in the manifest.
    capsys.readouterr()
    assert _build(project, "--scheduler", cluster.address, "--out", str(project / "dask")) == 0
    assert "6 outputs: 0 built, 6 up to date, 0 failed" in capsys.readouterr().out


def test_a_worker_killed_mid_build_has_its_task_done_elsewhere(cluster):
    project = _project(cluster.root, "killed", _rows(8))
    assert _build(project, "-j", "1", "--out", str(project / "local")) == 0
    client = cluster.client
    pids = client.run(os.getpid)
    killed: list = []

    def kill_one_rendering() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for address, keys in client.processing().items():
                if any(str(k).startswith("render-") for k in keys) and address in pids:
                    os.kill(pids[address], signal.SIGKILL)
                    killed.append(address)
                    return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one_rendering)
    killer.start()
    try:
        assert _build(project, "--scheduler", cluster.address,
                      "--out", str(project / "dask")) == 0
    finally:
        killer.join()
    assert killed, "no worker was seen rendering"
    assert_same_pdfs(project / "local", project / "dask", 8)
    client.wait_for_workers(2, timeout=30)  # the nanny starts another


def test_a_row_whose_workers_die_twice_is_an_error_for_it_alone(cluster, capsys):
    project = _project(cluster.root, "dies", _rows(4, {2: f"A {KILL}"}))
    assert _build(project, "--scheduler", cluster.address) == 1
    err = capsys.readouterr().err
    assert "rows.csv:4: error: row p0002: the Dask workers rendering it stopped before they " \
           "were done, in two tries of it (killed, or out of memory?) [render]" in err, err
    built = sorted(p.parent.name for p in (project / "out" / "appointment").glob("*/*.pdf"))
    assert built == ["p0000", "p0001", "p0003"], err
    assert "Traceback" not in err
    cluster.client.wait_for_workers(2, timeout=30)


SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="120" height="60" viewBox="0 0 120 60"><rect width="120" height="60" fill="#dde"/>
<image href="{href}" x="10" y="10" width="40" height="40"/></svg>"""


def _png(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 40), (200, 30, 30)).save(path)


def _images(pdf: Path) -> int:
    """How many raster images the PDF's pages draw (an SVG's own, drawn in a form, too),
    each image object once."""
    from pypdf import PdfReader

    seen: set = set()

    def walk(resources) -> None:
        for ref in (resources or {}).get("/XObject", {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                seen.add(getattr(ref, "idnum", id(obj)))
            else:
                walk(obj.get("/Resources"))

    for page in PdfReader(pdf).pages:
        walk(page.get("/Resources"))
    return len(seen)


def test_ctrl_c_cancels_the_builds_tasks_on_the_cluster(cluster):
    import subprocess
    import sys

    from conftest import wait_for

    project = _project(cluster.root, "interrupted", _rows(40))
    process = subprocess.Popen(
        [sys.executable, "-m", "handbill", "--project", str(project), "build",
         str(project / B), "--data", str(project / "rows.csv"), "--scheduler", cluster.address],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    out = project / "out" / "appointment"
    wait_for(lambda: out.is_dir() and any(out.glob("*/handout.pdf")), what="the first PDF")
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert [line for line in err.splitlines() if not line.startswith("wrote ")] == \
        ["handbill: interrupted; finished PDFs are complete, none is half-written"]
    built = len(list(out.glob("*/handout.pdf")))
    assert 1 <= built < 40

    def renders_left() -> list:
        return cluster.client.run_on_scheduler(
            lambda dask_scheduler: [k for k in dask_scheduler.tasks
                                    if str(k).startswith(("render-", "handbill-file-"))])

    wait_for(lambda: renders_left() == [], seconds=10, what="no task of the build left")
    assert [p.name for p in out.rglob(".*.tmp")] == []
    assert len(list(out.glob("*/handout.pdf"))) == built  # nothing was written after


def test_a_file_only_the_render_finds_is_sent_and_printed(cluster):
    """An SVG's own image is not named in the HTML or the CSS: the worker asks for it,
    the main process reads it under the project's rules and sends the task again."""
    project = clinic_project(cluster.root / "svg")
    shutil.copytree(REPO / "content" / "stem-cells-t2dm", project / "content" / "good")
    shutil.copytree(REPO / "content" / "stem-cells-t2dm", project / "content" / "plain")
    good = project / "content" / "good"
    _png(good / "photo.png")
    (good / "cover.svg").write_text(SVG.format(href="photo.png"), encoding="utf-8")
    (project / "content" / "plain" / "cover.svg").write_text(
        SVG.split("<image")[0] + "</svg>", encoding="utf-8")
    common = ["--project", str(project), "build", "--layout", "handout"]
    assert run(common + ["-j", "1", "--out", str(project / "local")]) == 0
    assert run(common + ["--scheduler", cluster.address, "--out", str(project / "dask")]) == 0
    assert_same_pdfs(project / "local", project / "dask", 2)
    assert _images(project / "dask" / "good" / "handout.pdf") == \
        _images(project / "dask" / "plain" / "handout.pdf") + 1
    assert cluster.log.read_text() == ""


def test_a_bug_met_on_a_worker_fails_that_row_only(cluster, capsys):
    project = _project(cluster.root, "bug", _rows(3, {1: f"A {RAISE}"}))
    assert _build(project, "--scheduler", cluster.address) == 1
    err = capsys.readouterr().err
    assert "error: handbill failed on this document (RuntimeError: a bug met while laying " \
           "out this page) [internal]" in err, err
    assert "Traceback" not in err
    built = sorted(p.parent.name for p in (project / "out" / "appointment").glob("*/*.pdf"))
    assert built == ["p0000", "p0002"]


def test_a_worker_of_another_handbill_version_renders_nothing(cluster, capsys, monkeypatch):
    """The build says it is 0.0.9; the workers run this checkout's handbill: each render
    is refused (its PDF could differ from a local build's), and no PDF is written."""
    import handbill

    monkeypatch.setattr(handbill, "__version__", "0.0.9")
    project = _project(cluster.root, "versions", _rows(2))
    assert _build(project, "--scheduler", cluster.address) == 1
    err = capsys.readouterr().err
    assert " this build 0.0.9: its PDF could differ, so it was not rendered [render]" in err
    assert "failed out/appointment/p0000/handout.pdf" in err
    assert "failed out/appointment/p0001/handout.pdf" in err
    assert re.search(r"the Dask worker \S+:\d+ runs handbill \d", err)
    assert not list((project / "out").rglob("*.pdf"))


def test_a_file_whose_copy_on_the_cluster_is_not_its_bytes_is_never_used(cluster, capsys,
                                                                         monkeypatch):
    """Every file is sent with a byte more than its hash says: the worker verifies each
    copy and refuses it, it is sent again, and after three tries that is an error: no
    PDF is made from a file that is not the project's."""
    from handbill import cluster as module

    real = module._Connection.ship

    def ship(self, hashes, lost=()):
        for sha in hashes:
            if not self.store[sha].endswith(b"\0changed"):
                self.store[sha] += b"\0changed"
        return real(self, hashes, lost)

    monkeypatch.setattr(module._Connection, "ship", ship)
    project = _project(cluster.root, "corrupt", _rows(2))
    assert _build(project, "--scheduler", cluster.address) == 1
    err = capsys.readouterr().err
    for line, row in ((2, "p0000"), (3, "p0001")):
        assert re.search(rf"rows\.csv:{line}: error: row {row}: the Dask worker had no good copy "
                         r"of the files this document needs \(\d+ lost, or not their bytes\), "
                         rf"{module.MAX_ROUNDS} times \[render\]", err), err
    assert not list((project / "out").rglob("*.pdf"))


def test_a_bundle_that_fails_before_its_render_leaves_the_others_to_the_cluster(cluster,
                                                                               capsys):
    project = clinic_project(cluster.root / "fronts")
    shutil.copytree(REPO / "content" / "stem-cells-t2dm", project / "content" / "good")
    shutil.copytree(REPO / "content" / "stem-cells-t2dm", project / "content" / "broken")
    body = project / "content" / "broken" / "en.md"
    text = body.read_text("utf-8")
    body.write_text(text + "\nAs the trial showed [@nowhere2099].\n", "utf-8")
    assert run(["--project", str(project), "build", "--layout", "handout",
                "--scheduler", cluster.address]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"content/broken/en\.md:{len(text.splitlines()) + 2}:\d+: error: "
                     r".*nowhere2099", err), err
    assert sorted(p.parent.name for p in (project / "out").rglob("*.pdf")) == ["good"]


def test_the_time_limit_counts_a_render_not_its_wait_behind_others(cluster, capsys):
    """Four renders of 1.2 s and more on two workers, a limit of 2 s: the last two wait
    behind the first two (longer than the limit, with their own render), and none of them
    is cancelled, since none took 2 s once a worker began it."""
    project = _project(cluster.root, "queued", _rows(4, {i: f"A {SLOW}" for i in range(4)}))
    assert _build(project, "--scheduler", cluster.address, "--timeout", "2") == 0, \
        capsys.readouterr().err
    built = sorted(p.parent.name for p in (project / "out" / "appointment").glob("*/*.pdf"))
    assert built == ["p0000", "p0001", "p0002", "p0003"]


def test_a_render_no_worker_begins_is_given_up_at_the_time_limit(tmp_path, capsys):
    """A scheduler with no workers: nothing begins, and each row is an error once nothing
    on the cluster began or ended for the limit; no PDF is written."""
    from distributed import LocalCluster

    project = _project(tmp_path, "idle", _rows(2))
    with LocalCluster(n_workers=0, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=50) as idle:
        started = time.monotonic()
        assert _build(project, "--scheduler", idle.scheduler_address, "--timeout", "1") == 1
        assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    for line, row in ((2, "p0000"), (3, "p0001")):
        assert f"rows.csv:{line}: error: row {row}: no Dask worker began rendering it, and no " \
               "other render began or ended, for 1 s; its task was cancelled [limits]" in err
    assert "Traceback" not in err
    assert not list((project / "out").rglob("*.pdf"))


def test_a_render_that_stalls_on_the_cluster_is_stopped_at_the_time_limit(cluster, capsys):
    """(Last of the tests on the cluster: its worker sleeps on after the task is cancelled.)"""
    project = _project(cluster.root, "stalls", _rows(2, {0: f"A {STALL}"}))
    started = time.monotonic()
    assert _build(project, "--scheduler", cluster.address, "--timeout", "2") == 1
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert "rows.csv:2: error: row p0000: rendering it on the Dask cluster took more than 2 s " \
           "and its task was cancelled [limits]" in err
    built = sorted(p.parent.name for p in (project / "out" / "appointment").glob("*/*.pdf"))
    assert built == ["p0001"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("args, message", [
    (["--scheduler", "local:0"], "--scheduler local:0: not a Dask scheduler"),
    (["--scheduler", "http://127.0.0.1:8786"], "not a Dask scheduler"),
    (["--scheduler", "local:1", "-j", "2"], "-j counts this machine's render processes"),
])
def test_a_scheduler_misnamed_is_misuse(tmp_path, capsys, args, message):
    project = _project(tmp_path, "p", _rows(2))
    assert _build(project, *args) == 2
    assert message in capsys.readouterr().err
    assert not (project / "out").exists()


def test_a_scheduler_that_does_not_answer_is_exit_2_within_seconds(tmp_path, capsys):
    project = _project(tmp_path, "p", _rows(2))
    started = time.monotonic()
    address = f"tcp://127.0.0.1:{_free_port()}"
    assert _build(project, "--scheduler", address) == 2
    assert time.monotonic() - started < 8
    err = capsys.readouterr().err
    assert f"handbill: error: --scheduler {address}: no Dask scheduler answered within 3 s" in err
    assert "Traceback" not in err
    assert not list((project / "out").rglob("*.pdf")) if (project / "out").exists() else True


def test_local_workers_started_for_the_build_give_the_same_bytes(tmp_path):
    project = _project(tmp_path, "p", _rows(3))
    assert _build(project, "-j", "1", "--out", str(project / "local")) == 0
    assert _build(project, "--scheduler", "local:2", "--out", str(project / "dask")) == 0
    assert_same_pdfs(project / "local", project / "dask", 3)


def test_local_workers_listen_on_the_loopback_only():
    import psutil

    from handbill.cluster import _Connection

    connection = _Connection("local:1")
    try:
        pids = {os.getpid(), *connection.client.run(os.getpid).values()}
        pids |= {p.pid for pid in list(pids) for p in psutil.Process(pid).children(True)}
        listening = [c.laddr for c in psutil.net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN and c.pid in pids]
    finally:
        connection.close()
    assert len(listening) >= 3  # the scheduler, its dashboard, the worker (and nanny)
    assert {address.ip for address in listening} == {"127.0.0.1"}


def test_what_is_sent_is_read_again_when_its_file_changed(tmp_path):
    """The main process remembers what each URL gave for the next document, while its
    file's status is unchanged: an edit, or a link swapped to lead out, is seen."""
    from handbill.resources import collect

    project = tmp_path / "project"
    project.mkdir()
    css, logo = project / "a.css", project / "logo.svg"
    css.write_text(f'@import "b.css"; p {{ background: url("{logo.name}") }}')
    (project / "b.css").write_text("p { color: red }")
    logo.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    html = f'<link rel="stylesheet" href="{css.as_uri()}">'
    known: dict = {}
    blobs: dict = {}
    first = collect(html, (), (project,), (), project, blobs, known=known)
    assert sorted(u.rsplit("/", 1)[1] for u in first.files) == ["a.css", "b.css", "logo.svg"]
    again = collect(html, (), (project,), (), project, blobs, known=known)
    assert again.files == first.files
    # The same size, another content; then a link out of the project where the logo was.
    (project / "b.css").write_text("p { color: tan }")
    os.utime(project / "b.css", ns=(1, 1))
    outside = tmp_path / "secret.svg"
    outside.write_text("<svg xmlns='http://www.w3.org/2000/svg'><!--secret--></svg>")
    logo.unlink()
    logo.symlink_to(outside)
    third = collect(html, (), (project,), (), project, blobs, known=known)
    b_css = (project / "b.css").as_uri()
    assert third.files[b_css][2] != first.files[b_css][2]
    assert blobs[third.files[b_css][2]] == b"p { color: tan }"
    assert third.refused == {logo.as_uri(): "outside the project and handbill's own files"}
