"""`watch` calls the rebuild function with the changed sources, and ignores the rest."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from handbill.errors import UsageError
from handbill.watch import SourceFilter, watch

TIMEOUT = 5.0  # seconds: every wait below is bounded by this


class Recorder:
    """A rebuild function that remembers the batches it was called with."""

    def __init__(self):
        self.batches: list[set[Path]] = []
        self.lock = threading.Lock()

    def __call__(self, changed: set[Path]) -> int:
        with self.lock:
            self.batches.append({path.resolve() for path in changed})
        return 0

    def seen(self) -> set[Path]:
        with self.lock:
            return set().union(*self.batches)


def _write_until_seen(path: Path, recorder: Recorder) -> None:
    """Write PATH until the watcher reports it (the watcher may still be starting)."""
    deadline = time.monotonic() + TIMEOUT
    n = 0
    while path.resolve() not in recorder.seen():
        assert time.monotonic() < deadline, f"no rebuild for {path} within {TIMEOUT} s"
        n += 1
        path.write_text(f"## Edit {n}\n", encoding="utf-8")
        time.sleep(0.1 * min(n, 5))


@pytest.fixture
def watching(tmp_path):
    """watch() running in a thread over tmp_path/project, with out/ as the output folder."""
    project = tmp_path / "project"
    (project / "content" / "a").mkdir(parents=True)
    out = project / "out"
    out.mkdir()
    recorder = Recorder()
    stop = threading.Event()
    errors: list[BaseException] = []

    def target():
        try:
            watch([project], recorder, stop_event=stop, debounce_ms=100, out_dir=out)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    yield project, recorder
    stop.set()
    thread.join(TIMEOUT)
    assert not thread.is_alive(), "watch() did not stop when the stop event was set"
    assert not errors, errors


def test_a_saved_markdown_file_triggers_a_rebuild(watching):
    project, recorder = watching
    en = project / "content" / "a" / "en.md"
    _write_until_seen(en, recorder)


def test_output_and_temporary_files_do_not_trigger_a_rebuild(watching):
    project, recorder = watching
    _write_until_seen(project / "content" / "a" / "meta.yaml", recorder)  # the watcher is up
    with recorder.lock:
        recorder.batches.clear()
    ignored = [project / "out" / "a" / "handout.pdf", project / "out" / "b.pdf",
               project / "content" / "a" / ".x.tmp", project / "content" / "a" / ".en.md.swp",
               project / "content" / "a" / "en.md~", project / ".cache" / "handbill" / "f.otf"]
    for path in ignored:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"ignored")
    # Changes arrive in order: once a later change is seen, the earlier ones were filtered out.
    _write_until_seen(project / "content" / "a" / "zh-Hans.md", recorder)
    seen = recorder.seen()
    assert not seen & {p.resolve() for p in ignored}, seen
    assert not any(p.is_relative_to((project / "out").resolve()) for p in seen), seen


def test_stop_event_ends_the_watch_without_changes(tmp_path):
    stop = threading.Event()
    stop.set()
    thread = threading.Thread(target=watch, args=([tmp_path], lambda changed: 0),
                              kwargs={"stop_event": stop}, daemon=True)
    thread.start()
    thread.join(TIMEOUT)
    assert not thread.is_alive()


def test_nothing_to_watch_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="nothing to watch"):
        watch([tmp_path / "missing"], lambda changed: 0)


def test_filter_checks_folders_below_the_watched_root_only(tmp_path):
    root = tmp_path / ".cache" / "project"
    keep = SourceFilter([root], out_dir=root / "out")
    assert keep(None, str(root / "content" / "a" / "en.md"))
    assert keep(None, str(root / "site.yaml"))
    assert not keep(None, str(root / ".cache" / "handbill" / "x.otf"))
    assert not keep(None, str(root / "out" / "a" / "handout.pdf"))
    assert keep(None, str(root / "outline.md"))
    for name in (".handout.pdf.k2j3.tmp", "en.md.swp", ".en.md.swx", "en.md~", ".#en.md", "4913"):
        assert not keep(None, str(root / "content" / name)), name


def test_falls_back_to_polling_when_notifications_fail(tmp_path, monkeypatch):
    import watchfiles

    calls = []

    def fake_watch(*paths, force_polling=None, **kwargs):
        calls.append(force_polling)
        if not force_polling:
            raise OSError(28, "inotify watch limit reached")
        yield {(watchfiles.Change.modified, str(tmp_path / "en.md"))}

    monkeypatch.setattr(watchfiles, "watch", fake_watch)
    recorder = Recorder()
    watch([tmp_path], recorder)
    assert calls == [None, True]
    assert recorder.batches == [{(tmp_path / "en.md").resolve()}]
