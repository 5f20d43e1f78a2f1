"""Every code example of the README is run, loaded or compared with what handbill does.

Each fenced block is recognised by its language and first line; a block this file does
not know fails (so a new example gets a check). Shell sessions run as written (in a
fresh project), YAML loads as the real meta.yaml, references.yaml or site.yaml,
templates render and are read back from the PDF, printed output is compared with a
real build of the sample.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pypdf
import pytest

from handbill.cli import _parser, run

from conftest import REPO, SAMPLE, clinic_project

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = [(README[: m.start()].count("\n") + 1, m.group(1), m.group(2))
          for m in re.finditer(r"^```(\S*)\n(.*?)^```", README, re.M | re.S)]
#: A message as handbill prints it: path:line:col: severity: message [check-id].
DIAGNOSTIC = re.compile(r"^\S+?(?::\d+(?::\d+)?)?: (error|warning): .+ \[[a-z0-9-]+\]$")
GHOSTSCRIPT_CMYK = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


def kind(info: str, text: str) -> str:
    """What an example is, from its language and first line."""
    first = text.split("\n", 1)[0]
    if info == "sh":
        if first.startswith("# on one machine"):
            return "cluster"
        if first.startswith("handbill import "):
            return "import-session"
        return "make" if first.startswith("make ") else "session"
    if info == "yaml":
        if first.startswith("- id:"):
            return "references.yaml"
        if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*:", first):
            return "languages.yaml"
        return {"title:": "meta.yaml", "organisation:": "site.yaml",
                "keep:": "conversions.yaml"}.get(first.split()[0],
                                                                        "?yaml")
    if info == "csv" and first.startswith("id,"):
        return "rows.csv"
    if info in ("jinja", "markdown"):
        return info
    if "├──" in text:
        return "tree"
    if first.startswith("handbill build ["):
        return "synopsis"
    if "━" in first:
        return "progress-bar"
    if first.startswith("wrote "):
        return "progress-lines"
    if first.startswith("output "):
        return "summary"
    if DIAGNOSTIC.match(first):
        return "diagnostic"
    if "OUTSIDE (sheet side 1)" in text:
        return "trifold-panels"
    return "?"


def test_every_example_is_known():
    unknown = [(line, info, text[:40]) for line, info, text in BLOCKS if "?" in kind(info, text)]
    assert unknown == []


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory) -> Path:
    """The sample built in every layout it lists, as `make pdf` builds it."""
    out = tmp_path_factory.mktemp("readme-out")
    assert run(["--project", str(REPO), "build", "--out", str(out)]) == 0
    return out


@pytest.fixture
def clinic(tmp_path) -> Path:
    """A fresh project: the sample's site.yaml and assets, no bundle yet."""
    return clinic_project(tmp_path / "clinic")


def _blocks(name: str) -> list[tuple[int, str, str]]:
    found = [(line, info, text) for line, info, text in BLOCKS if kind(info, text) == name]
    assert found, f"no {name} example in the README"
    return found


def _commands(text: str) -> list[str]:
    """The commands of a shell block, comments taken off."""
    found = []
    for row in text.splitlines():
        command = row.split("  #", 1)[0].strip()
        if command and not command.startswith("#"):
            found.append(command)
    return found


def test_make_examples_are_make_targets():
    targets = set(re.findall(r"^([a-z][\w-]*):", (REPO / "Makefile").read_text("utf-8"), re.M))
    named = [c.split()[1] for _, _, text in _blocks("make") for c in _commands(text)]
    named += re.findall(r"`make ([a-z][\w-]*)`", README)
    assert named and set(named) <= targets, set(named) - targets


def test_shell_sessions_run_as_written(clinic, monkeypatch, capsys):
    """Each command of each session, as a user types it, from the project's folder."""
    for line, _, text in _blocks("session"):
        monkeypatch.chdir(clinic)
        for command in _commands(text):
            for part in command.split(" && "):
                words = shlex.split(part)
                if words[0] == "cd":
                    monkeypatch.chdir(words[1])
                elif words[0] == ".":  # the shell's own: the activate script make created
                    assert words[1] == ".venv/bin/activate", (line, part)
                    assert (Path(_venv_bin()) / "activate").is_file()
                else:
                    assert words[0] in ("handbill", ".venv/bin/handbill"), (line, part)
                    code = run(words[1:])
                    output = capsys.readouterr()
                    assert code == 0, (line, part, output.err)
                    assert "Traceback" not in output.err
    assert (clinic / "out" / "my-first-handout" / "handout.pdf").is_file()


