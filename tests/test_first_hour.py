"""A new user's first hour: how to run the command, where the project is, what the
messages say. Each test keeps one of the traps of that hour closed."""

from __future__ import annotations

import re

import shutil
from pathlib import Path

import pytest

from handbill.cli import find_project, run
from handbill.scaffold import new_bundle

from conftest import REPO, clinic_project

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def small_project(tmp_path) -> Path:
    """A project as a clinic starts one: the sample's site.yaml and assets, one new bundle."""
    root = clinic_project(tmp_path / "clinic")
    new_bundle(root, "first")
    return root


# ---- 1. How to run the command itself ----------------------------------------------

def test_the_readme_says_how_to_run_the_command_make_installed():
    assert ".venv/bin/handbill" in README
    assert ". .venv/bin/activate" in README


def test_new_says_how_to_run_the_command(small_project, capsys):
    assert run(["--project", str(small_project), "new", "second"]) == 0
    out = capsys.readouterr().out
    # In the tests, handbill runs from a virtual environment that is not on PATH: the
    # message names the command as it can be typed, and how to make it 'handbill'.
    assert "bin/handbill check " in out and "bin/handbill build " in out
    assert "bin/activate" in out


# ---- 2. The project is found from inside it -------------------------------------------

def test_find_project_walks_up_to_site_yaml_or_content(small_project, tmp_path):
    bundle = small_project / "content" / "first"
    (bundle / "deeper").mkdir()
    assert find_project(bundle) == small_project
    assert find_project(bundle / "deeper") == small_project
    assert find_project(small_project / "content") == small_project
    assert find_project(small_project) == small_project
    lone = tmp_path / "nothing-here"
    lone.mkdir()
    assert find_project(lone) == lone  # no marker anywhere above: the folder itself
    (small_project / "site.yaml").unlink()  # a project without site.yaml: its content/
    assert find_project(bundle) == small_project


def test_build_from_a_bundle_folder_builds_into_the_project(small_project, monkeypatch,
                                                            capsys):
    bundle = small_project / "content" / "first"
    monkeypatch.chdir(bundle)
    assert run(["build", "."]) == 0
    assert (small_project / "out" / "first" / "handout.pdf").is_file()
    assert not (bundle / "out").exists()
    err = capsys.readouterr().err
    assert f"handbill: project {small_project}" in err


def test_check_and_build_from_content_use_the_project(small_project, monkeypatch, capsys):
    monkeypatch.chdir(small_project / "content")
    assert run(["build", "first"]) == 0  # a PATH is relative to the current folder
    assert (small_project / "out" / "first" / "handout.pdf").is_file()
    assert not (small_project / "content" / "out").exists()
    capsys.readouterr()
    assert run(["build"]) == 0  # no PATH: the project's content/, here up to date
    assert "0 built, 1 up to date" in capsys.readouterr().out


def test_project_option_wins_over_the_folder_found(small_project, tmp_path, monkeypatch):
    other = tmp_path / "other"
    (other / "content").mkdir(parents=True)
    new_bundle(other, "elsewhere")
    monkeypatch.chdir(small_project / "content" / "first")
    assert run(["--project", str(other), "build"]) == 0
    assert (other / "out" / "elsewhere" / "handout.pdf").is_file()
    assert not (small_project / "out").exists()


def test_no_project_anywhere_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["build"]) == 2
    err = capsys.readouterr().err
    assert "not a handbill project" in err and "--project" in err and "handbill new" in err


# ---- 3. YAML mistakes are located, and say what to do ------------------------------------

def _meta_problems(project: Path, date_line: str) -> list[str]:
    """The messages `check` gives for the new bundle's meta.yaml with DATE_LINE as its date."""
    from handbill.content import load_meta
    from handbill.errors import HandbillError

    meta = project / "content" / "first" / "meta.yaml"
    text = meta.read_text(encoding="utf-8")
    start = text.index("\ndate: ") + 1
    end = text.index("\n", start)
    meta.write_text(text[:start] + date_line + text[end:], encoding="utf-8")
    try:
        load_meta(meta.parent, project)
    except HandbillError as error:
        return [d.format() for d in error.diagnostics]
    return []


