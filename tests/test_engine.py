"""Start-up: WeasyPrint imported the quick way, and one-document builds split over two processes."""

from __future__ import annotations

import ctypes.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from handbill import engine
from handbill.cli import run

from conftest import add_second_bundle, assert_same_pdfs, children, lengthen

#: The libraries WeasyPrint 70 loads, by the spelling that names them on Linux.
WEASYPRINT_LIBRARIES = ("gobject-2.0", "pango-1.0", "harfbuzz", "harfbuzz-subset", "fontconfig",
                        "pangoft2-1.0")


@pytest.mark.skipif(not engine._fast_path_usable(), reason="no glibc ldconfig here")
def test_quick_find_library_finds_what_ctypes_finds():
    for name in WEASYPRINT_LIBRARIES:
        found = engine.find_library(name)
        assert found is not None and found == ctypes.util.find_library(name), name
    # The macOS and Windows spellings WeasyPrint tries first are not libraries here.
    assert engine.find_library("libgobject-2.0-0") is None
    assert engine.find_library("gobject-2.0-0") is None


def _in_fresh_python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120).stdout


def test_load_leaves_find_library_as_it_was_and_weasyprint_works():
    out = _in_fresh_python(
        "import ctypes.util; real = ctypes.util.find_library\n"
        "from handbill import engine; w = engine.load()\n"
        "from weasyprint.text import ffi\n"
        "pdf = w.HTML(string='<p>x</p>').write_pdf()\n"
        "print(ctypes.util.find_library is real, ffi.pango is not None, pdf[:5])")
    assert out.split() == ["True", "True", "b'%PDF-'"]


def test_a_library_the_quick_way_misses_is_found_the_usual_way():
    # As if a library were only where gcc or ld look (LD_LIBRARY_PATH): the quick
    # import fails, WeasyPrint's advice is not printed, and the usual import follows.
    out = _in_fresh_python(
        "from handbill import engine\n"
        "engine.find_library = lambda name: None\n"
        "w = engine.load()\n"
        "from weasyprint.text import ffi\n"
        "print('loaded', ffi.gobject is not None)")
    assert out.split() == ["loaded", "True"]


def test_one_job_rendered_in_a_worker_gives_the_bytes_rendered_here(project):
    # A fresh process has not imported WeasyPrint: -j 1 prepares here and renders in a
    # worker. In this test process WeasyPrint is loaded first, so all of it runs here.
    subprocess.run([sys.executable, "-m", "handbill", "--project", str(project), "build",
                    "-j", "1", "--out", str(project / "worker")], check=True, timeout=120,
                   capture_output=True)
    engine.load()
    assert run(["--project", str(project), "build", "-j", "1", "--out", str(project / "here")]) == 0
    worker = project / "worker" / "stem-cells-t2dm" / "handout.pdf"
    here = project / "here" / "stem-cells-t2dm" / "handout.pdf"
    assert worker.read_bytes() == here.read_bytes()


def test_a_render_problem_in_a_worker_is_reported_at_its_bundle(project):
    result = subprocess.run([sys.executable, "-m", "handbill", "--project", str(project), "build",
                             "-j", "1", "--max-pages", "2"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    assert ("content/stem-cells-t2dm: error: the document has 4 pages, more than the limit "
            "of 2 [limits]") in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "out" / "stem-cells-t2dm" / "handout.pdf").exists()


def test_the_next_document_with_the_same_fonts_reuses_them_and_gets_the_same_bytes(project):
    from handbill import pdf

    out = project / "out" / "stem-cells-t2dm" / "handout.pdf"
    engine.load()
    pdf._LOADED_FONTS.clear()
    assert run(["--project", str(project), "build", "-j", "1", "--out", str(project / "out")]) == 0
    fresh = out.read_bytes()
    assert len(pdf._LOADED_FONTS) == 1
    (font_config, _css), = pdf._LOADED_FONTS.values()
    (project / "out" / ".handbill-manifest.json").unlink()  # so that it builds again
    assert run(["--project", str(project), "build", "-j", "1", "--out", str(project / "out")]) == 0
    (again, _css), = pdf._LOADED_FONTS.values()
    assert again is font_config  # reused, not loaded again
    assert out.read_bytes() == fresh


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_kept_fonts_leave_no_temporary_folder_and_no_noise_at_exit(project, tmp_path, jobs):
    # WeasyPrint copies a document's fonts into a temporary folder that goes when its
    # FontConfiguration goes; handbill keeps the last one for the next document, so it
    # must let go of it when a process (main or worker) ends.
    shutil.copytree(project / "content" / "stem-cells-t2dm", project / "content" / "second")
    temp = tmp_path / "temp"
    temp.mkdir()
    result = subprocess.run([sys.executable, "-m", "handbill", "--project", str(project), "build",
                             "-j", jobs], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "TMPDIR": str(temp)})
    assert result.returncode == 0, result.stderr
    assert "Exception ignored" not in result.stderr and "Traceback" not in result.stderr
    assert list(temp.iterdir()) == []


