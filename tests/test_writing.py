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


def test_a_folder_swapped_for_a_link_out_between_a_check_and_the_opening_is_refused(
        tmp_path, monkeypatch):
    """guard.read_bytes checks a path, then opens it (never through a link at its last
    step): a folder on the way swapped for a link out in between (a race a hostile bundle
    could try) is seen from what was opened, and refused."""
    from handbill import guard
    from handbill.errors import ContentError

    root = tmp_path / "project"
    (root / "bundle").mkdir(parents=True)
    body = root / "bundle" / "en.md"
    body.write_text("## Hello\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "en.md").write_text("the password", encoding="utf-8")
    checked = guard.check

    def check_then_swap(path, *args, **kwargs):
        resolved = checked(path, *args, **kwargs)
        (root / "bundle").rename(root / "was-bundle")
        (root / "bundle").symlink_to(elsewhere, target_is_directory=True)
        return resolved

    monkeypatch.setattr(guard, "check", check_then_swap)
    with pytest.raises(ContentError) as raised:
        guard.read_bytes(body, root)
    assert "password" not in repr(raised.value.diagnostics)
    assert raised.value.diagnostics[0].code == "outside"
