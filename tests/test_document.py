"""One typed plan per document (handbill.document) and typed options (handbill.layout_options):
the options every layout takes work in every layout, from site.yaml, meta.yaml and the
command line, each over the one before; a bad value is an error where it was written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
import pytest

from conftest import REPO, SAMPLE
from handbill.cli import run
from handbill.document import DocumentPlan, RenderSpec, plan_document, prepare
from handbill.layout_options import ResolvedOptions
from pdfcheck import MM

#: Paper sizes in mm, portrait.
SIZES = {"A4": (210, 297), "A5": (148, 210), "Letter": (215.9, 279.4)}


def _mm(box) -> tuple[float, float]:
    return (round(float(box.width) / MM, 1), round(float(box.height) / MM, 1))


@pytest.fixture
def clinic(tmp_path) -> Path:
    """The sample in a project of its own (site.yaml and assets), one layout at a time."""
    shutil.copy(REPO / "site.yaml", tmp_path / "site.yaml")
    shutil.copytree(REPO / "assets", tmp_path / "assets")
    shutil.copytree(SAMPLE, tmp_path / "content" / "stem-cells-t2dm")
    _edit(tmp_path / "content" / "stem-cells-t2dm" / "meta.yaml",
          "layouts: [handout, parallel, trifold, booklet]", "layouts: [handout]")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("layout, size, how", [
    ("handout", "A4", "--page-size"), ("handout", "A5", "--option"),
    ("handout", "Letter", "--page-size"), ("parallel", "A5", "--page-size"),
    ("parallel", "Letter", "--option"), ("trifold", "Letter", "--option"),
    ("trifold", "A4", "--page-size"), ("booklet", "Letter", "--option"),
    ("booklet", "A4", "--page-size"),
])
def test_page_size_in_every_layout(clinic, tmp_path, layout, size, how, capsys):
    given = ["--page-size", size] if how == "--page-size" else ["--option", f"page-size={size}"]
    out = tmp_path / "out"
    assert run(["--project", str(clinic), "build", "--layout", layout, *given,
                "--out", str(out)]) == 0, capsys.readouterr().err
    folder = out / "stem-cells-t2dm"
    width, height = SIZES[size]
    reader = pypdf.PdfReader(folder / f"{layout}.pdf")
    boxes = {(_mm(page.mediabox), _mm(page.trimbox)) for page in reader.pages}
    if layout == "booklet":  # its pages are A5; its page size is the imposed sheet's
        assert boxes == {((148.0, 210.0), (148.0, 210.0))}
        sheets = pypdf.PdfReader(folder / "booklet.imposed.pdf").pages
        assert {_mm(page.mediabox) for page in sheets} == {(height, width)}  # landscape
        return
    expected = (width, height) if layout == "handout" else (height, width)  # landscape
    assert boxes == {(expected, expected)}


def test_a5_is_not_a_trifold_size(clinic, capsys):
    assert run(["--project", str(clinic), "build", "--layout", "trifold",
                "--page-size", "A5"]) == 2
    err = capsys.readouterr().err
    assert "handbill: error: option page-size=A5 is not one of: A4, Letter [usage]\n" \
           "  hint: layout 'trifold' takes page-size: A4, Letter" in err


def test_site_then_meta_then_the_command_line(clinic, capsys):
    with (clinic / "site.yaml").open("a", encoding="utf-8") as file:
        file.write("options:\n  page-size: Letter\n")
    out = clinic / "out" / "stem-cells-t2dm" / "handout.pdf"
    assert run(["--project", str(clinic), "build"]) == 0, capsys.readouterr().err
    assert _mm(pypdf.PdfReader(out).pages[0].mediabox) == (215.9, 279.4)  # site.yaml's
    meta = clinic / "content" / "stem-cells-t2dm" / "meta.yaml"
    with meta.open("a", encoding="utf-8") as file:
        file.write("options:\n  page-size: a5\n")
    assert run(["--project", str(clinic), "build"]) == 0, capsys.readouterr().err
    assert _mm(pypdf.PdfReader(out).pages[0].mediabox) == (148.0, 210.0)  # the bundle's
    assert run(["--project", str(clinic), "build", "--option", "page-size=A4"]) == 0
    assert _mm(pypdf.PdfReader(out).pages[0].mediabox) == (210.0, 297.0)  # the command's


def test_bad_values_are_errors_at_their_line(clinic, capsys):
    with (clinic / "site.yaml").open("a", encoding="utf-8") as file:
        file.write("options:\n  page-size: B5\n  bleeed: 3mm\n")
    meta = clinic / "content" / "stem-cells-t2dm" / "meta.yaml"
    with meta.open("a", encoding="utf-8") as file:
        file.write("options:\n  large-print: maybe\n  bleed: 2 furlongs\n")
    assert run(["--project", str(clinic), "build"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for said in [
        "site.yaml:17: error: option page-size=B5 is not one of: A4, A5, Letter [site]\n"
        "  hint: layout 'handout' takes page-size: A4, A5, Letter",
        "site.yaml:18: error: no layout has an option 'bleeed' [site]\n"
        "  hint: did you mean 'bleed'?",
        "content/stem-cells-t2dm/meta.yaml:24: error: option large-print=maybe is not yes or "
        "no (layout 'handout') [meta]",
        "content/stem-cells-t2dm/meta.yaml:25: error: option bleed=2 furlongs is not a length, "
        "such as 3mm, 0.3cm or 0.125in (layout 'handout') [meta]",
    ]:
        assert said in err, err
    assert run(["--project", str(clinic), "check"]) == 1  # check says the same
    assert "site.yaml:17: error: option page-size=B5" in capsys.readouterr().out


def test_a_length_in_any_unit(clinic, capsys):
    assert run(["--project", str(clinic), "build", "--option", "bleed=0.125in"]) == 0, \
        capsys.readouterr().err
    page = pypdf.PdfReader(clinic / "out" / "stem-cells-t2dm" / "handout.pdf").pages[0]
    assert _mm(page.trimbox) == (210.0, 297.0)
    assert _mm(page.bleedbox) == (216.4, 303.4)  # 3.175 mm each side


def test_one_typed_plan_per_document(clinic):
    from handbill.content import load_bundle
    from handbill.layouts import find_layout
    from handbill.options import BuildOptions
    from handbill.site import load_site

    options = BuildOptions(project=clinic, layout_options={"large-print": "YES"})
    full = load_bundle(clinic / "content" / "stem-cells-t2dm", clinic)
    plan = plan_document(full, find_layout("trifold", clinic), None, options, load_site(clinic))
    assert isinstance(plan, DocumentPlan) and isinstance(plan.options, ResolvedOptions)
    assert plan.tags == ("en", "zh-Hans") and plan.languages[1].csl_locale == "zh-CN"
    assert plan.bundle.bodies["en"].path.name == "en.short.md"  # the leaflet's text
    assert plan.options.large_print is True and plan.options["large-print"] == "yes"
    assert (plan.options.page_size, plan.options.bleed_mm, plan.options.marks) == ("A4", 0, "none")
    with pytest.raises(AttributeError):
        plan.lang = "en"  # frozen
    html, spec = prepare(plan, options)
    assert isinstance(spec, RenderSpec) and spec.sheet is None and spec.min_text_pt == 14
    assert spec.folds == ((97, 197), (100, 200))
    assert set(spec.pdf_arguments()) >= {"base_url", "stylesheets", "folds", "bleed_mm"}
