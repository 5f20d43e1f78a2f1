"""Content cannot turn the build against the machine; bad input never gives a traceback,
a hang or a half-written PDF."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from handbill.cli import run
from pdfcheck import all_text

from conftest import REPO, alive, children, lengthen, wait_for

BUNDLE = "content/stem-cells-t2dm"


def _build(project, capsys, *args):
    code = run(["--project", str(project), "build", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _no_pdf(project: Path) -> bool:
    return not list((project / "out").rglob("*.pdf")) if (project / "out").exists() else True


def _line(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


# ---- escape attempts ------------------------------------------------------------------

@pytest.mark.parametrize("src", ["file:///etc/passwd", "../../../../etc/passwd",
                                 "http://127.0.0.1:9/x.png", "https://example.org/x.png"])
def test_image_outside_the_bundle_is_refused_at_its_line(project, capsys, src):
    en = project / BUNDLE / "en.md"
    _edit(en, "## Conclusion\n", f"## Conclusion\n\n![a chart]({src})\n")
    code, err = _build(project, capsys)
    assert code == 1
    assert (f"{BUNDLE}/en.md:{_line(en, src)}: error: image '{src}' must be a file inside the "
            "bundle [image]") in err
    assert _no_pdf(project)


def test_symlink_out_of_the_project_is_refused(project, capsys, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.svg"
    outside.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    cover = project / BUNDLE / "cover.svg"
    cover.unlink()
    cover.symlink_to(outside)
    code, err = _build(project, capsys)
    assert code == 1
    line = _line(project / BUNDLE / "meta.yaml", "image: cover.svg")
    assert f"{BUNDLE}/meta.yaml:{line}: error: cover image 'cover.svg' must be a file inside the bundle" in err
    assert _no_pdf(project)


@pytest.mark.weasyprint_logs
def test_layout_that_reaches_for_a_system_file_is_refused_and_nothing_is_read(project, capsys):
    partials = project / "layouts" / "_partials"
    partials.mkdir(parents=True)
    (partials / "disclaimer.html.j2").write_text(
        '<img src="file:///etc/passwd" alt=""><img src="http://127.0.0.1:9/t.png" alt="">')
    code, err = _build(project, capsys)
    assert code == 1
    assert f"{BUNDLE}: error: refused to load /etc/passwd: outside the project" in err
    assert f"{BUNDLE}: error: refused to load http://127.0.0.1:9/t.png: http: URLs are never " \
           "fetched" in err
    assert _no_pdf(project)


def test_raw_html_and_script_are_printed_as_text(project, capsys):
    en = project / BUNDLE / "en.md"
    _edit(en, "## Conclusion\n", "## Conclusion\n\n<script>alert(1)</script> <iframe src=x>\n")
    code, _ = _build(project, capsys, "--lang", "en")
    assert code == 0
    text = all_text(project / "out" / "stem-cells-t2dm" / "handout.en.pdf")
    assert "<script>alert(1)</script>" in text and "<iframe src=x>" in text
    reader = pypdf.PdfReader(project / "out" / "stem-cells-t2dm" / "handout.en.pdf")
    assert "/JavaScript" not in str(reader.trailer["/Root"]) and "/OpenAction" not in reader.trailer["/Root"]


def test_yaml_python_tag_is_refused(project, capsys):
    meta = project / BUNDLE / "meta.yaml"
    _edit(meta, "audience: patients and families",
          "audience: !!python/object/apply:os.system ['touch pwned']")
    code, err = _build(project, capsys)
    assert code == 1
    assert re.search(rf"{BUNDLE}/meta\.yaml:\d+:\d+: error: invalid YAML: could not determine a "
                     r"constructor for the tag 'tag:yaml\.org,2002:python/object/apply:os\.system'", err), err
    assert not (project / "pwned").exists() and not Path("pwned").exists()


def test_billion_laughs_is_refused(project, capsys):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in "bcdefghi":
        prev = chr(ord(n) - 1)
        lines.append(f"{n}: &{n} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    meta = project / BUNDLE / "meta.yaml"
    meta.write_text(meta.read_text("utf-8") + "\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    code, err = _build(project, capsys)
    assert time.perf_counter() - started < 10
    assert code == 1
    assert re.search(rf"^{BUNDLE}/meta\.yaml: error: invalid YAML: the document expands to more "
                     r"than 100000 values through its aliases \(a billion-laughs document\?\) "
                     r"\[yaml\]$", err, re.M), err


# ---- a corpus of bad input ---------------------------------------------------------------

CORPUS = {
    "binary en.md": ("en.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
                     "en.md:1: error: this is a binary file, not Markdown text"),
    "invalid UTF-8": ("en.md", "## Intro\n\nok\n".encode() + b"caf\xe9\n",
                      "en.md:4: error: file is not valid UTF-8"),
    "10 MB paragraph": ("en.md", b"word " * 2_100_000,
                        "en.md: error: file is 10500000 bytes, more than the 2000000 allowed"),
    "an image that is not one": ("cover.svg", b"this is not an image at all",
                                 "meta.yaml:{cover}: error: cover image 'cover.svg' is not a valid "
                                 "SVG file (syntax error: line 1, column 0) [meta]"),
}


@pytest.mark.weasyprint_logs
@pytest.mark.parametrize("case", sorted(CORPUS))
def test_bad_input_gives_a_located_error(project, capsys, case):
    name, data, message = CORPUS[case]
    message = message.replace("{cover}", str(_line(project / BUNDLE / "meta.yaml", "image: cover")))
    (project / BUNDLE / name).write_bytes(data)
    code, err = _build(project, capsys)
    assert code == 1, err
    assert message in err, err
    assert _no_pdf(project)


def test_utf16_with_bom_is_read(project, capsys):
    zh = project / BUNDLE / "zh-Hans.md"
    zh.write_bytes(zh.read_text(encoding="utf-8").encode("utf-16"))
    code, err = _build(project, capsys, "--lang", "zh-Hans")
    assert code == 0, err
    assert "干细胞疗法" in all_text(project / "out" / "stem-cells-t2dm" / "handout.zh-Hans.pdf")


def test_lists_nested_too_deep_are_an_error_at_their_line(project, capsys):
    # markdown-it drops what lies deeper than its nesting limit, silently; a list 9 or
    # 200 deep is refused where it goes too deep, and nothing is printed.
    en = project / BUNDLE / "en.md"
    nested = "".join("  " * depth + f"- level {depth + 1}\n" for depth in range(200))
    _edit(en, "## Conclusion\n", f"## Conclusion\n\n{nested}\nAfter the list.\n")
    code, err = _build(project, capsys, "--lang", "en")
    assert code == 1
    line = _line(en, "- level 9")
    assert (f"{BUNDLE}/en.md:{line}: error: lists and quotes nested more than 8 deep; the "
            "deeper text would not print [markdown]") in err
    assert _no_pdf(project)


def test_lists_nested_8_deep_print_every_level_and_what_follows(project, capsys):
    en = project / BUNDLE / "en.md"
    nested = "".join("  " * depth + f"- level {depth + 1}\n" for depth in range(8))
    _edit(en, "## Conclusion\n", f"## Conclusion\n\n{nested}\nAfter the list.\n")
    code, err = _build(project, capsys, "--lang", "en")
    assert code == 0, err
    text = " ".join(all_text(project / "out" / "stem-cells-t2dm" / "handout.en.pdf").split())
    assert " ".join(f"level {n}" for n in range(1, 9)) + " After the list." in \
        text.replace("• ", "").replace("◦ ", "").replace("▪ ", "")


def test_missing_references_file_named_in_meta(project, capsys):
    (project / BUNDLE / "references.yaml").unlink()
    code, err = _build(project, capsys)
    assert code == 1
    line = _line(project / BUNDLE / "meta.yaml", "references:")
    assert f"{BUNDLE}/meta.yaml:{line}: error: references file 'references.yaml' not found" in err


def test_names_with_spaces_and_chinese_characters(tmp_path, capsys):
    project = tmp_path / "我的 项目"
    shutil.copytree(REPO / "content" / "stem-cells-t2dm", project / "content" / "糖尿病 资料")
    meta = project / "content" / "糖尿病 资料" / "meta.yaml"
    meta.write_text(meta.read_text("utf-8").replace(
        "layouts: [handout, parallel, trifold, booklet]", "layouts: [handout]"), "utf-8")
    code, err = _build(project, capsys)
    assert code == 0, err
    assert (project / "out" / "糖尿病 资料" / "handout.pdf").is_file()


# ---- interruption ---------------------------------------------------------------------------

def test_killed_build_leaves_the_previous_pdf_and_no_temporary_file(project):
    assert run(["--project", str(project), "build"]) == 0
    pdf = project / "out" / "stem-cells-t2dm" / "handout.pdf"
    before = pdf.read_bytes()
    en = project / BUNDLE / "en.md"
    for attempt, (sig, delay) in enumerate([(signal.SIGTERM, 0.5), (signal.SIGINT, 0.9),
                                            (signal.SIGTERM, 1.3), (signal.SIGTERM, 1.8)]):
        _edit(en, "## Conclusion", f"## Conclusion {attempt}")  # so that it must rebuild
        process = subprocess.Popen([sys.executable, "-m", "handbill", "--project", str(project),
                                    "build", "-j", "1"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(sig)
        out, err = process.communicate(timeout=60)
        assert "Traceback" not in err, err
        # 0: it finished first; 130 or killed by the signal: interrupted.
        assert process.returncode in (0, 130, -signal.SIGINT, -signal.SIGTERM), (process.returncode, err)
        leftovers = [p.name for p in pdf.parent.iterdir() if p.name != "handout.pdf"]
        assert leftovers == [], leftovers
        data = pdf.read_bytes()
        assert data == before or len(pypdf.PdfReader(pdf).pages) == 4
        assert data.rstrip().endswith(b"%%EOF")
        before = data


def test_allowed_raw_html_is_kept_but_scripts_and_frames_are_removed(project, capsys):
    _edit(project / BUNDLE / "meta.yaml", "date: 2023-06-29", "date: 2023-06-29\nallow-html: true")
    en = project / BUNDLE / "en.md"
    _edit(en, "## Conclusion\n", "## Conclusion\n\n<p>Call <b>us</b> today.</p>\n\n"
          "<script>alert(1)</script>\n\n<iframe src=\"https://example.org\"></iframe>\n\n"
          "<object data=\"x.swf\"></object> <link rel=\"stylesheet\" href=\"https://e.org/x.css\">\n")
    code, err = _build(project, capsys, "--lang", "en")
    assert code == 0, err
    for tag in ("script", "iframe", "object", "link"):
        line = _line(en, f"<{tag}")
        assert (f"{BUNDLE}/en.md:{line}: warning: <{tag}> removed: raw HTML may not run code, "
                "load pages or restyle the layout [raw-html]") in err
    text = all_text(project / "out" / "stem-cells-t2dm" / "handout.en.pdf")
    assert "Call us today." in text and "alert(1)" not in text and "<script>" not in text


def test_oversized_image_is_refused_at_its_line(project, capsys):
    from PIL import Image

    Image.new("L", (8000, 6000)).save(project / BUNDLE / "huge.png")  # 48 Mpx
    en = project / BUNDLE / "en.md"
    _edit(en, "## Conclusion\n", "## Conclusion\n\n![a huge chart](huge.png)\n")
    code, err = _build(project, capsys)
    assert code == 1
    assert (f"{BUNDLE}/en.md:{_line(en, 'huge.png')}: error: image 'huge.png' has 8000x6000 "
            "pixels, more than the 40,000,000 allowed [image]") in err


# The timeout is an alarm signal; when it goes off inside a finalizer or a gc callback
# (hypothesis installs one), Python prints and drops the exception and the re-armed
# alarm stops the render a moment later. What is dropped is not this test's business.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_page_limit_and_render_timeout(project, capsys):
    code, err = _build(project, capsys, "--max-pages", "2")
    assert code == 1
    assert (f"{BUNDLE}: error: the document has 4 pages, more than the limit of 2 [limits]") in err
    code, err = _build(project, capsys, "--timeout", "0.05", "-j", "1")
    assert code == 1
    assert re.search(rf"^{BUNDLE}: error: preparing (and rendering )?the document took more "
                     r"than 0\.05 s and was stopped \[limits\]$", err, re.M), err
    assert _no_pdf(project)


def test_the_time_limit_is_one_for_preparing_and_rendering(tmp_path):
    # A document whose preparation took 10 s of its 5: its render is stopped at once,
    # as the document's, not given 5 s of its own (the limit held twice over before).
    from handbill.spec import RenderSpec
    from handbill.worker import Job, Output, RenderTask, back

    job = Job(tmp_path, "handout", None, tmp_path / "out" / "handout.pdf")
    task = RenderTask(Output(job), "<p>a short text</p>", RenderSpec(
        base_url=tmp_path.as_uri() + "/", allowed=(tmp_path,), source="content/x"),
        5.0, "content/x", time.perf_counter() - 10)
    output = back(task)
    assert output.status == "failed"
    assert [d.format() for d in output.diagnostics] == [
        "content/x: error: preparing and rendering the document took more than 5 s and was "
        "stopped [limits]\n  hint: raise it with --timeout, or look for a runaway layout"]
    assert not job.target.exists()


# ---- processes: a killed parent, Ctrl-C on a terminal ------------------------------------

def _two_bundles(project: Path) -> Path:
    """The sample (quick) and a copy five times as long: with -j 2, once the first PDF is
    written one worker waits for work and the other renders for seconds."""
    long = project / "content" / "long"
    shutil.copytree(project / BUNDLE, long)
    lengthen(long)
    return project / "out" / "stem-cells-t2dm" / "handout.pdf"


def _build_process(project: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "handbill", "--project", str(project),
                             "build", "-j", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **popen)


def _temporary_files(project: Path) -> list[str]:
    return [p.name for p in (project / "out").rglob(".*.tmp")]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_workers_leave_when_the_main_process_is_killed(project):
    first = _two_bundles(project)
    process = _build_process(project)
    workers = wait_for(lambda: len(children(process.pid)) >= 2 and children(process.pid),
                       what="two workers")
    wait_for(first.is_file, what="the first PDF")  # one worker idle, one rendering
    process.kill()  # SIGKILL: no handler runs, the workers are not told
    process.communicate(timeout=30)
    wait_for(lambda: not any(alive(pid) for pid in workers), seconds=10,
             what="the orphaned workers leaving")
    assert _temporary_files(project) == []
    long = project / "out" / "long" / "handout.pdf"
    assert not long.exists() or len(pypdf.PdfReader(long).pages) > 4


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_ctrl_c_on_a_terminal_stops_every_process_with_one_line(project):
    first = _two_bundles(project)
    # Its own process group, as a shell gives a command; Ctrl-C signals the whole group.
    process = _build_process(project, start_new_session=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    workers = wait_for(lambda: len(children(process.pid)) >= 2 and children(process.pid),
                       what="two workers")
    wait_for(first.is_file, what="the first PDF")
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    lines = [line for line in err.splitlines() if not line.startswith("wrote ")]
    assert lines == ["handbill: interrupted; finished PDFs are complete, none is half-written"]
    wait_for(lambda: not any(alive(pid) for pid in workers), seconds=10,
             what="the workers leaving")
    assert _temporary_files(project) == []
    assert len(pypdf.PdfReader(first).pages) == 4


# ---- writing output: full disks, read-only folders, named paths that are not files ----------

def _same_characters_edit(project: Path) -> None:
    """A change that makes the handout rebuild with the very same characters (its font
    subsets stay cached: the only file the rebuild writes is the PDF)."""
    _edit(project / BUNDLE / "en.md", "## Conclusion", "## Conclusoin")


@pytest.mark.parametrize("limit,message", [
    # Past the font subsets WeasyPrint copies to the temporary folder (95 KB), short of
    # the PDF (about 200 KB): writing the PDF fails.
    (130_000, "out/stem-cells-t2dm/handout.pdf: error: cannot write the PDF: File too large "
              "[output]"),
    # Short of the subsets: WeasyPrint's temporary copy of a font fails.
    (50_000, "content/stem-cells-t2dm: error: a file could not be written while rendering: "
             "File too large [output]")])
def test_a_write_that_fails_is_an_error_and_the_old_pdf_stays(project, limit, message):
    # The file-size limit makes every write past LIMIT fail (EFBIG), as a full disk makes
    # them fail: no privileges needed.
    import resource

    lengthen(project / BUNDLE)
    assert run(["--project", str(project), "build"]) == 0
    pdf = project / "out" / "stem-cells-t2dm" / "handout.pdf"
    before = pdf.read_bytes()
    assert len(before) > 130_000
    _same_characters_edit(project)
    done = subprocess.run([sys.executable, "-m", "handbill", "--project", str(project), "build"],
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE,
                                                                (limit, limit)))
    assert done.returncode == 1, done.stderr
    assert message in done.stderr.splitlines(), done.stderr
    assert "Traceback" not in done.stderr
    assert pdf.read_bytes() == before
    assert _temporary_files(project) == []


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small file system takes root (CI is root)")
@pytest.mark.parametrize("how,reason", [("full", "No space left on device"),
                                        ("read-only", "Read-only file system")])
def test_a_full_or_read_only_output_folder(project, how, reason):
    out = project / "out"
    if not _mount_tmpfs(out, "2m"):
        pytest.skip("this machine does not let root mount a tmpfs")
    try:
        assert run(["--project", str(project), "build"]) == 0
        pdf = out / "stem-cells-t2dm" / "handout.pdf"
        before = pdf.read_bytes()
        _same_characters_edit(project)
        if how == "full":
            with open(out / "filler", "wb") as filler:  # every block but a few KB
                try:
                    while True:
                        filler.write(b"\0" * 65536)
                except OSError:
                    pass
        else:
            subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        done = subprocess.run([sys.executable, "-m", "handbill", "--project", str(project),
                               "build"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 1, done.stderr
        assert f"out/stem-cells-t2dm/handout.pdf: error: cannot write the PDF: {reason} " \
               "[output]" in done.stderr.splitlines(), done.stderr
        assert "Traceback" not in done.stderr
        assert pdf.read_bytes() == before
        assert _temporary_files(project) == []
    finally:
        subprocess.run(["umount", str(out)], check=False)


def test_report_into_a_fifo_is_written_through(project, tmp_path):
    import threading

    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    assert run(["--project", str(project), "build", "--report", str(fifo)]) == 0
    reader.join(timeout=60)
    assert os.path.exists(fifo) and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    import json

    report = json.loads(received[0])
    assert report["failed"] is False and report["outputs"][0]["status"] == "built"
