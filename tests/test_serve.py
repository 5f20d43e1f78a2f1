"""handbill serve over HTTP: the index, the pages, the events, and what it refuses."""

from __future__ import annotations

import hashlib
import http.client
import re
import shutil
import subprocess
import sys
import time

import pytest

from conftest import SAMPLE, clinic_project
from served import DEADLINE, Served

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    project = clinic_project(tmp_path_factory.mktemp("serve") / "project")
    bundle = project / "content" / "stem-cells-t2dm"
    shutil.copytree(SAMPLE, bundle)
    meta = bundle / "meta.yaml"
    meta.write_text(meta.read_text("utf-8").replace(
        "layouts: [handout, parallel, trifold, booklet]", "layouts: [handout]"), "utf-8")
    server = Served(project)
    server.wait_line(r"documents? shown")
    yield server
    assert server.stop() == 0, "".join(server.lines)


def test_the_index_lists_the_bundle_with_its_titles_and_findings(served):
    status, headers, body = served.get("/")
    page = body.decode("utf-8")
    assert status == 200
    assert "Stem Cells for Type 2 Diabetes" in page and "干细胞为何对2型糖尿病有效" in page
    assert 'href="/b/stem-cells-t2dm/handout/"' in page
    assert "default-src 'none'" in headers["content-security-policy"]


def test_a_page_is_the_built_pdf_drawn(served, tmp_path):
    import pypdfium2

    assert subprocess.run([sys.executable, "-m", "handbill", "--project", str(served.project),
                           "build", "--out", str(tmp_path)], capture_output=True).returncode == 0
    built = (tmp_path / "stem-cells-t2dm" / "handout.pdf").read_bytes()
    status, _, body = served.get("/b/stem-cells-t2dm/handout/")
    page = body.decode("utf-8")
    assert f'data-sha="{hashlib.sha256(built).hexdigest()}"' in page  # the same bytes
    pages = len(pypdfium2.PdfDocument(built))
    assert page.count('<img src="/b/stem-cells-t2dm/handout/page-') == pages
    status, headers, png = served.get("/b/stem-cells-t2dm/handout/page-1.png")
    assert status == 200 and headers["content-type"] == "image/png"
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (round(595.28 * 2), round(841.89 * 2))  # A4 at 144 dpi
    assert served.get(f"/b/stem-cells-t2dm/handout/page-{pages + 1}.png")[0] == 404


@pytest.mark.parametrize("path", [
    "/etc/passwd", "//etc/passwd", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
    "/b/../../../etc/passwd", "/b/%2e%2e%2f%2e%2e%2fetc%2fpasswd/handout/",
    "/assets/../../../../etc/passwd", "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/assets/..%2f..%2f..%2f..%2fetc%2fpasswd", "/assets/%252e%252e%252fetc%252fpasswd",
    "/b/stem-cells-t2dm/handout/../../../../../etc/passwd",
    "/b/stem-cells-t2dm/handout/page-1.png/../../../../../../etc/passwd",
    "/b/stem-cells-t2dm/en.md", "/b/stem-cells-t2dm/handout/en.md",
    "/content/stem-cells-t2dm/en.md", "/b/stem-cells-t2dm/handout/page-01.png",
    "/b/stem-cells-t2dm/handout/page-0.png", "/assets/preview.js%00.png",
    "/.cache/handbill/preview/stem-cells-t2dm/handout.pdf",
])
def test_no_spelling_of_a_path_reaches_a_file(served, path):
    status, _, body = served.get(path)
    assert status in (400, 404, 405), (path, status)
    assert b"root:" not in body
    assert b"Type 2 diabetes (T2DM) is characterized" not in body


def test_nothing_but_reading_is_answered(served):
    before = {p: p.stat().st_mtime_ns for p in served.project.rglob("*")
              if ".cache" not in p.parts}
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for path in ("/", "/b/stem-cells-t2dm/handout/", "/assets/preview.js"):
            assert served.get(path, method)[0] == 405, (method, path)
    assert before == {p: p.stat().st_mtime_ns for p in served.project.rglob("*")
                      if ".cache" not in p.parts}


