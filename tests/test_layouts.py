"""Layouts: the search path, overrides, extending a built-in template, manifests."""

from __future__ import annotations

from handbill.cli import run
from handbill.layouts import find_layout, list_layouts
from handbill.places import builtin_layouts_dir
from pdfcheck import all_text, squash

HANDOUT = "out/stem-cells-t2dm/handout.en.pdf"


def test_builtin_handout_layout_and_its_options(tmp_path):
    layout = find_layout("handout", tmp_path)
    assert layout is not None
    assert layout.path == builtin_layouts_dir() / "handout"
    assert layout.options["page-size"].default == "A4"
    assert layout.options["page-size"].choices == ("A4", "A5", "Letter")
    assert layout.options["page-size"].kind == "enum" and layout.options["bleed"].kind == "length"
    assert find_layout("trifold", tmp_path).options["page-size"].choices == ("A4", "Letter")
    assert find_layout("booklet", tmp_path).options["page-size"].aliases == ("sheet",)
    assert [l.name for l in list_layouts(tmp_path)] == ["booklet", "handout", "parallel", "trifold"]


def test_project_partial_overrides_the_builtin_one(project, capsys):
    partials = project / "layouts" / "_partials"
    partials.mkdir(parents=True)
    (partials / "disclaimer.html.j2").write_text(
        '<aside class="disclaimer">Ask the Riverside Clinic: 555 0100</aside>', encoding="utf-8")
    assert run(["--project", str(project), "build", "--lang", "en"]) == 0
    assert "Ask the Riverside Clinic: 555 0100" in all_text(project / HANDOUT)


def test_project_template_extends_the_builtin_one(project):
    own = project / "layouts" / "handout"
    own.mkdir(parents=True)
    (own / "layout.yaml").write_text(
        (builtin_layouts_dir() / "handout" / "layout.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    (own / "handout.html.j2").write_text(
        '{% extends "!builtin/handout/handout.html.j2" %}\n'
        '{% block body %}<p class="banner">Clinic copy</p>{{ super() }}{% endblock %}\n',
        encoding="utf-8")
    assert find_layout("handout", project).path == own
    assert run(["--project", str(project), "build", "--lang", "en"]) == 0
    text = all_text(project / HANDOUT)
    assert text.lstrip().startswith("Clinic copy")
    assert squash("Mechanisms of Action") in squash(text)


def test_project_strings_override_builtin_ones(project):
    (project / "layouts").mkdir()
    (project / "layouts" / "strings.yaml").write_text("en:\n  references: Sources\n",
                                                      encoding="utf-8")
    assert run(["--project", str(project), "build", "--lang", "en"]) == 0
    text = all_text(project / HANDOUT)
    assert "Sources" in text and "References" not in text


def test_template_error_is_located(project, capsys):
    own = project / "layouts" / "_partials"
    own.mkdir(parents=True)
    (own / "disclaimer.html.j2").write_text("line one\n{% if %}\n", encoding="utf-8")
    assert run(["--project", str(project), "build"]) == 1
    err = capsys.readouterr().err
    assert "layouts/_partials/disclaimer.html.j2:2: error: template syntax" in err, err


def test_misspelt_template_variable_is_an_error_not_a_blank(project, capsys):
    own = project / "layouts" / "_partials"
    own.mkdir(parents=True)
    (own / "disclaimer.html.j2").write_text("\n\n<p>{{ section.disclamer }}</p>\n", encoding="utf-8")
    assert run(["--project", str(project), "build"]) == 1
    err = capsys.readouterr().err
    assert "layouts/_partials/disclaimer.html.j2:3: error: template:" in err, err
    assert "disclamer" in err
    assert not (project / "out" / "stem-cells-t2dm" / "handout.pdf").exists()


def test_layouts_command_lists_layouts_and_options(capsys, tmp_path):
    assert run(["--project", str(tmp_path), "layouts"]) == 0
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")] == [
        "booklet", "handout", "parallel", "trifold"]
    assert "    bleed=0mm (length: 0mm to 10mm)" in out
    assert "    large-print=no (boolean: yes | no)" in out
    assert "page-size=A4 (enum: A4 | A5 | Letter)  paper size\n" in out  # the handout's
    assert "page-size=A4 (enum: A4 | Letter)  sheet size" in out  # the trifold's