def test_workers_forked_from_a_process_with_kept_fonts_leave_them_alone(project, tmp_path):
    # A program that builds in its own process (fonts kept), then with -j 2 (workers
    # forked from it, inheriting the kept fonts): the workers must neither delete the
    # parent's font files nor leave their own behind. The second bundle has a character
    # more, so its subsets, and the fonts a worker loads for it, differ.
    second = project / "content" / "second"
    shutil.copytree(project / "content" / "stem-cells-t2dm", second)
    zh = second / "zh-Hans.md"
    zh.write_text(zh.read_text(encoding="utf-8") + "\n鑫\n", encoding="utf-8")
    temp = tmp_path / "temp"
    temp.mkdir()
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from handbill import engine\n"
        "from handbill.cli import run\n"
        "engine.load()\n"
        f"p = {str(project)!r}\n"
        "assert run(['--project', p, 'build', '-j', '1', '--out', p + '/one']) == 0\n"
        "import gc; gc.collect()  # the fonts let go of are gone: only the kept ones remain\n"
        "kept = sorted(Path(os.environ['TMPDIR']).iterdir())\n"
        "assert run(['--project', p, 'build', '-j', '2', '--out', p + '/two']) == 0\n"
        "after = sorted(Path(os.environ['TMPDIR']).iterdir())\n"
        "print(len(kept), kept == after, all(any(k.iterdir()) for k in kept))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=180, env={**os.environ, "TMPDIR": str(temp)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["1", "True", "True"], result.stdout
    assert list(temp.iterdir()) == []  # and the parent let go of its own at exit
    for name in ("stem-cells-t2dm", "second"):
        one = project / "one" / name / "handout.pdf"
        assert one.read_bytes() == (project / "two" / name / "handout.pdf").read_bytes()


@pytest.mark.parametrize("variant", [None, "pdf/a-2b"])
def test_objects_serialized_once_give_pydyfs_own_bytes(project, monkeypatch, variant):
    """write_once keeps each object's bytes during a write: the PDF must be pydyf's own."""
    from handbill import write_once
    from handbill.builder import front, plan
    from handbill.options import BuildOptions
    from handbill.pdf import render_pdf

    engine.load()
    options = BuildOptions(project=project, pdf_variant=variant)
    (job,), _ = plan(None, options)
    task = front(job, options)
    kept = []
    real_stop = write_once.stop
    monkeypatch.setattr(write_once, "stop", lambda: (kept.append(len(write_once._MEMO or ())),
                                                     real_stop()))
    once, pages = render_pdf(task.html, **task.spec.pdf_arguments())
    assert kept and kept[0] > 1000  # the objects' bytes were kept, so given back twice
    assert write_once._MEMO is None  # stopped after the write
    monkeypatch.setattr(write_once, "start", lambda: None)  # pydyf's own double pass
    twice, _ = render_pdf(task.html, **task.spec.pdf_arguments())
    assert pages == 4 and once == twice


