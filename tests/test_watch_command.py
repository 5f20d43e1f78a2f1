"""`handbill watch` as a user runs it: a build, then a rebuild on every save, each said
on stdout (what was written) and stderr (what was found, then the watching line); a
save that breaks the text is an error at its file:line, and the next good save builds
again. SIGTERM (or Ctrl-C) stops it, exit 0."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import SAMPLE, clinic_project
from pdfcheck import reading_text, squash

DEADLINE = 120.0
B = "stem-cells-t2dm"


class Watching:
    """`handbill watch` on PROJECT, its stdout and stderr lines collected as they come."""

    def __init__(self, project: Path, *args: str):
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "handbill", "--project", str(project), "watch", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for stream in (self.process.stdout, self.process.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line)

    def wait_line(self, pattern: str, start: int = 0) -> int:
        """The index of the first line from START that matches PATTERN."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            for index, line in enumerate(self.lines[start:], start):
                if re.search(pattern, line):
                    return index
            assert self.process.poll() is None, "".join(self.lines)
            time.sleep(0.02)
        raise AssertionError(f"no {pattern!r} in {''.join(self.lines)}")


def _project(tmp_path: Path) -> Path:
    project = clinic_project(tmp_path / "project")
    shutil.copytree(SAMPLE, project / "content" / B)
    return project


def test_watch_builds_then_follows_each_save(tmp_path):
    project = _project(tmp_path)
    watching = Watching(project, "--layout", "handout")
    pdf = project / "out" / B / "handout.pdf"
    first = watching.wait_line(r"watching for changes \(1 output, ok\)")
    assert any(f"wrote out/{B}/handout.pdf (" in line for line in watching.lines[:first])
    assert squash("## Introduction".lstrip("# ")) in squash(reading_text(pdf))

    body = project / "content" / B / "en.md"
    text = body.read_text("utf-8")
    body.write_text(text.replace("## Introduction", "## Introduction to the treatment"),
                    "utf-8")
    second = watching.wait_line(r"watching for changes \(1 output, ok\)", first + 1)
    assert any(f"wrote out/{B}/handout.pdf (" in line for line in watching.lines[first + 1:second])
    assert squash("Introduction to the treatment") in squash(reading_text(pdf))

    # A save that no longer builds: the error where it is; the last PDF stays as it was.
    before = pdf.read_bytes()
    body.write_text(text + "\nAs the trial showed [@nowhere2099].\n", "utf-8")
    third = watching.wait_line(r"watching for changes \(1 output, failed\)", second + 1)
    said = "".join(watching.lines[second + 1:third])
    line = len(text.splitlines()) + 2
    assert re.search(rf"content/{B}/en\.md:{line}:\d+: error: .*nowhere2099", said), said
    assert "wrote" not in said and "Traceback" not in said
    assert pdf.read_bytes() == before

    body.write_text(text, "utf-8")
    watching.wait_line(r"watching for changes \(1 output, ok\)", third + 1)
    assert squash("Introduction to the treatment") not in squash(reading_text(pdf))

    watching.process.send_signal(signal.SIGTERM)
    assert watching.process.wait(timeout=60) == 0  # stopped, as asked: not a failure
    assert "Traceback" not in "".join(watching.lines)


def test_watch_of_a_bundle_that_is_not_there_is_exit_2(tmp_path):
    project = _project(tmp_path)
    result = subprocess.run([sys.executable, "-m", "handbill", "--project", str(project),
                             "watch", str(project / "content" / "nope")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "content/nope" in result.stderr and "Traceback" not in result.stderr
    assert not (project / "out").exists()


def test_watch_with_a_misspelt_layout_is_exit_2(tmp_path):
    project = _project(tmp_path)
    result = subprocess.run([sys.executable, "-m", "handbill", "--project", str(project),
                             "watch", "--layout", "handuot"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "handuot" in result.stderr and "Traceback" not in result.stderr
