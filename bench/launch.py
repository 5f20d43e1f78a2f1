"""Run one measured command from a small process; write its start, end and peak RSS.

    python -S launch.py RESULT_FILE COMMAND [ARG...]

Why: Linux counts in a process's ``ru_maxrss`` the resident set it had when it
called exec, which for a child of the benchmark (tens of MiB once it has read
PDFs back) is the benchmark's own size, not the command's. Started from this
launcher (a few MiB, no site packages), the command's ``ru_maxrss`` is its own.
RESULT_FILE gets ``start end ru_maxrss_kib`` (``time.monotonic`` seconds, one
clock for every process); the exit code is the command's.
"""

import os
import sys
import time


def main() -> int:
    result, *command = sys.argv[1:]
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    end = time.monotonic()
    with open(result, "w", encoding="ascii") as file:
        file.write(f"{start!r} {end!r} {usage.ru_maxrss}\n")
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