@pytest.mark.parametrize("written, problem", [
    ("2026-02-30", "'2026-02-30' is not a date: day is out of range for month"),
    ("2026-13-01", "'2026-13-01' is not a date: month must be in 1..12"),
    ("'2026-02-30'", "'2026-02-30' is not a date: day is out of range for month"),
])
def test_an_impossible_date_is_an_error_at_its_line(small_project, written, problem):
    found = _meta_problems(small_project, f"date: {written}")
    line = next(i for i, text in enumerate((small_project / "content" / "first" / "meta.yaml")
                                           .read_text("utf-8").splitlines(), 1)
                if text.startswith("date:"))
    assert len(found) == 1, found
    assert found[0].startswith(f"content/first/meta.yaml:{line}:"), found
    assert problem in found[0] and "YYYY-MM-DD" in found[0]
    assert "invalid YAML" not in found[0]  # the YAML is fine: the date is not


@pytest.mark.parametrize("written", ["'2026-12-01'", '"2026-12-01"', "2026-12-01"])
def test_a_quoted_date_is_a_date(small_project, written):
    import datetime

    from handbill.content import load_meta

    assert _meta_problems(small_project, f"date: {written}") == []
    assert load_meta(small_project / "content" / "first", small_project).date == \
        datetime.date(2026, 12, 1)


def test_a_date_that_is_no_date_does_not_contradict_itself(small_project):
    found = _meta_problems(small_project, "date: 2026-12-1")
    assert len(found) == 1 and "not '2026-12-1'" in found[0] and "2026-12-01" in found[0]