def test_another_host_name_is_refused(served):
    assert served.get("/", host="evil.example")[0] == 400
    assert served.get("/", host=f"127.0.0.1:{served.port}")[0] == 200


def test_it_listens_on_the_loopback_only(served):
    import psutil

    listening = [c.laddr for c in psutil.Process(served.process.pid).net_connections("inet")
                 if c.status == psutil.CONN_LISTEN]
    assert listening and all(address.ip == "127.0.0.1" for address in listening), listening


def test_an_edit_is_an_event_and_new_pages(served):
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=DEADLINE)
    connection.request("GET", "/events")
    stream = connection.getresponse()
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.readline().startswith(b"retry:")
    assert stream.readline() == b"event: hello\n"
    before = served.get("/b/stem-cells-t2dm/handout/")[2]
    body = served.project / "content" / "stem-cells-t2dm" / "en.md"
    text = body.read_text("utf-8")
    body.write_text(text.replace("## Introduction", "## Introduction to the treatment"), "utf-8")
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        line = stream.readline()
        if line == b"event: change\n":
            data = stream.readline()
            if b"stem-cells-t2dm" in data:
                break
    else:
        raise AssertionError("no change event")
    connection.close()
    after = served.get("/b/stem-cells-t2dm/handout/")[2]
    sha = re.compile(rb'data-sha="([0-9a-f]{64})"')
    assert sha.search(before).group(1) != sha.search(after).group(1)
    # A body that no longer builds: its error, located, with the last good pages.
    body.write_text(text + "\nAs shown before [@nowhere2099].\n", "utf-8")
    start = len(served.lines)
    served.wait_line(r"not made again", start)
    page = served.get("/b/stem-cells-t2dm/handout/")[2].decode("utf-8")
    assert 'class="errors"' in page and "content/stem-cells-t2dm/en.md:" in page
    assert "nowhere2099" in page and 'class="pages stale"' in page
    body.write_text(text, "utf-8")
    served.wait_line(r"documents? shown, 0 errors", len(served.lines))


