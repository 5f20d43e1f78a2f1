"""What a document's unforeseen failure says (worker.unexpected): a finding about that
document, in words a clinic can act on, and the exception itself under HANDBILL_DEBUG."""

from __future__ import annotations

import errno

import pytest

from handbill.worker import unexpected

SOURCE = "content/fasting-test"


@pytest.mark.parametrize("error, said", [
    (RecursionError("maximum recursion depth exceeded"),
     "content/fasting-test: error: the document nests its elements too deeply to lay out "
     "[limits]\n  hint: flatten deeply nested lists, quotes or emphasis"),
    (MemoryError(),
     "content/fasting-test: error: laying the document out ran out of memory [limits]\n"
     "  hint: build it alone (-j 1), or shorten it"),
    (OSError(errno.ENOSPC, "No space left on device"),
     "content/fasting-test: error: a file could not be written while rendering: No space "
     "left on device [output]\n  hint: is the disk, or the temporary folder (TMPDIR), full?"),
    (OSError(errno.EROFS, "Read-only file system"),
     "content/fasting-test: error: a file could not be written while rendering: Read-only "
     "file system [output]"),
    (OSError(errno.ENOENT, "No such file or directory"),
     "content/fasting-test: error: handbill failed on this document (FileNotFoundError: "
     "[Errno 2] No such file or directory) [internal]"),
    (KeyError("x" * 500),
     "content/fasting-test: error: handbill failed on this document (KeyError: '"
     + "x" * 199 + ") [internal]\n  hint: this is a bug in handbill: please report it"),
])
def test_an_unforeseen_error_is_a_finding_about_its_document(error, said, monkeypatch):
    monkeypatch.delenv("HANDBILL_DEBUG", raising=False)
    assert said in unexpected(error, SOURCE).format()


def test_handbill_debug_raises_it_with_its_traceback(monkeypatch):
    monkeypatch.setenv("HANDBILL_DEBUG", "1")
    with pytest.raises(RecursionError):
        unexpected(RecursionError("deep"), SOURCE)