def test_the_import_session_runs_as_written(clinic, monkeypatch, capsys):
    """The Word documents it names, made as a clinic's would be; then its commands."""
    pytest.importorskip("docx")
    import docx_factory

    (_, _, text), = _blocks("import-session")
    monkeypatch.chdir(clinic)
    (clinic / "content").mkdir(exist_ok=True)
    commands = [shlex.split(c) for c in _commands(text)]
    for words, command in zip((docx_factory.EN, docx_factory.ZH), commands):
        docx_factory.handout(clinic / command[2], words)
        assert run(command[1:]) == 0, capsys.readouterr().err
    bundle = clinic / "content" / "colonoscopy-prep"
    assert run(["check", str(bundle)]) == 0
    assert run(["build", str(bundle)]) == 0
    assert (clinic / "out" / "colonoscopy-prep" / "handout.pdf").is_file()


def test_the_cluster_session_names_real_commands_and_flags():
    """The several-machine session cannot run here: its handbill line parses, and the
    dask commands take the flags it gives them."""
    import subprocess

    (_, _, text), = _blocks("cluster")
    commands = _commands(text)
    builds = [shlex.split(c) for c in commands if c.startswith("handbill ")]
    assert len(builds) == 1
    args = _parser().parse_args(builds[0][1:])
    assert args.scheduler == "tcp://10.0.0.5:8786" and args.data is not None
    for command in (c for c in commands if c.startswith("dask ")):
        words = shlex.split(command)
        helped = subprocess.run([str(Path(_venv_bin()) / "dask"), words[1], "--help"],
                                capture_output=True, text=True, check=True).stdout
        for flag in (w for w in words if w.startswith("--")):
            assert flag in helped, (words[1], flag)


def _venv_bin() -> str:
    import sys

    return str(Path(sys.executable).parent)


def test_inline_commands_name_real_commands_and_flags():
    parser = _parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    spans = re.findall(r"`((?:\.venv/bin/)?handbill [^`]*)`", README)
    assert len(spans) > 10
    for span in spans:
        words = shlex.split(span)[1:]
        while words and words[0].startswith("--"):  # handbill --project DIR, --version
            flag = words.pop(0)
            assert flag in parser._option_string_actions, span
            if flag == "--project" and words:
                words.pop(0)
        if not words:
            continue
        assert words[0] in commands, span
        sub = commands[words[0]]
        for word in words[1:]:
            if word.startswith("-"):
                assert word.split("=")[0] in sub._option_string_actions, span


def test_the_synopsis_is_the_parser():
    (_, _, text), = _blocks("synopsis")
    parser = _parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    sub = None
    for row in text.splitlines():
        words = row.split()
        if not row.startswith(" "):  # a command's first line; the others go on with it
            if words[1].startswith("-"):
                assert words[1] in parser._option_string_actions, row
                sub = None
                continue
            sub = commands[words[1]]
        for flag in re.findall(r"\[(-[-\w]+)", row):
            assert sub is not None and flag in sub._option_string_actions, row
    for name, sub in commands.items():  # and every command and flag is in the synopsis
        assert f"handbill {name}" in text, name
        for action in sub._actions:
            if action.option_strings and "--help" not in action.option_strings:
                assert any(f"[{flag} " in text or f"[{flag}]" in text
                           for flag in action.option_strings), (name, action.option_strings)


def test_trees_name_files_that_exist():
    for _, _, text in _blocks("tree"):
        top = text.split("\n", 1)[0].strip().rstrip("/")
        parents: list[str] = []
        for row in text.splitlines()[1:]:
            match = re.match(r"^([│ ]*)[├└]── (\S+)", row)
            if not match:
                continue
            depth = len(match.group(1)) // 4
            name = match.group(2)
            del parents[depth:]
            if name.endswith("/"):
                parents.append(name.rstrip("/"))
            if top == "layouts" and name == "handout/":  # handout/ parallel/ ... on one line
                names = [n.strip("/") for n in row.split("──", 1)[1].split()]
            elif name.endswith("/"):
                names = [""]
            elif name.endswith(","):  # "title-block, brand, ... .html.j2": several files
                listed = row.split("──", 1)[1].replace(" .html.j2", "")
                names = [word.split()[0] + ".html.j2" for word in listed.split(",")]
            else:
                names = [name]
            for name in names:
                if name.startswith("cover"):  # "images the bundle uses": its cover
                    name = "cover.svg"
                path = REPO / top / Path(*parents[:depth]) / name
                assert path.exists(), (top, parents, name)
        if top == "layouts":
            for name in ("handout", "parallel", "trifold", "booklet"):
                assert name in text and (REPO / "layouts" / name / "layout.yaml").is_file()
            for name in ("base.html.j2", "base.css"):
                assert (REPO / "layouts" / "_partials" / name).is_file()


