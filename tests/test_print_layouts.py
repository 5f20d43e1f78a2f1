"""Print layouts: handout, parallel, trifold, booklet; bleed, marks, large print, CMYK, branding."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from pathlib import Path

import pypdf
import pypdfium2
import pytest

from handbill.cli import run
from pdfcheck import MM, all_text, fonts, page_sizes, squash

from conftest import REPO, SAMPLE

A4_LANDSCAPE = (841.9, 595.3)
A5 = (419.5, 595.3)
LAYOUTS = ("handout", "parallel", "trifold", "booklet")
ORGANISATION = {"en": "Harbourside Community Clinic (sample)", "zh-Hans": "海港社区诊所（示例）"}
URL = "https://clinic.example.org/handouts/stem-cells-t2dm"


@pytest.fixture(scope="session")
def layouts_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("layouts")
    for layout in LAYOUTS:
        assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(out / "plain"),
                    "--layout", layout]) == 0
        assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(out / "bleed"),
                    "--layout", layout, "--option", "bleed=3mm", "--option", "marks=crop"]) == 0
    return out


def _pdf(build: Path, variant: str, name: str) -> Path:
    return build / variant / "stem-cells-t2dm" / name


def test_page_sizes_and_counts(layouts_build):
    sizes = {name: page_sizes(_pdf(layouts_build, "plain", f"{name}.pdf"))
             for name in ("handout", "parallel", "trifold", "booklet", "booklet.imposed")}
    assert set(sizes["handout"]) == {(595.3, 841.9)}
    assert set(sizes["parallel"]) == {A4_LANDSCAPE}
    assert sizes["trifold"] == [A4_LANDSCAPE, A4_LANDSCAPE]  # two sides, nothing more
    assert set(sizes["booklet"]) == {A5}
    assert len(sizes["booklet.imposed"]) == -(-len(sizes["booklet"]) // 4) * 2
    assert set(sizes["booklet.imposed"]) == {A4_LANDSCAPE}


@pytest.mark.parametrize("name", ["handout", "parallel", "trifold", "booklet"])
def test_bleed_sets_trimbox_and_bleedbox(layouts_build, name):
    reader = pypdf.PdfReader(_pdf(layouts_build, "bleed", f"{name}.pdf"))
    bleed = 3 * MM
    for page in reader.pages:
        media, trim, bleedbox = page.mediabox, page.trimbox, page.bleedbox
        for side in ("left", "bottom"):
            assert float(getattr(trim, side)) - float(getattr(bleedbox, side)) == \
                pytest.approx(bleed, abs=0.01)
            # The slug around the bleed holds the marks: 3 mm out, 5 mm long, 2 mm beyond.
            assert float(getattr(trim, side)) - float(getattr(media, side)) == \
                pytest.approx(10 * MM, abs=0.01)
        for side in ("right", "top"):
            assert float(getattr(bleedbox, side)) - float(getattr(trim, side)) == \
                pytest.approx(bleed, abs=0.01)
            assert float(getattr(media, side)) - float(getattr(trim, side)) == \
                pytest.approx(10 * MM, abs=0.01)
    plain = pypdf.PdfReader(_pdf(layouts_build, "plain", f"{name}.pdf")).pages[0]
    assert float(plain.trimbox.width) == pytest.approx(float(reader.pages[0].trimbox.width))


def _dark(image, x_mm: float, y_mm: float, scale: float) -> bool:
    """A mark (a 0.25 pt grey-black line, anti-aliased) within a pixel of the point; the
    cover's colour is no mark."""
    x, y = round(x_mm * scale), round(y_mm * scale)
    pixels = [image.getpixel((x + dx, y + dy))[:3] for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    return any(sum(p) < 600 and max(p) - min(p) < 40 for p in pixels)


@pytest.mark.parametrize("name", ["handout", "trifold"])
def test_crop_marks_lie_in_the_slug_in_line_with_the_trim(layouts_build, name):
    pdf = pypdfium2.PdfDocument(str(_pdf(layouts_build, "bleed", f"{name}.pdf")))
    scale = 10  # pixels per mm
    image = pdf[0].render(scale=scale / MM).to_pil()
    width_mm, height_mm = image.width / scale, image.height / scale
    trim = 10  # the trim's distance from the media box's edge, mm
    for x in (trim, width_mm - trim):  # the vertical marks, in line with the trim's sides
        assert _dark(image, x, 4, scale) and _dark(image, x, height_mm - 4, scale)
        assert not _dark(image, x, 8.5, scale)  # nothing in the bleed (7 to 10 mm)
    for y in (trim, height_mm - trim):  # the horizontal marks
        assert _dark(image, 4, y, scale) and _dark(image, width_mm - 4, y, scale)
        assert not _dark(image, 8.5, y, scale)  # the bleed is left to the artwork
    if name == "trifold":  # fold marks at the panels' edges, outside and inside
        assert _dark(image, trim + 97, 4, scale) and _dark(image, trim + 197, 4, scale)
        inside = pdf[1].render(scale=scale / MM).to_pil()
        dashes = [_dark(inside, trim + 100, 3 + k / 10, scale) for k in range(50)]
        assert any(dashes) and not all(dashes)  # dashed
        assert not any(_dark(inside, trim + 97, 3 + k / 10, scale) for k in range(50))


@pytest.mark.parametrize("marks", ["cross", "crop cross"])
def test_registration_marks_sit_at_the_middle_of_each_side_in_the_slug(tmp_path, marks):
    """A circle and a cross 5.5 mm out from the middle of each side of the trim (3 mm out,
    5 mm long): its centre, its arms and its ring dark, the ring's inside clear; crop marks
    only with crop."""
    assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(tmp_path),
                "--layout", "handout", "--option", "bleed=3mm", "--option",
                f"marks={marks}"]) == 0
    pdf = pypdfium2.PdfDocument(str(tmp_path / "stem-cells-t2dm" / "handout.pdf"))
    scale = 10
    image = pdf[0].render(scale=scale / MM).to_pil()
    width_mm, height_mm = image.width / scale, image.height / scale
    ring = 1.2 / 2 ** 0.5  # a point of the ring, off the cross's arms
    for cx, cy in ((width_mm / 2, 4.5), (width_mm / 2, height_mm - 4.5),
                   (4.5, height_mm / 2), (width_mm - 4.5, height_mm / 2)):
        assert _dark(image, cx, cy, scale)
        for dx, dy in ((2.2, 0), (-2.2, 0), (0, 2.2), (0, -2.2), (ring, ring), (-ring, -ring)):
            assert _dark(image, cx + dx, cy + dy, scale), (cx, cy, dx, dy)
        assert not _dark(image, cx + 0.45, cy + 0.45, scale)  # inside the ring
        assert not _dark(image, cx + 3.2, cy + 3.2, scale)  # outside it
    crop = _dark(image, 10, 4, scale)  # the crop mark in line with the trim's left side
    assert crop == ("crop" in marks)


