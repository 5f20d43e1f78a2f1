"""Chinese words as jieba segments them (rjieba), in a process of its own when a build asks.

Headings, titles and table cells keep their Chinese words whole (see
:mod:`handbill.typography`), and the words come from jieba's dictionary. Loading
it costs about 0.13 s and 33 MB, the largest single part of the main process's
memory, for a few dozen short texts a document. So a first build (the one that
forks its render worker at once, :func:`handbill.worker.early`) also forks a
segmenter, before it imports the rest of handbill: the segmenter loads the
dictionary while the main process imports and reads the bundle, and answers
each text over a pipe. Elsewhere (``check``, a build with little to do, a
render worker, or when the segmenter has gone) the dictionary is loaded here,
on first use. Both ways run the same library on the same text: the words are
the same.

The protocol is lengths, not text: the main process sends a text (UTF-8, with
its length first), the segmenter answers with the length in characters of each
word in order, so no character in the text can break a message.
"""

from __future__ import annotations

import os
import struct

_LENGTH = struct.Struct("<I")


class _Segmenter:
    """The main process's end of a forked segmenter."""

    def __init__(self, pid: int, reader: int, writer: int) -> None:
        self.pid, self.reader, self.writer = pid, reader, writer
        self.owner = os.getpid()

    def cut(self, text: str) -> list[int] | None:
        """The word lengths of TEXT, or None if the segmenter is gone."""
        data = text.encode("utf-8", "surrogatepass")
        try:
            _write_all(self.writer, _LENGTH.pack(len(data)) + data)
            count = _LENGTH.unpack(_read_exactly(self.reader, _LENGTH.size))[0]
            return list(struct.unpack(f"<{count}I", _read_exactly(self.reader, 4 * count)))
        except (OSError, EOFError, struct.error):
            self.close()
            return None

    def close(self) -> None:
        """Close the pipe (the segmenter sees its end and leaves) and reap it."""
        global _server
        if _server is self:
            _server = None
        for fd in (self.writer, self.reader):
            try:
                os.close(fd)
            except OSError:
                pass
        if os.getpid() == self.owner:
            _reap(self.pid)


_server: _Segmenter | None = None


def start() -> None:
    """Fork the segmenter (once a build; nothing where os.fork is missing)."""
    global _server
    if _server is not None or not hasattr(os, "fork"):
        return
    to_child, from_parent = os.pipe()
    to_parent, from_child = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no memory or no process left: the dictionary loads here instead
        for fd in (to_child, from_parent, to_parent, from_child):
            os.close(fd)
        return
    if pid == 0:  # pragma: no cover - the child's side runs in the forked process
        code = 0
        try:
            os.close(from_parent)
            os.close(to_parent)
            _serve(to_child, from_child)
        except BaseException:  # noqa: BLE001 - any end of the child is a quiet exit
            code = 1
        finally:
            os._exit(code)
    os.close(to_child)
    os.close(from_child)
    _server = _Segmenter(pid, to_parent, from_parent)
    import atexit

    atexit.register(stop)


def stop() -> None:
    """Let the segmenter go (at the end of the build)."""
    if _server is not None:
        _server.close()


def _serve(reader: int, writer: int) -> None:  # pragma: no cover - in the child
    """The segmenter: texts in, word lengths out, until the main process closes the pipe."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the main process stops the build
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    cut = _load()
    while True:
        try:
            head = _read_exactly(reader, _LENGTH.size)
        except EOFError:
            return
        text = _read_exactly(reader, _LENGTH.unpack(head)[0]).decode("utf-8", "surrogatepass")
        lengths = [len(word) for word in cut(text)]
        _write_all(writer, _LENGTH.pack(len(lengths)) + struct.pack(f"<{len(lengths)}I", *lengths))


def _load():
    import rjieba

    return rjieba.cut


_here = None


def cut(text: str) -> list[str]:
    """TEXT's words, as jieba cuts it: from the segmenter when one runs for this process,
    else from the dictionary loaded here."""
    global _here
    if _server is not None and _server.owner == os.getpid():
        lengths = _server.cut(text)
        if lengths is not None and sum(lengths) == len(text):
            words, position = [], 0
            for length in lengths:
                words.append(text[position:position + length])
                position += length
            return words
    if _here is None:
        _here = _load()
    return _here(text)


def _forget_in_child() -> None:
    """A forked process (a render worker) does not share the main process's pipe: it closes
    its copy, so that the segmenter leaves when the main process lets it go."""
    global _server
    if _server is not None:
        for fd in (_server.writer, _server.reader):
            try:
                os.close(fd)
            except OSError:
                pass
    _server = None


def _reap(pid: int, seconds: float = 2.0) -> None:
    """Wait for the segmenter to leave (its pipe closed), and stop it if it does not."""
    import signal
    import time

    deadline = time.monotonic() + seconds
    try:
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return
            time.sleep(0.002)
    except (ChildProcessError, ProcessLookupError):
        pass


os.register_at_fork(after_in_child=_forget_in_child)


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