def test_the_meta_yaml_example_is_a_real_meta_yaml(tmp_path):
    from handbill.content import load_bundle

    (_, _, text), = _blocks("meta.yaml")
    bundle = tmp_path / "content" / "example"
    shutil.copytree(SAMPLE, bundle)
    (bundle / "meta.yaml").write_text(text, encoding="utf-8")
    loaded = load_bundle(bundle, tmp_path)
    meta = loaded.meta
    assert meta.title["zh-Hans"] == "干细胞为何对2型糖尿病有效"
    assert meta.layouts == ("handout", "trifold") and meta.citation_style == "vancouver"
    assert meta.cover is not None and meta.url.startswith("https://")
    assert str(meta.date) == "2023-06-29"


def test_the_conversions_example_is_a_real_conversions_file(tmp_path):
    from handbill.conversion import convert_text
    from handbill.conversions import load_exceptions

    (_, _, text), = _blocks("conversions.yaml")
    path = tmp_path / "conversions.yaml"
    path.write_text(text, encoding="utf-8")
    exceptions = load_exceptions(path, tmp_path)
    assert convert_text("海港社区诊所：他汀", "zh-Hant", exceptions).text == "海港社區診所：他汀"
    assert convert_text("阿司匹林", "zh-Hant-HK", exceptions).text == "阿士匹靈"


def test_the_languages_example_is_the_spanish_fixtures_row(tmp_path):
    from dataclasses import replace

    from handbill.languages import load_languages

    [(_, _, text)] = _blocks("languages.yaml")
    fixture = Path(__file__).resolve().parent / "fixtures" / "spanish"
    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts" / "languages.yaml").write_text(text, encoding="utf-8")
    mine = load_languages(tmp_path)["es"]
    theirs = load_languages(fixture)["es"]
    assert replace(mine, placeholder_title="") == replace(theirs, placeholder_title="")


def test_the_references_example_is_a_real_references_file(tmp_path):
    from handbill.references import load_references

    (_, _, text), = _blocks("references.yaml")
    path = tmp_path / "references.yaml"
    path.write_text(text, encoding="utf-8")
    (reference,) = load_references(path, tmp_path)
    assert reference.id == "hu2016"


@pytest.mark.skipif(not GHOSTSCRIPT_CMYK.is_file(), reason="Debian's libgs-common gives a CMYK "
                    "profile for print-profile:")
def test_the_site_yaml_example_is_a_real_site_yaml(clinic):
    from handbill.site import load_site

    (_, _, text), = _blocks("site.yaml")
    (clinic / "site.yaml").write_text(text, encoding="utf-8")
    shutil.copy(GHOSTSCRIPT_CMYK, clinic / "assets" / "printshop.icc")
    site = load_site(clinic)
    assert site.organisation["zh-Hans"] == "海港社区诊所" and site.logo is not None
    assert site.colours == {"accent": "#0e6e75"} and site.print_profile is not None


def test_the_markdown_example_is_a_callout(tmp_path):
    from handbill.content import load_bundle

    (_, _, text), = _blocks("markdown")
    bundle = tmp_path / "content" / "x"
    shutil.copytree(SAMPLE, bundle)
    for name in ("en.md", "zh-Hans.md"):
        with (bundle / name).open("a", encoding="utf-8") as file:
            file.write("\n" + text)
    html = load_bundle(bundle, tmp_path).bodies["en"].html
    assert 'class="callout callout-warning"' in html
    assert "Go to the emergency department if" in html