def test_trifold_cover_colour_runs_into_the_bleed(layouts_build):
    pdf = pypdfium2.PdfDocument(str(_pdf(layouts_build, "bleed", "trifold.pdf")))
    image = pdf[0].render(scale=1).to_pil().convert("RGB")
    width, height = image.size
    edge = round(7 * MM)  # the bleed's outer edge: 3 mm of the 10 mm slug around the trim
    for x, y in ((width - edge - 2, height // 2), (width - edge - 2, edge + 1),
                 (width - edge - 40, height - edge - 2)):
        r, g, b = image.getpixel((x, y))
        assert g > r + 40 and b > r + 40, (x, y, (r, g, b))  # teal, to the bleed's edge
    for x, y in ((width - edge + 3, height // 2), (width - 40, height - edge + 3)):
        assert min(image.getpixel((x, y))) > 240, (x, y)  # the slug beyond is white
    r, g, b = image.getpixel((edge + 2, height // 2))
    assert min(r, g, b) > 240  # the flap stays white


def _text_in(pdf_path: Path, page: int, left_mm: float, right_mm: float) -> str:
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    width, height = pdf[page].get_size()
    return pdf[page].get_textpage().get_text_bounded(left_mm * MM, 0, right_mm * MM, height)


def test_trifold_panels_hold_what_the_fold_needs(layouts_build):
    pdf = _pdf(layouts_build, "plain", "trifold.pdf")
    flap, back, cover = (_text_in(pdf, 0, 0, 97), _text_in(pdf, 0, 97, 197),
                         _text_in(pdf, 0, 197, 297))
    # The English needs more than its inside panel: it goes on in the flap (seen beside
    # that panel once the cover is opened), with the QR code; the references follow the
    # Chinese, inside.
    assert squash("While further large-scale trials are needed") in squash(flap)
    assert "Read online" in flap and "References" not in flap
    assert ORGANISATION["en"] in back and "555-0100" in back
    assert "Stem Cells for Type 2" in cover and squash("干细胞为何对 2 型糖尿病") in squash(cover)
    # Inside: three panels of text, the folds (100 mm, 200 mm) fall between columns.
    inside = [_text_in(pdf, 1, a, b) for a, b in ((0, 100), (100, 200), (200, 297))]
    assert all(len(squash(panel)) > 100 for panel in inside)
    assert squash(inside[0]).startswith(squash("Stem Cells for Type 2 Diabetes Introduction"))
    # The Chinese starts on a panel of its own: nothing of it is in the first.
    assert not re.search(r"[\u4e00-\u9fff]", inside[0])
    assert squash(inside[1]).startswith(squash("干细胞为何对 2 型糖尿病有效"))
    assert squash("结论") in squash(inside[2])
    assert "References" in inside[2] and "参考文献" in inside[2]
    for fold in (100, 200):
        assert squash(_text_in(pdf, 1, fold - 1.5, fold + 1.5)) == ""
    text = squash(all_text(pdf))
    for sentence in ("Stem cell therapy, particularly using mesenchymal stem cells (MSCs) or "
                     "induced pluripotent stem cells (iPSCs), has emerged as a promising "
                     "regenerative approach", "干细胞移植安全性良好,副作用少。"):
        assert squash(sentence) in text


def test_trifold_overflow_names_the_bundle_and_the_amount(tmp_path, capsys):
    bundle = tmp_path / "content" / "stem-cells-t2dm"
    shutil.copytree(SAMPLE, bundle)
    for name in ("en.short.md", "zh-Hans.short.md"):
        (bundle / name).unlink()  # the full text: far too long for six panels
    assert run(["--project", str(tmp_path), "build", "--layout", "trifold"]) == 1
    err = capsys.readouterr().err
    match = re.search(r"^content/stem-cells-t2dm/(en|zh-Hans)\.md:(\d+):(\d+): error: the text "
                      r"does not fit the layout's 2 pages: it overflows by (\d+) lines \((\d+) mm "
                      r"of text\) onto (\d+) more, from this line on, in the section '([^']+)' "
                      r"\[layout-fit\]$", err, re.M)
    assert match, err
    assert int(match.group(4)) > 10 and int(match.group(5)) > 50
    # The place named is where the first line that did not fit starts.
    name, line, column = match.group(1), int(match.group(2)), int(match.group(3))
    source = (bundle / f"{name}.md").read_text(encoding="utf-8").splitlines()[line - 1]
    assert source[column - 1:].strip(), (name, line, column)
    assert "give the bundle a shorter text for small formats" in err
    # The section named is the one the line is in.
    heading = next(text for text in reversed((bundle / f"{name}.md").read_text(
        encoding="utf-8").splitlines()[:line]) if text.startswith("## "))
    assert heading == f"## {match.group(7)}"
    assert f"hint: shorten the section '{match.group(7)}'" in err
    assert not (tmp_path / "out").exists()


def test_parallel_pairs_start_at_the_same_height(layouts_build):
    pdf = pypdfium2.PdfDocument(str(_pdf(layouts_build, "plain", "parallel.pdf")))
    found = {}
    for index, page in enumerate(pdf):
        textpage = page.get_textpage()
        for english, chinese in (("Mechanisms of Action", "作用机制"), ("Conclusion", "结论"),
                                 ("Clinical Evidence", "临床研究证据")):
            for word in (english, chinese):
                searcher = textpage.search(word, match_whole_word=True)
                while hit := searcher.get_next():  # the last one: the heading, not the subtitle
                    left, bottom, right, top = textpage.get_charbox(hit[0])
                    found[word] = (index, round(top))
    for english, chinese in (("Mechanisms of Action", "作用机制"), ("Conclusion", "结论"),
                             ("Clinical Evidence", "临床研究证据")):
        (page_en, top_en), (page_zh, top_zh) = found[english], found[chinese]
        assert page_en == page_zh and abs(top_en - top_zh) <= 3, (english, found)


def test_booklet_imposed_sheets_follow_saddle_stitch_order(layouts_build):
    from handbill.impose import saddle_stitch_order

    reading = pypdfium2.PdfDocument(str(_pdf(layouts_build, "plain", "booklet.pdf")))
    imposed = pypdfium2.PdfDocument(str(_pdf(layouts_build, "plain", "booklet.imposed.pdf")))
    footers = [p.get_textpage().get_text_range() for p in reading]
    order = saddle_stitch_order(len(footers))
    sides = [side for sheet in order for side in sheet]
    assert len(imposed) == len(sides)
    for page, (left, right) in zip(imposed, sides):
        width, height = page.get_size()
        textpage = page.get_textpage()
        for half, index in ((textpage.get_text_bounded(0, 0, width / 2, height), left),
                            (textpage.get_text_bounded(width / 2, 0, width, height), right)):
            if index is None:
                assert half.strip() == ""
            elif index in (0, len(footers) - 1):  # the covers: no page number, their own text
                assert squash(half) == squash(footers[index]), index
            else:
                assert f"of {len(footers)}" in half or f"共 {len(footers)} 页" in half
                assert (f"Page {index + 1} of" in half) or (f"第 {index + 1} 页" in half)
    # The front cover opens the booklet, the back cover closes it; blanks lie inside.
    assert sides[0] == (len(footers) - 1, 0)
    assert "Read online" in footers[-1] and ORGANISATION["en"] in footers[-1]


@pytest.mark.parametrize("name", ["handout.pdf", "parallel.pdf", "trifold.pdf", "booklet.pdf",
                                  "booklet.imposed.pdf"])
def test_branding_is_in_every_layout(layouts_build, name):
    text = squash(all_text(_pdf(layouts_build, "plain", name)))
    assert squash(ORGANISATION["en"]) in text, name
    assert squash(ORGANISATION["zh-Hans"]) in text, name
    assert "clinic.example.org" in text


def test_a_wrapped_brand_line_starts_no_line_with_its_separator(layouts_build):
    # The A5 booklet is too narrow for the brand line: it wraps between two items.
    text = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2",  # page 1: the cover
                           str(_pdf(layouts_build, "plain", "booklet.pdf")), "-"],
                          capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = next(i for i, line in enumerate(lines) if ORGANISATION["en"] in line)
    assert lines[first].endswith("·") and lines[first + 1].startswith("Tel. 555-0100"), lines[:4]
    assert not any(line.startswith("·") for line in lines)


@pytest.mark.parametrize("name", ["handout.pdf", "parallel.pdf", "trifold.pdf", "booklet.pdf"])
def test_qr_code_decodes_to_the_handouts_url(layouts_build, name):
    import zxingcpp

    pdf = pypdfium2.PdfDocument(str(_pdf(layouts_build, "plain", name)))
    decoded = set()
    for page in pdf:
        image = page.render(scale=4).to_pil()
        decoded |= {result.text for result in zxingcpp.read_barcodes(image)}
    assert decoded == {URL}


def _body_sizes(pdf_path: Path) -> list[float]:
    """Font sizes of the letters, in points (WeasyPrint draws in CSS px, scaled by 0.75)."""
    import pypdfium2.raw as raw

    sizes = []
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    for page in pdf:
        textpage = page.get_textpage()
        for index in range(textpage.count_chars()):
            if chr(raw.FPDFText_GetUnicode(textpage, index)).isalpha():
                sizes.append(raw.FPDFText_GetFontSize(textpage, index) * 0.75)
    return sizes


def test_large_print_sets_body_text_at_14pt_or_more(tmp_path):
    assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(tmp_path),
                "--option", "large-print=yes", "--lang", "en"]) == 0
    large = statistics.median(_body_sizes(tmp_path / "stem-cells-t2dm" / "handout.en.pdf"))
    assert large >= 14 - 0.01  # PDFium reads back 13.9995
    assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(tmp_path / "n"),
                "--lang", "en"]) == 0
    normal = statistics.median(_body_sizes(tmp_path / "n" / "stem-cells-t2dm" / "handout.en.pdf"))
    assert 11 <= normal < large


