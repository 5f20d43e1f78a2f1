"""Tagged PDFs, PDF/UA-1 and PDF/A-2b variants, bookmarks and metadata, read back."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest

from handbill.cli import run

from conftest import REPO, SAMPLE


@pytest.fixture(scope="session")
def variants(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("variants")
    found = {}
    for name, extra in (("tagged", []), ("ua", ["--pdf-variant", "pdf/ua-1"]),
                        ("pdfa", ["--pdf-variant", "pdf/a-2b"])):
        assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(out / name),
                    "--layout", "handout", *extra]) == 0
        found[name] = out / name / "stem-cells-t2dm" / "handout.pdf"
    return found


def _structure(node, found, depth=0):
    node = node.get_object()
    if isinstance(node, pypdf.generic.ArrayObject):
        for child in node:
            _structure(child, found, depth)
        return
    if not isinstance(node, pypdf.generic.DictionaryObject):
        return
    if "/S" in node:
        found.append((str(node["/S"]), str(node.get("/Lang", "")), str(node.get("/Alt", ""))))
    if "/K" in node:
        _structure(node["/K"], found, depth + 1)


@pytest.mark.parametrize("name", ["tagged", "ua", "pdfa"])
def test_every_variant_is_tagged_with_languages_and_alt_text(variants, name):
    reader = pypdf.PdfReader(variants[name])
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert str(root["/Lang"]) == "en"
    elements = []
    _structure(root["/StructTreeRoot"], elements)
    kinds = {kind for kind, _, _ in elements}
    assert {"/H1", "/H2", "/P", "/L", "/LI", "/Figure"} <= kinds, kinds
    assert ("/Figure", "", "an aerial view of a blue and green coral") in [
        (k, "", alt) for k, _, alt in elements if k == "/Figure"]
    assert str(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", "")) in ("True", "true")


def test_each_language_block_carries_its_lang(variants):
    elements = []
    _structure(pypdf.PdfReader(variants["tagged"]).trailer["/Root"]["/StructTreeRoot"], elements)
    languages = [lang for _, lang, _ in elements if lang]
    assert {"en", "zh-Hans"} <= set(languages)
    sections = [(kind, lang) for kind, lang, _ in elements if lang == "zh-Hans"]
    # The Chinese section itself (its children inherit), besides the QR caption's span.
    assert ("/Sect", "zh-Hans") in sections


def test_each_reference_is_tagged_in_its_own_language(variants):
    """The sample's five references are English: in the Chinese section's list each is a
    structure element of its own in English (a screen reader switches voice for it),
    and nothing else there is."""
    found = []

    def walk(node, lang):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                walk(child, lang)
            return
        if not isinstance(node, pypdf.generic.DictionaryObject):
            return
        here = str(node["/Lang"]) if "/Lang" in node else None
        if here and lang and here != lang:
            found.append((lang, here, str(node.get("/S"))))
        if "/K" in node:
            walk(node["/K"], here or lang)

    walk(pypdf.PdfReader(variants["tagged"]).trailer["/Root"]["/StructTreeRoot"], None)
    assert [f for f in found if f[0] == "zh-Hans"] == [("zh-Hans", "en", "/Div")] * 5


@pytest.mark.parametrize("name", ["tagged", "ua", "pdfa"])
def test_qpdf_finds_no_errors(variants, name):
    result = subprocess.run(["qpdf", "--check", str(variants[name])], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def test_pdf_ua_and_pdf_a_identify_themselves_in_xmp(variants):
    ua = pypdf.PdfReader(variants["ua"]).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert re.search(rb'pdfuaid:part(="1"|>1<)', ua), ua
    reader = pypdf.PdfReader(variants["pdfa"])
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="2"' in xmp and b'pdfaid:conformance="B"' in xmp
    [intent] = reader.trailer["/Root"]["/OutputIntents"]
    assert str(intent.get_object()["/S"]) == "/GTS_PDFA1"


def test_variants_are_reproducible(variants, tmp_path):
    assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(tmp_path),
                "--layout", "handout", "--pdf-variant", "pdf/a-2b"]) == 0
    assert (tmp_path / "stem-cells-t2dm" / "handout.pdf").read_bytes() == variants["pdfa"].read_bytes()


def test_bookmarks_give_each_language_its_sections(variants):
    reader = pypdf.PdfReader(variants["tagged"])
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == ["Stem Cells for Type 2 Diabetes", "干细胞为何对 2 型糖尿病有效"]
    children = [item for item in outline if isinstance(item, list)]
    assert [c.title for c in children[0]][:4] == [
        "Introduction", "Mechanisms of Action", "Clinical Evidence", "Conclusion"]
    assert [c.title for c in children[1]][:4] == ["引言", "作用机制", "临床研究证据", "结论"]


def test_metadata(variants):
    info = pypdf.PdfReader(variants["tagged"]).metadata
    assert info.author == "Harbourside Community Clinic (sample)"
    assert info.subject == "Mechanisms and Clinical Evidence"
    assert info.creation_date.date().isoformat() == "2023-06-29"
    assert info["/Keywords"] == "type 2 diabetes, stem cells, mesenchymal stem cells"
    assert info.title == "Stem Cells for Type 2 Diabetes · 干细胞为何对2型糖尿病有效"


def test_page_references_kept_are_pydyfs_own():
    """tagging keeps pydyf's page references between pages added; they must stay its own."""
    import pydyf

    from handbill.tagging import _page_references

    original = pydyf.PDF.__dict__["page_references"]
    if getattr(original, "fget", None) is _page_references:  # installed by an earlier test
        def original_refs(pdf):
            return tuple(f"{n} 0 R".encode("ascii") for n in pdf.pages["Kids"][::3])
    else:
        original_refs = original.fget
    pdf = pydyf.PDF()
    assert _page_references(pdf) == original_refs(pdf) == ()
    for _ in range(3):
        pdf.add_object(pydyf.Dictionary())  # page numbers are not consecutive
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert _page_references(pdf) == original_refs(pdf)
    assert len(_page_references(pdf)) == 3


def test_structure_elements_point_at_the_pages_they_are_on(variants):
    """Each marked-content structure element's /Pg is a page of the document."""
    for path in variants.values():
        reader = pypdf.PdfReader(path)
        pages = {page.indirect_reference.idnum for page in reader.pages}
        seen = set()

        def walk(node):
            node = node.get_object()
            if "/Pg" in node:
                seen.add(node.raw_get("/Pg").idnum)
            kids = node.get("/K")
            if kids is None:
                return
            kids = kids.get_object()
            for kid in kids if isinstance(kids, list) else [kids]:
                if isinstance(kid.get_object(), dict):
                    walk(kid)

        walk(reader.trailer["/Root"]["/StructTreeRoot"])
        assert seen and seen <= pages
        assert len(seen) == len(pages)  # every page has tagged content