def test_the_template_example_puts_the_banner_at_the_top_of_page_1(clinic, capsys):
    """As the README says: the banner on page 1, with the title, not a page of its own."""
    import pypdfium2

    from handbill.scaffold import new_bundle

    (_, _, text), = _blocks("jinja")
    new_bundle(clinic, "x", title_en="Eating well with diabetes")
    folder = clinic / "layouts" / "handout"
    folder.mkdir(parents=True)
    (folder / "handout.html.j2").write_text(text, encoding="utf-8")
    assert "layouts/handout/handout.html.j2" in README
    assert run(["--project", str(clinic), "build"]) == 0, capsys.readouterr().err
    pdf = pypdfium2.PdfDocument(clinic / "out" / "x" / "handout.pdf")
    first = pdf[0].get_textpage().get_text_range()
    assert "Riverside Clinic" in first, first
    assert "Eating well with diabetes" in first, first
    assert first.index("Riverside Clinic") < first.index("Eating well with diabetes")
    assert "Riverside Clinic" not in "".join(pdf[i].get_textpage().get_text_range()
                                             for i in range(1, len(pdf)))


def _built(sample_out: Path) -> dict[str, int]:
    """out/<path> -> pages, for every PDF the sample's build wrote."""
    return {f"out/{p.relative_to(sample_out).as_posix()}": len(pypdf.PdfReader(p).pages)
            for p in sorted(sample_out.rglob("*.pdf"))}


def test_the_summary_example_is_what_the_sample_builds(sample_out):
    (_, _, text), = _blocks("summary")
    rows = text.splitlines()
    assert rows[0].split() == ["output", "pages", "bytes", "seconds", "status"]
    shown = {}
    for row in rows[1:-1]:
        path, pages, size, seconds, status = row.split()
        assert re.fullmatch(r"[\d,]+", size) and re.fullmatch(r"\d+\.\d\d", seconds)
        assert status in ("built", "cached", "failed")
        shown[path] = int(pages)
    assert shown == _built(sample_out)
    assert re.fullmatch(rf"{len(shown)} outputs: \d+ built, \d+ up to date, \d+ failed, in "
                        r"\d+\.\d\d s", rows[-1]), rows[-1]


def test_the_progress_examples_are_what_the_sample_builds(sample_out):
    built = _built(sample_out)
    (_, _, bar), = _blocks("progress-bar")
    path, _, count = re.fullmatch(r"(\S+) ([━╺ ]+) (\d+/\d+)", bar.strip()).groups()
    assert path in built and int(count.split("/")[1]) == len(built)
    (_, _, lines), = _blocks("progress-lines")
    for row in lines.splitlines():
        status, path, pages = re.fullmatch(r"(wrote|up to date) (\S+) \((\d+) pages?, [\d,]+ "
                                           r"bytes\)", row).groups()
        assert built[path] == int(pages), row


def test_the_message_examples_are_messages(tmp_path, capsys):
    found = _blocks("diagnostic")
    for _, _, text in found:
        rows = text.splitlines()
        assert DIAGNOSTIC.match(rows[0]), rows[0]
        assert all(row.startswith("  hint: ") for row in rows[1:]), rows
    # The first one, reproduced: the sample without its Chinese text.
    (_, _, text) = next(b for b in found if "no zh-Hans.md" in b[2])
    project = tmp_path / "p"
    shutil.copytree(SAMPLE, project / "content" / "stem-cells-t2dm")
    (project / "content" / "stem-cells-t2dm" / "zh-Hans.md").unlink()
    assert run(["--project", str(project), "check", "--layout", "handout"]) == 1
    assert text in capsys.readouterr().out


def test_the_trifold_panels_match_its_layout():
    (_, _, text), = _blocks("trifold-panels")
    import yaml

    folds = yaml.safe_load((REPO / "layouts" / "trifold" / "layout.yaml").read_text("utf-8"))
    (outside, inside) = folds["folds"]["A4"]
    for mm in (*outside, *inside):
        assert f"at {mm:g}" in text, mm
    for width in ("97 mm", "100 mm"):
        assert width in text


def test_the_rows_example_builds_one_handout_a_row(clinic):
    """The README's rows fill the appointment fixture: one PDF a row, in its id's folder."""
    import shutil

    (line, _, text), = _blocks("rows.csv")
    shutil.copytree(REPO / "tests" / "fixtures" / "appointment", clinic / "content" / "appointment")
    (clinic / "rows.csv").write_text(text + "\n", encoding="utf-8")
    assert run(["--project", str(clinic), "build", str(clinic / "content" / "appointment"),
                "--data", str(clinic / "rows.csv")]) == 0
    ids = [row.split(",")[0] for row in text.splitlines()[1:]]
    assert sorted(p.parent.name for p in (clinic / "out").rglob("handout.pdf")) == ids