def test_cmyk_option_paints_layout_colours_in_device_cmyk(tmp_path):
    assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(tmp_path),
                "--option", "colour=cmyk", "--lang", "en"]) == 0
    reader = pypdf.PdfReader(tmp_path / "stem-cells-t2dm" / "handout.en.pdf")
    content = reader.pages[0].get_contents().get_data().decode("latin-1")
    assert re.search(r"/DeviceCMYK cs\n0\.88 0 0\.05 0\.54 scn", content)  # the accent, in CMYK


GHOSTSCRIPT_CMYK = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


@pytest.mark.skipif(not GHOSTSCRIPT_CMYK.is_file(), reason="Debian's libgs-common gives a CMYK "
                    "profile to test with (make test installs it)")
def test_cmyk_with_a_print_profile_has_an_output_intent(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(SAMPLE, project / "content" / "stem-cells-t2dm")
    shutil.copytree(REPO / "assets", project / "assets")
    shutil.copy(GHOSTSCRIPT_CMYK, project / "assets" / "printshop.icc")
    (project / "site.yaml").write_text((REPO / "site.yaml").read_text(encoding="utf-8")
                                       + "print-profile: assets/printshop.icc\n", encoding="utf-8")
    assert run(["--project", str(project), "build", "--layout", "trifold",
                "--option", "colour=cmyk", "--option", "bleed=3mm"]) == 0
    reader = pypdf.PdfReader(project / "out" / "stem-cells-t2dm" / "trifold.pdf")
    [intent] = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert str(intent["/S"]) == "/GTS_PDFX"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4 and profile.get_data()[16:20] == b"CMYK"


@pytest.mark.skipif(not GHOSTSCRIPT_CMYK.is_file(), reason="Debian's libgs-common gives a CMYK "
                    "profile to test with (make test installs it)")
def test_pdf_x4_for_print_shops(tmp_path, capsys):
    project = tmp_path / "p"
    shutil.copytree(SAMPLE, project / "content" / "stem-cells-t2dm")
    shutil.copytree(REPO / "assets", project / "assets")
    shutil.copy(REPO / "site.yaml", project / "site.yaml")
    build = ["--project", str(project), "build", "--layout", "trifold", "--pdf-variant",
             "pdf/x-4", "--option", "bleed=3mm", "--option", "marks=crop"]
    # Without the print shop's profile there is no output intent: refused, and why.
    assert run(build) == 1
    err = capsys.readouterr().err
    assert "site.yaml: error: pdf/x-4 needs the print shop's CMYK ICC profile" in err
    assert not (project / "out" / "stem-cells-t2dm" / "trifold.pdf").exists()
    shutil.copy(GHOSTSCRIPT_CMYK, project / "assets" / "printshop.icc")
    with (project / "site.yaml").open("a", encoding="utf-8") as site:
        site.write("print-profile: assets/printshop.icc\n")
    assert run(build) == 0
    path = project / "out" / "stem-cells-t2dm" / "trifold.pdf"
    assert path.read_bytes().startswith(b"%PDF-1.6")
    reader = pypdf.PdfReader(path)
    [intent] = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert str(intent["/S"]) == "/GTS_PDFX"
    assert intent["/DestOutputProfile"].get_object().get_data() == GHOSTSCRIPT_CMYK.read_bytes()
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert str(reader.metadata["/Trapped"]) == "/False"
    for page in reader.pages:  # PDF/X: every page says where it is cut
        assert "/TrimBox" in page and "/BleedBox" in page
        assert float(page.bleedbox.left) < float(page.trimbox.left)
    for font, info in fonts(path).items():
        assert info["embedded"], font
    # The same input, the same bytes (the dates come from the bundle, not the clock).
    again = path.read_bytes()
    path.unlink()
    assert run(build) == 0 and path.read_bytes() == again
    # The imposed booklet stays a print file: the output intent and the PDF/X XMP go too.
    assert run(["--project", str(project), "build", "--layout", "booklet",
                "--pdf-variant", "pdf/x-4"]) == 0
    imposed = pypdf.PdfReader(project / "out" / "stem-cells-t2dm" / "booklet.imposed.pdf")
    [intent] = imposed.trailer["/Root"]["/OutputIntents"]
    assert str(intent.get_object()["/S"]) == "/GTS_PDFX"
    assert intent.get_object()["/DestOutputProfile"].get_object().get_data() == \
        GHOSTSCRIPT_CMYK.read_bytes()
    assert b"PDF/X-4" in imposed.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert all("/TrimBox" in page for page in imposed.pages)


def test_marks_on_a_booklet_say_the_imposed_sheets_have_none(tmp_path, capsys):
    assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(tmp_path),
                "--layout", "booklet", "--option", "bleed=3mm", "--option", "marks=crop"]) == 0
    err = capsys.readouterr().err
    assert ("handbill: warning: --option bleed=3mm and --option marks=crop: booklet.imposed.pdf "
            "is printed to trim, without bleed or marks: two A5 pages fill an A4 sheet and leave "
            "no room around them (the reading-order booklet.pdf has them) [impose]") in err
    reading = pypdf.PdfReader(tmp_path / "stem-cells-t2dm" / "booklet.pdf").pages[0]
    assert float(reading.mediabox.width) > float(reading.bleedbox.width) > float(
        reading.trimbox.width)


