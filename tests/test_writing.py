"""write_atomic, the one way handbill writes an output: a reader never sees a file half
written, a failed write leaves the old file as it was and no temporary file behind."""

from __future__ import annotations

import os
import stat

import pytest

from handbill.writing import write_atomic


def test_a_file_is_replaced_never_rewritten_in_place(tmp_path):
    path = tmp_path / "handout.pdf"
    old = b"%PDF-old " * 10_000
    path.write_bytes(old)
    inode = path.stat().st_ino
    with open(path, "rb") as reader:  # a viewer holding the old PDF open
        write_atomic(path, b"%PDF-new")
        assert reader.read() == old  # it still reads the old file, whole
    assert path.read_bytes() == b"%PDF-new"
    assert path.stat().st_ino != inode
    assert [p.name for p in tmp_path.iterdir()] == ["handout.pdf"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch,
                                                                     failing):
    path = tmp_path / "handout.pdf"
    path.write_bytes(b"%PDF-old")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError):
        write_atomic(path, b"%PDF-new" * 1000)
    monkeypatch.undo()
    assert path.read_bytes() == b"%PDF-old"
    assert [p.name for p in tmp_path.iterdir()] == ["handout.pdf"]


def test_private_files_and_the_folders_made_for_them_are_the_owners_alone(tmp_path):
    path = tmp_path / "out" / "p0001" / "handout.pdf"
    old = os.umask(0o022)
    try:
        write_atomic(path, b"%PDF", private=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o700