def test_a_first_build_forks_its_worker_before_importing_the_rest(project):
    """No manifest in out/: the first worker starts before handbill's builder is imported;
    with -j 2 a second one joins it, and the PDFs are those -j 1 makes in one process."""
    add_second_bundle(project)
    script = ("import sys; from handbill import worker; from handbill.cli import run\n"
              "started = []; grow = worker.Workers.grow_to\n"
              "def record(self, n):\n"
              "    started.append((self.size, n, 'handbill.builder' in sys.modules))\n"
              "    grow(self, n)\n"
              "worker.Workers.grow_to = record\n"
              f"code = run(['--project', {str(project)!r}, 'build', '-j', '2', '--out', "
              f"{str(project / 'two')!r}])\n"
              "print(code, 'weasyprint' in sys.modules, started)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, timeout=120)
    # One worker before the builder was imported, then the pool grew to two workers.
    assert result.stdout.splitlines()[-1] == "0 False [(0, 1, False), (1, 2, True)]", \
        result.stdout + result.stderr
    engine.load()
    assert run(["--project", str(project), "build", "-j", "1", "--out", str(project / "one")]) == 0
    assert_same_pdfs(project / "one", project / "two", 3)


def test_importing_the_command_line_imports_little():
    out = _in_fresh_python("import sys, handbill.cli\n"
                           "print(sorted(m for m in sys.modules if m in ('handbill.builder', "
                           "'weasyprint', 'jinja2', 'yaml', 'markdown_it')))")
    assert out.split() == ["[]"]


def test_a_build_that_stops_early_stops_its_early_worker_quietly(project, tmp_path):
    # No manifest: the first worker is forked at once, then the build finds a usage error.
    # The worker, given no task, is stopped without a word (it was importing WeasyPrint).
    temp = tmp_path / "temp"
    temp.mkdir()
    result = subprocess.run([sys.executable, "-m", "handbill", "--project", str(project), "build",
                             "--layout", "nope"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "TMPDIR": str(temp)})
    assert result.returncode == 2
    assert result.stderr == ("handbill: error: unknown layout 'nope' (--layout) [usage]\n"
                             "  hint: layouts: booklet, handout, parallel, trifold "
                             "('handbill layouts' describes them)\n")
    assert list(temp.iterdir()) == [] and not (project / "out").exists()


def _long_bundle(project: Path) -> None:
    """The sample's texts five times over: a worker takes seconds to render it."""
    lengthen(project / "content" / "stem-cells-t2dm")


def _signal_the_worker(project: Path, signum: int, after: float) -> tuple[int, str]:
    """Build with -j 1, send SIGNUM to the render worker AFTER seconds from its fork;
    return the build's exit code and what it printed on stderr."""
    process = subprocess.Popen([sys.executable, "-m", "handbill", "--project", str(project),
                                "build", "-j", "1"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (workers := children(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(after)
    for pid in workers:
        os.kill(pid, signum)
    _out, err = process.communicate(timeout=120)
    return process.returncode, err


STOPPED = ("content/stem-cells-t2dm: error: the process rendering it stopped before it was done "
           "(killed, or out of memory?) [render]")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_a_worker_that_dies_fails_its_document_with_a_message(project):
    _long_bundle(project)
    # 1 s in: WeasyPrint imported, the long document being rendered. SIGKILL: as the
    # kernel's out-of-memory killer would.
    code, err = _signal_the_worker(project, signal.SIGKILL, 1.0)
    assert code == 1, err
    assert STOPPED in err, err
    assert "Traceback" not in err
    assert not (project / "out" / "stem-cells-t2dm" / "handout.pdf").exists()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stopping_a_build_while_its_worker_imports_prints_no_traceback(project, tmp_path, signum):
    temp = tmp_path / "temp"
    temp.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "handbill", "--project", str(project),
                                "build"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True,
                               env={**os.environ, "TMPDIR": str(temp)},
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(0.25)  # the first worker is importing WeasyPrint (0.1 s to 0.4 s)
    os.killpg(process.pid, signum)  # as Ctrl-C, or a CI job being cancelled, would
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "Exception" not in err, err
    assert list(temp.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_a_worker_stopped_while_it_imports_leaves_quietly(project):
    # SIGTERM reaching the worker alone, 50 ms after its fork, while it imports WeasyPrint:
    # no traceback from the pool; its document fails with a message.
    code, err = _signal_the_worker(project, signal.SIGTERM, 0.05)
    assert "Traceback" not in err and "Exception in initializer" not in err, err
    assert code == 1, err
    assert STOPPED in err, err


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_a_worker_ignores_ctrl_c_which_is_the_main_process_to_act_on(project):
    # Ctrl-C on a terminal reaches every process of the group; a worker leaves the
    # stopping to the main process (which stops it, see test_safety). Reaching the
    # worker alone, it changes nothing: the document is built.
    code, err = _signal_the_worker(project, signal.SIGINT, 0.05)
    assert code == 0, err
    assert "Traceback" not in err
    assert (project / "out" / "stem-cells-t2dm" / "handout.pdf").is_file()


#: Texts for the segmenter: headings as translators write them, and what breaks a protocol
#: (no Han at all, an empty text, Extension B, a lone surrogate, the separator characters a
#: text-based protocol would split on, a long cell).
SEGMENTED = ["干细胞治疗2型糖尿病：我们目前知道什么", "如果出现以下情况，请立即拨打急救电话",
             "注射胰岛素前的准备", "幹細胞治療第2型糖尿病", "Insulin", "", "𠀋𠀌血糖",
             "血\x1f糖\x00值\n单位", "食物或饮料" * 400]


def test_the_segmenter_process_cuts_as_jieba_does_here():
    """The forked segmenter's words are jieba's, text for text; with it gone, the words
    come from the dictionary loaded here, the same."""
    out = _in_fresh_python(
        "import json, sys, os\n"
        "from handbill import segmenter\n"
        f"texts = {SEGMENTED!r}\n"
        "segmenter.start(); server = segmenter._server\n"
        "there = [segmenter.cut(t) for t in texts]\n"
        "loaded_here = 'rjieba' in sys.modules\n"
        "os.kill(server.pid, 9); os.waitpid(server.pid, 0)\n"
        "after = [segmenter.cut(t) for t in texts]\n"
        "import rjieba\n"
        "print(json.dumps([loaded_here, segmenter._server is None, there == after,"
        " there == [rjieba.cut(t) for t in texts], there[0]]))")
    import json

    loaded_here, gone, same, as_jieba, first = json.loads(out)
    assert (loaded_here, gone, same, as_jieba) == (False, True, True, True)
    assert first == ["干细胞", "治疗", "2", "型", "糖尿病", "：", "我们", "目前", "知道", "什么"]


def test_a_first_build_loads_the_dictionary_outside_the_main_process(project):
    """The first build forks the segmenter: the main process never loads jieba's dictionary
    (33 MB), the headings keep their words whole all the same, and the segmenter is gone
    when the build is (no process left behind)."""
    script = ("import sys, os; from handbill.cli import run\n"
              f"code = run(['--project', {str(project)!r}, 'build', '--layout', 'handout', "
              f"'--out', {str(project / 'first')!r}])\n"
              "from handbill import segmenter\n"
              "print(code, 'rjieba' in sys.modules, segmenter._server)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.splitlines()[-1] == "0 False None", result.stdout + result.stderr
    engine.load()  # here, in one process, the dictionary is loaded here: the same PDF
    assert run(["--project", str(project), "build", "--layout", "handout", "--out",
                str(project / "here")]) == 0
    assert_same_pdfs(project / "first", project / "here", 1)


def test_a_render_worker_imports_none_of_the_front(project, tmp_path):
    """What a worker unpickles and renders with (RenderSpec, the pages' source marks, the
    allowed folders) comes from small modules: the worker never imports the front
    (document, Markdown, citations, layouts) or its libraries."""
    found = tmp_path / "modules.txt"
    script = ("import sys; from handbill import worker; from handbill.cli import run\n"
              "back = worker.back\n"
              "def record(task):\n"
              "    output = back(task)\n"
              f"    open({str(found)!r}, 'w').write(' '.join(sorted(sys.modules)))\n"
              "    return output\n"
              "worker.back = record\n"
              f"print(run(['--project', {str(project)!r}, 'build', '--layout', 'handout', "
              f"'-j', '1', '--out', {str(project / 'w')!r}]))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.split()[-1] == "0", result.stderr
    modules = set(found.read_text().split())
    assert "weasyprint" in modules and "handbill.pdf" in modules
    front = {"handbill.document", "handbill.markdown", "handbill.citations", "handbill.layouts",
             "handbill.content", "handbill.render", "markdown_it", "jinja2", "yaml", "rjieba"}
    assert modules & front == set()


def _patterns_loaded() -> list[str]:
    """In a worker: the hyphenation patterns pyphen has loaded, by file name."""
    import pyphen

    return sorted(Path(path).name for path in pyphen.hdcache)


def test_a_worker_loads_the_documents_hyphenation_patterns_before_its_first_document():
    from handbill.worker import Workers

    workers = Workers()
    try:
        workers.grow_to(1)
        workers.warm(("en-US",))
        # The executor runs in order: this runs after the warm-up, as a first document would.
        pool, = workers._pools
        assert pool.executor.submit(_patterns_loaded).result(timeout=60) == ["hyph_en_US.dic"]
        assert pool.given == 0  # a build that stops now does not wait for its import
    finally:
        workers.close()


def test_a_worker_given_a_document_already_is_not_warmed_again(monkeypatch):
    from handbill import worker

    pool = type("Pool", (), {"given": 1, "warm": lambda self, h: pytest.fail("warmed")})()
    workers = worker.Workers()
    workers._pools.append(pool)
    workers.warm(("en-US",))


def test_the_warm_up_loads_nothing_for_a_language_pyphen_has_no_patterns_for():
    import pyphen

    from handbill.worker import warm

    before = dict(pyphen.hdcache)
    warm(("zz-Nowhere",))
    assert pyphen.hdcache == before


def test_the_hyphenation_a_document_needs_is_its_languages(project):
    from handbill.builder import hyphenation, plan
    from handbill.options import BuildOptions

    options = BuildOptions(project=project)
    (job,), _ = plan(None, options)
    assert hyphenation(job, options) == ("en-US",)  # zh-Hans is never hyphenated
    options = BuildOptions(project=project, lang="zh-Hans")
    (job,), _ = plan(None, options)
    assert hyphenation(job, options) == ()
    meta = project / "content" / "stem-cells-t2dm" / "meta.yaml"
    meta.write_text("title: [\n", encoding="utf-8")  # the front says what is wrong
    assert hyphenation(job, options) == ()


def test_the_collector_is_off_from_the_early_worker_to_the_first_document_sent(tmp_path):
    # In a fresh process, as a build's: WeasyPrint not imported, so an early worker starts.
    out = _in_fresh_python(
        "import gc, os\n"
        "from pathlib import Path\n"
        "from handbill import worker\n"
        "said = [gc.isenabled()]\n"
        f"workers = worker.early(Path({str(tmp_path / 'out')!r}))\n"
        "said.append(gc.isenabled())\n"
        "workers.submit(worker.RenderTask.__new__(worker.RenderTask))  # fails there\n"
        "said.append(gc.isenabled())\n"
        "workers.close()\n"
        "gc.disable()\n"
        f"closed = worker.early(Path({str(tmp_path / 'out')!r}))\n"
        "said.append(gc.isenabled())\n"
        "closed.close()  # a build that stops before its first document\n"
        "said.append(gc.isenabled())\n"
        "print(os.cpu_count() > 1, *said)")
    if out.split()[0] == "False":
        pytest.skip("one CPU: no early worker")
    assert out.split()[1:] == ["True", "False", "True", "False", "True"]


def test_the_collector_is_on_again_when_the_first_document_is_found_broken(project):
    # A batch whose first documents all fail their checks never sends one: the collector
    # must not stay off for all of them.
    body = project / "content" / "stem-cells-t2dm" / "en.md"
    body.write_text(body.read_text(encoding="utf-8") + "\nSee [@no-such-key].\n",
                    encoding="utf-8")
    out = _in_fresh_python(
        "import gc, os\n"
        "from pathlib import Path\n"
        "from handbill import builder, worker\n"
        "from handbill.options import BuildOptions\n"
        f"options = BuildOptions(project=Path({str(project)!r}), jobs=1)\n"
        "workers = worker.early(options.out_dir)\n"
        "jobs, _ = builder.plan(None, options)\n"
        "first = next(builder._run_all(jobs, options, workers))\n"
        "print(os.cpu_count() > 1, first.status, gc.isenabled())\n"
        "workers.close()")
    if out.split()[0] == "False":
        pytest.skip("one CPU: no early worker")
    assert out.split()[1:] == ["failed", "True"]