@pytest.mark.parametrize("text, line, column", [
    ("title:\n\ten: x\n", 2, 1),               # a tab for the indentation
    ("a: 1\n\tb: 2\n", 2, 1),
    ("title:\n  \ten: x\n", 2, 3),             # spaces, then a tab
    ("a:\n  - x\n\t- y\n", 3, 1),
    ("- a\n-\tb\n", 2, 2),                     # a tab after a list's dash
    ("a: |\n\tx\n", 2, 1),                     # in a block of text
])
def test_a_tab_in_yaml_says_use_spaces_at_its_line(tmp_path, text, line, column):
    from handbill.errors import ContentError
    from handbill.yamlfile import load_yaml

    for name in ("meta.yaml", "site.yaml", "layout.yaml", "strings.yaml", "references.yaml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ContentError) as error:
            load_yaml(path, tmp_path)
        (diagnostic,) = error.value.diagnostics
        assert (diagnostic.path, diagnostic.line, diagnostic.column) == (name, line, column)
        assert "tab" in diagnostic.message and "spaces" in diagnostic.message
        assert "spaces" in diagnostic.hint
        assert text.split("\n")[line - 1][column - 1] == "\t"


def test_a_tab_in_site_yaml_is_reported_by_build(small_project, capsys):
    site = small_project / "site.yaml"
    site.write_text(site.read_text("utf-8").replace("\n  zh-Hans: 海港社区", "\n\tzh-Hans: 海港社区"),
                    "utf-8")
    assert run(["--project", str(small_project), "build"]) == 1
    err = capsys.readouterr().err
    assert "site.yaml:6:1: error: a tab character: YAML indents with spaces" in err, err
    assert "Traceback" not in err


# ---- 4. Unknown names: the choices, and the nearest ----------------------------------------

@pytest.mark.parametrize("args, message, near", [
    (["build", "--layout", "handuot"], "unknown layout 'handuot'", "handout"),
    (["check", "--layout", "handuot"], "unknown layout 'handuot'", "handout"),
    (["fonts", "--layout", "handuot"], "unknown layout 'handuot'", "handout"),
    (["build", "--option", "mraks=crop"], "layout 'handout' has no option 'mraks'", "marks"),
    (["build", "--option", "marks=corp"], "option marks=corp is not one of", "crop"),
    (["build", "--page-size", "Leter"], "option page-size=Leter is not one of: A4, A5, Letter",
     "Letter"),
])
def test_a_misspelt_name_on_the_command_line_gets_did_you_mean(small_project, capsys, args,
                                                               message, near):
    assert run(["--project", str(small_project), *args]) == 2
    err = capsys.readouterr().err
    assert f"handbill: error: {message}" in err, err
    assert f"hint: did you mean '{near}'?" in err, err
    if "layout '" in message or "unknown layout" in message:
        assert "handout, parallel, trifold" in err or "bleed, colour" in err, err


def _edit_meta(project: Path, old: str, new: str) -> int:
    """Replace OLD by NEW in the new bundle's meta.yaml; the line NEW starts on."""
    meta = project / "content" / "first" / "meta.yaml"
    text = meta.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    meta.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def test_a_misspelt_layout_in_meta_yaml_gets_did_you_mean(small_project, capsys):
    line = _edit_meta(small_project, "layouts: [handout]", "layouts: [handuot]")
    assert run(["--project", str(small_project), "build"]) == 1
    err = capsys.readouterr().err
    assert f"content/first/meta.yaml:{line}: error: unknown layout 'handuot'" in err, err
    assert "hint: did you mean 'handout'? layouts: booklet, handout, parallel, trifold" in err


def test_a_misspelt_meta_yaml_key_gets_did_you_mean(small_project, capsys):
    line = _edit_meta(small_project, "references: references.yaml",
                      "references: references.yaml\nsubtitel: {en: x}")
    assert run(["--project", str(small_project), "build"]) == 1
    err = capsys.readouterr().err
    assert f"content/first/meta.yaml:{line + 1}: error: unknown key 'subtitel'" in err, err
    assert "hint: did you mean 'subtitle'? the keys of meta.yaml: allow-html," in err, err


def test_a_misspelt_site_yaml_key_gets_did_you_mean(small_project, capsys):
    site = small_project / "site.yaml"
    site.write_text(site.read_text("utf-8") + "webiste: https://x.example.org\n", "utf-8")
    line = site.read_text("utf-8").count("\n")
    assert run(["--project", str(small_project), "build"]) == 1
    err = capsys.readouterr().err
    assert f"site.yaml:{line}: error: unknown key 'webiste'" in err, err
    assert "hint: did you mean 'website'?" in err, err


def test_a_misspelt_strings_yaml_key_gets_did_you_mean(small_project, capsys):
    (small_project / "layouts").mkdir()
    (small_project / "layouts" / "strings.yaml").write_text(
        "en:\n  references: Sources\n  refrences: Sources\n", encoding="utf-8")
    assert run(["--project", str(small_project), "build"]) == 1
    err = capsys.readouterr().err
    assert "layouts/strings.yaml:3: error: 'en.refrences': no layout uses this text" in err, err
    assert "hint: did you mean 'references'?" in err, err
    assert "layouts/strings.yaml:2" not in err


def test_a_project_template_may_use_its_own_strings(small_project):
    layouts = small_project / "layouts"
    (layouts / "handout").mkdir(parents=True)
    (layouts / "strings.yaml").write_text("en:\n  banner: Riverside\n", encoding="utf-8")
    (layouts / "handout" / "layout.yaml").write_text(
        (REPO / "layouts" / "handout" / "layout.yaml").read_text("utf-8"), "utf-8")
    (layouts / "handout" / "handout.html.j2").write_text(
        '{% extends "!builtin/handout/handout.html.j2" %}\n'
        "{% block top %}<p>{{ sections[0].strings.banner }}</p>{% endblock %}\n", "utf-8")
    from handbill.render import load_strings

    assert load_strings(small_project)["en"]["banner"] == "Riverside"


def test_every_key_of_strings_yaml_is_printed_by_some_layout(small_project):
    """Each text of layouts/strings.yaml, replaced by a marker, shows in some layout's HTML:
    no key is there for nothing (page: and of: were; the footer's words were in the CSS)."""
    import yaml

    from handbill.document import plan_document, prepare
    from handbill.content import load_bundle
    from handbill.layouts import find_layout, list_layouts
    from handbill.options import BuildOptions
    from handbill.site import load_site

    builtin = yaml.safe_load((REPO / "layouts" / "strings.yaml").read_text("utf-8"))
    markers, override = {}, {}
    for lang, texts in builtin.items():
        override[lang] = {}
        for key, value in texts.items():
            marker = f"QQ{lang.replace('-', '')}{key.replace('-', '')}QQ"
            markers[(lang, key)] = marker
            if key == "month-names":
                override[lang][key] = [marker] * 12
            elif key == "date-format":
                override[lang][key] = "{month_name} {year}" + marker
            elif key == "page-number":
                override[lang][key] = marker + " {page}"
            else:
                override[lang][key] = marker
    (small_project / "layouts").mkdir()
    (small_project / "layouts" / "strings.yaml").write_text(
        yaml.safe_dump(override, allow_unicode=True), encoding="utf-8")
    bundle = small_project / "content" / "first"
    for name in ("en.md", "zh-Hans.md"):  # a callout of every kind, titled by the layout
        with (bundle / name).open("a", encoding="utf-8") as file:
            for kind in ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"):
                file.write(f"\n> [!{kind}]\n> x\n")
    # Every language the strings are written for: the Traditional ones converted.
    meta = bundle / "meta.yaml"
    meta.write_text(re.sub(r"(?m)^languages:.*$", f"languages: [{', '.join(builtin)}]",
                           meta.read_text(encoding="utf-8")), encoding="utf-8")
    assert "zh-Hant-HK" in meta.read_text(encoding="utf-8")
    options = BuildOptions(project=small_project)
    site = load_site(small_project)
    full = load_bundle(bundle, small_project)
    html = "".join(prepare(plan_document(full, find_layout(layout.name, small_project), None,
                                         options, site), options)[0]
                   for layout in list_layouts(small_project))
    unused = [key for key, marker in markers.items() if marker not in html]
    assert unused == []


# ---- 5. An option a layout cannot honour is reported, never dropped --------------------

def test_lang_with_the_parallel_layout_is_refused(small_project, capsys):
    assert run(["--project", str(small_project), "build", "--layout", "parallel",
                "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "handbill: error: --lang en: the parallel layout sets both languages side by side" \
        in err, err
    assert "hint: drop --lang for parallel, or make a single-language document in another " \
           "layout: --layout handout --lang en" in err
    assert not (small_project / "out").exists()


def test_lang_with_a_bundle_that_lists_parallel_builds_the_others_and_says_so(small_project,
                                                                              capsys):
    line = _edit_meta(small_project, "layouts: [handout]", "layouts: [handout, parallel]")
    assert run(["--project", str(small_project), "build", "--lang", "zh-Hans"]) == 0
    err = capsys.readouterr().err
    assert (f"content/first/meta.yaml:{line}: warning: --lang zh-Hans: the parallel layout sets "
            "both languages side by side and has no single-language form; parallel is not "
            "built") in err, err
    assert (small_project / "out" / "first" / "handout.zh-Hans.pdf").is_file()
    assert not (small_project / "out" / "first" / "parallel.zh-Hans.pdf").exists()


def test_marks_on_the_imposed_booklet_are_reported_once_at_the_command_line(small_project,
                                                                            capsys):
    second = new_bundle(small_project, "second")  # two bundles: still one warning
    _edit_meta(small_project, "layouts: [handout]", "layouts: [booklet]")
    meta = second / "meta.yaml"
    meta.write_text(meta.read_text("utf-8").replace("layouts: [handout]", "layouts: [booklet]"),
                    "utf-8")
    assert run(["--project", str(small_project), "build", "--option", "marks=crop"]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: --option marks=crop: booklet.imposed.pdf is printed to trim") == 1
    assert "handbill: warning: --option marks=crop" in err, err


def test_pdf_ua_on_the_imposed_booklet_is_reported(small_project, capsys):
    _edit_meta(small_project, "layouts: [handout]", "layouts: [booklet]")
    assert run(["--project", str(small_project), "build", "--pdf-variant", "pdf/ua-1"]) == 0
    err = capsys.readouterr().err
    assert "handbill: warning: --pdf-variant pdf/ua-1: booklet.imposed.pdf is a print file" in err


def test_page_size_applies_to_every_layout_the_booklet_takes_it_as_its_sheet(small_project,
                                                                            capsys):
    import pypdf

    _edit_meta(small_project, "layouts: [handout]", "layouts: [handout, booklet]")
    assert run(["--project", str(small_project), "build", "--page-size", "Letter"]) == 0, \
        capsys.readouterr().err
    out = small_project / "out" / "first"
    handout = pypdf.PdfReader(out / "handout.pdf").pages[0].mediabox
    sheet = pypdf.PdfReader(out / "booklet.imposed.pdf").pages[0].mediabox
    assert (round(float(handout.width)), round(float(handout.height))) == (612, 792)
    assert (round(float(sheet.width)), round(float(sheet.height))) == (792, 612)  # landscape
    page = pypdf.PdfReader(out / "booklet.pdf").pages[0].mediabox  # the pages stay A5
    assert (round(float(page.width) / 72 * 25.4), round(float(page.height) / 72 * 25.4)) == \
        (148, 210)


# ---- 7. Counts agree, and read as English -------------------------------------------------

class _Terminal:
    """A stream that says it is a terminal (rich then draws its table), kept as text."""

    def __init__(self):
        import io

        self.buffer = io.StringIO()

    def write(self, text):
        return self.buffer.write(text)

    def flush(self):
        pass

    def isatty(self):
        return True


def _booklet_build(project: Path, break_it: bool = False):
    """Build the new bundle as a booklet (two files: booklet.pdf and the imposed one),
    through a line-per-file progress; (total the progress was given, its lines, report)."""
    import io

    from handbill.builder import build
    from handbill.options import BuildOptions
    from handbill.report import Progress

    _edit_meta(project, "layouts: [handout]", "layouts: [booklet]")
    if break_it:  # a citation to nowhere: the job fails before anything is written
        en = project / "content" / "first" / "en.md"
        en.write_text(en.read_text("utf-8").replace("[@example2024]", "[@nowhere2024]"), "utf-8")
    stream, totals = io.StringIO(), []

    def progress(total):
        totals.append(total)
        return Progress(total, project, stream)

    report = build(None, BuildOptions(project=project, jobs=1), progress)
    return totals[0], stream.getvalue().splitlines(), report


@pytest.mark.parametrize("break_it", [False, True])
def test_progress_summary_and_watch_count_the_same_outputs(small_project, break_it):
    import io

    from handbill.cli import watching_line
    from handbill.report import print_summary, rows

    total, lines, report = _booklet_build(small_project, break_it)
    assert total == len(lines) == len(rows(report, small_project)) == 2
    summary = io.StringIO()
    print_summary(report, small_project, summary)
    assert summary.getvalue().splitlines()[-1].startswith(
        "2 outputs: 0 built, 0 up to date, 2 failed" if break_it else "2 outputs: 2 built")
    assert watching_line(report, small_project).startswith("watching for changes (2 outputs, ")


def test_one_output_and_one_error_read_as_english(small_project, capsys):
    assert run(["--project", str(small_project), "build"]) == 0
    out = capsys.readouterr().out
    assert "\n1 output: 1 built, 0 up to date, 0 failed, in " in "\n" + out, out
    _edit_meta(small_project, "references: references.yaml",  # one mistake: one error
               "references: references.yaml\nsubtitel: {en: x}")
    assert run(["--project", str(small_project), "check", "--layout", "handout"]) == 1
    err = capsys.readouterr().err
    import re

    assert re.search(r"^1 error, (1 warning|\d+ warnings)\n\Z", err, re.M), err
    from handbill.errors import plural

    assert [plural(n, "page") for n in (0, 1, 2, 1000)] == ["0 pages", "1 page", "2 pages",
                                                            "1,000 pages"]


def test_the_summary_table_keeps_paths_apart_on_80_columns(small_project, monkeypatch):
    from handbill.builder import BuildReport
    from handbill.report import print_summary
    from handbill.worker import Job, Output

    monkeypatch.setenv("COLUMNS", "80")
    bundle = small_project / "content" / "a-rather-long-name-for-a-handout-about-diabetes"
    report = BuildReport(seconds=1.0)
    for layout in ("booklet", "handout", "parallel", "trifold"):
        target = small_project / "out" / bundle.name / f"{layout}.pdf"
        report.outputs.append(Output(Job(bundle, layout, None, target), [(target, 4, 101_543)],
                                     0.5, "built"))
    terminal = _Terminal()
    print_summary(report, small_project, terminal)
    text = terminal.buffer.getvalue()
    import re

    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    assert "…" not in plain, plain
    assert all(len(line) <= 80 for line in plain.splitlines()), plain
    cells = "".join(line.split("│")[0].strip() for line in plain.splitlines() if "│" in line)
    for layout in ("booklet", "handout", "parallel", "trifold"):  # each path whole, folded
        assert f"out/{bundle.name}/{layout}.pdf" in cells, plain
    assert plain.splitlines()[-1] == "4 outputs: 4 built, 0 up to date, 0 failed, in 1.00 s"


def test_check_ends_with_its_count_on_a_line_of_its_own(small_project):
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "handbill", "--project", str(small_project),
                           "check", "--layout", "handout"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert done.stdout.endswith("\n"), done.stdout
    assert done.stdout.splitlines()[-1].startswith("0 errors, "), done.stdout


def test_watch_with_a_misspelt_layout_stops_with_the_message(small_project):
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "handbill", "--project", str(small_project),
                           "watch", "--layout", "handuot"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert done.returncode == 2, done.stderr
    assert "unknown layout 'handuot'" in done.stderr and "did you mean 'handout'?" in done.stderr
