"""A `handbill serve` process for the tests (test_serve, test_browser): its port, its
stderr as it comes, and plain HTTP requests to it."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

DEADLINE = 120.0


class Served:
    """`handbill serve --port 0` running on a project, its stderr collected."""

    def __init__(self, project: Path):
        self.project = project
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "handbill", "--project", str(project), "serve", "--port", "0"],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        found = self.wait_line(r"preview at http://127\.0\.0\.1:(\d+)/")
        self.port = int(found.group(1))

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line)

    def wait_line(self, pattern: str, start: int = 0):
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            for line in self.lines[start:]:
                found = re.search(pattern, line)
                if found:
                    return found
            assert self.process.poll() is None, "".join(self.lines)
            time.sleep(0.02)
        raise AssertionError(f"no {pattern!r} in {''.join(self.lines)}")

    def get(self, path: str, method: str = "GET", host: str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.putrequest(method, path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), body

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)