def test_text_a_panel_would_cut_off_is_found():
    # A box that hides its overflow (a leaflet's panel) must never cut text off unseen.
    from handbill.pages import clipped
    from handbill.pdf import lay_out

    html = ("<html lang='en'><body><div style='height: 20mm; overflow: hidden'>"
            + "<p>Line of text that is long enough to wrap more than once here.</p>" * 12
            + "</div><div style='height: 20mm; overflow: hidden'><p>Fits.</p></div></body></html>")
    document, problems = lay_out(html, base_url="file:///", allowed=[], source="t")
    [(page, lines, depth, first)] = clipped(document.pages)
    assert page == 1 and lines > 5 and depth > 10 and first.text.startswith("Line of text")
    assert [p.code for p in problems] == ["layout-fit"]
    assert "text does not fit its column or panel on page 1" in problems[0].message


def test_folds_in_a_layout_are_checked(tmp_path, capsys):
    project = tmp_path / "p"
    shutil.copytree(SAMPLE, project / "content" / "stem-cells-t2dm")
    shutil.copytree(REPO / "layouts" / "trifold", project / "layouts" / "trifold")
    manifest = project / "layouts" / "trifold" / "layout.yaml"
    text = manifest.read_text(encoding="utf-8").replace("A4: [[97, 197], [100, 200]]",
                                                        "A4: [[97, left]]")
    manifest.write_text(text, encoding="utf-8")
    line = text.splitlines().index("folds:") + 1
    assert run(["--project", str(project), "build", "--layout", "trifold"]) == 1
    err = capsys.readouterr().err
    assert (f"layouts/trifold/layout.yaml:{line}: error: 'folds' must map each page size to a "
            "list of pages, each a list of distances in mm from the left edge [layout]") in err