def test_a_port_in_use_is_a_usage_error(served):
    result = subprocess.run([sys.executable, "-m", "handbill", "--project", str(served.project),
                             "serve", "--port", str(served.port)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{served.port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("arguments, said", [
    (["--port", "70000"], "--port takes 0 to 65535, not 70000"),
    (["--port", "0", "--host", "no-such-host.invalid"], "--host no-such-host.invalid: no such address"),
])
def test_a_misused_serve_is_exit_2_with_its_reason(tmp_path, arguments, said):
    project = clinic_project(tmp_path / "project")
    shutil.copytree(SAMPLE, project / "content" / "stem-cells-t2dm")
    result = subprocess.run([sys.executable, "-m", "handbill", "--project", str(project),
                             "serve", *arguments], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert said in result.stderr and "Traceback" not in result.stderr
    assert not (project / ".cache" / "handbill" / "preview").exists()


def test_another_interface_is_served_with_a_warning(tmp_path, monkeypatch, capsys):
    """--host 0.0.0.0: a warning that others can read the handouts, and no Host check (a
    name on the network is not known). The tests listen on 127.0.0.1 only, so the socket
    asked for 0.0.0.0 is bound there; watch() is where the requests are made."""
    import handbill.serve
    import handbill.watch
    from handbill.cli import run

    project = clinic_project(tmp_path / "project")
    shutil.copytree(SAMPLE, project / "content" / "stem-cells-t2dm")
    asked, answers, said = [], [], []
    real_bind = handbill.serve.bind

    def bind(host, port):
        asked.append((host, port))
        return real_bind("127.0.0.1", 0)

    def watch(paths, rebuild, out_dir=None):
        said.append(capsys.readouterr().err)
        port = int(re.search(r"preview at http://0\.0\.0\.0:(\d+)/", said[0]).group(1))
        for host in ("handouts.clinic.example", f"192.0.2.7:{port}"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/", headers={"Host": host})
            response = connection.getresponse()
            answers.append((response.status, b"Stem Cells" in response.read()))
            connection.close()
        return 0

    monkeypatch.setattr(handbill.serve, "bind", bind)
    monkeypatch.setattr(handbill.watch, "watch", watch)
    assert run(["--project", str(project), "serve", "--host", "0.0.0.0", "--port", "0"]) == 0
    assert asked == [("0.0.0.0", 0)]
    assert answers == [(200, True), (200, True)]
    assert "handbill: warning: serving on 0.0.0.0: anyone who can reach this machine on " \
           "that address can read these handouts" in said[0]
    assert said[0].index("warning: serving on") < said[0].index("preview at")
    assert "Traceback" not in said[0] + capsys.readouterr().err


def test_the_loopback_is_served_without_a_warning(served):
    assert not any("warning: serving on" in line for line in served.lines)
    assert any("preview at http://127.0.0.1:" in line for line in served.lines)


def test_a_bundle_or_a_layout_without_its_slash_is_redirected(served):
    status, headers, _ = served.get("/b/stem-cells-t2dm/")
    assert (status, headers["location"]) == (307, "/b/stem-cells-t2dm/handout/")
    status, headers, _ = served.get("/b/stem-cells-t2dm/handout")
    assert (status, headers["location"]) == (308, "/b/stem-cells-t2dm/handout/")
    for path in ("/b/stem-cells-t2dm/trifold/", "/b/stem-cells-t2dm/handuot",
                 "/b/stem-cells-t2dm/trifold/page-1.png", "/b/no-such-handout/"):
        status, _, body = served.get(path)
        assert status == 404, path
        assert b"no such" in body


def test_a_broken_site_or_meta_yaml_is_shown_where_it_is_until_it_is_fixed(tmp_path):
    """The project's site.yaml broken when serve starts: the index says so once, at the
    top, file:line; fixed, that is gone. Then its meta.yaml broken: its page says so, and the
    index counts the error."""
    project = clinic_project(tmp_path / "project")
    bundle = project / "content" / "stem-cells-t2dm"
    shutil.copytree(SAMPLE, bundle)
    meta = bundle / "meta.yaml"
    meta.write_text(meta.read_text("utf-8").replace(
        "layouts: [handout, parallel, trifold, booklet]", "layouts: [handout]"), "utf-8")
    site = project / "site.yaml"
    good_site = site.read_text("utf-8")
    site.write_text(good_site + "organisation: [unclosed\n", "utf-8")
    server = Served(project)
    try:
        server.wait_line(r"documents? shown")
        server.wait_line(r"1 error found")  # check's findings, after the pages
        page = server.get("/")[2].decode("utf-8")
        # Once at the top of the index, where it is; the handout's layout marked failed.
        assert len(re.findall(r">site\.yaml:\d+:\d+</code>", page)) == 1, page
        assert 'id="project-errors"' in page and "invalid YAML" in page
        assert 'class="layout failed" href="/b/stem-cells-t2dm/handout/"' in page
        start = len(server.lines)
        site.write_text(good_site, "utf-8")
        server.wait_line(r"1 document shown, 0 errors", start)
        page = server.get("/")[2].decode("utf-8")
        assert "Stem Cells for Type 2 Diabetes" in page
        assert 'id="project-errors"' not in page and "layout failed" not in page

        start = len(server.lines)
        good_meta = meta.read_text("utf-8")
        meta.write_text(good_meta.replace("date: 2023-06-29", "date: 2023-06-29: 10 a.m."), "utf-8")
        server.wait_line(r"documents? shown, [1-9]\d* errors? found", start)
        page = server.get("/b/stem-cells-t2dm/")[2].decode("utf-8")
        line = next(n for n, text in enumerate(good_meta.splitlines(), 1)
                    if text.startswith("date:"))
        assert re.search(rf"content/stem-cells-t2dm/meta\.yaml:{line}\b", page), page
        assert 'class="count has-errors"' in server.get("/")[2].decode("utf-8")
    finally:
        assert server.stop() == 0, "".join(server.lines)
