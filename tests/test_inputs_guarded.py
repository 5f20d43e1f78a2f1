"""The files a handout reads on its user's behalf, and what a user is told when one is
wrong: --data rows (CSV and JSON a clinic's office exports), the images a text or a
drawing embeds (real PNG and JPEG files, and damaged ones), files that lead out of the
project or are no files at all, and what a render reads (handbill.resources)."""

from __future__ import annotations

import base64
import io
import os
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from conftest import appointment_project, build_rows, clinic_project
from handbill.cli import run
from pdfcheck import reading_text, squash

B = "content/appointment"
HEADER = "id,name,date,time,second_dose,nurse_line\n"
ANN = "p1,Ann Lee,3 December 2026,8:30 a.m.,5:00 a.m.,020 7946 0101\n"


def _built(project: Path) -> list[str]:
    return sorted(p.parent.name for p in (project / "out").rglob("handout.pdf"))


# ---- --data rows ------------------------------------------------------------------------

@pytest.mark.parametrize("name, data, expected", [
    # Saved from Excel as "CSV" (Windows-1252), not "CSV UTF-8": Zoë's ë on line 3.
    ("rows.csv", (HEADER + ANN).encode() + "p2,Zoë Hart,4 December 2026,9:00 a.m.,5:30 a.m.,"
     "020 7946 0102\n".encode("cp1252"),
     "rows.csv:3: error: the data file is not UTF-8 text [data]\n"
     "  hint: save it as CSV UTF-8\n"),
    ("rows.csv", HEADER.encode(), "rows.csv: error: the data file has no rows [data]\n"),
    ("rows.csv", b"", "rows.csv: error: the data file is empty [data]\n"),
    ("rows.csv", b'id,"name"(as on the card),date\n' + ANN.encode(),
     "rows.csv:1: error: the header row is not CSV: ',' expected after '\"' [data]\n"),
    ("rows.csv", b"patient,name,date,time,second_dose,nurse_line\n" + ANN.encode(),
     "rows.csv:1: error: the header row has no 'id' column (the name of each row's output "
     "folder) [data]\n"),
    ("rows.csv", b"id,name,date,time,name,nurse_line\n" + ANN.encode(),
     "rows.csv:1: error: the header row names name twice [data]\n"),
    ("rows.txt", (HEADER + ANN).encode(),
     "rows.txt: error: a data file is .csv, .json or .xlsx, not '.txt' [data]\n"),
    ("patients", (HEADER + ANN).encode(),
     "patients: error: a data file is .csv, .json or .xlsx, not 'patients' [data]\n"),
])
def test_a_data_file_that_cannot_be_read_as_rows_builds_nothing(tmp_path, capsys, name, data,
                                                               expected):
    project = appointment_project(tmp_path / "p", "")
    (project / name).write_bytes(data)
    assert build_rows(project, data=name) == 1
    err = capsys.readouterr().err
    assert err == expected
    assert not (project / "out").exists() or _built(project) == []


def test_a_folder_named_as_the_data_file_is_a_misuse_not_a_traceback(tmp_path, capsys):
    project = appointment_project(tmp_path / "p", "")
    (project / "rows.csv").unlink()
    (project / "rows.csv").mkdir()  # an export that unzipped into a folder of that name
    assert build_rows(project) == 2
    assert capsys.readouterr().err == (f"handbill: error: data file '{project / 'rows.csv'}' "
                                       "is not a regular file (a folder); handbill reads only "
                                       "regular files [usage]\n")
    assert _built(project) == []


def test_a_fifo_named_as_the_data_file_is_refused_not_waited_on(tmp_path, capsys):
    project = appointment_project(tmp_path / "p", "")
    fifo = project / "rows.csv"
    fifo.unlink()
    os.mkfifo(fifo)
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(build_rows(project)), daemon=True)
    thread.start()
    opened_by_handbill = False
    deadline = time.monotonic() + 30
    while thread.is_alive() and time.monotonic() < deadline:
        try:  # succeeds only while a reader has the FIFO open: handbill, waiting on it
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            time.sleep(0.01)
            continue
        opened_by_handbill = True  # closed at once: the reader sees an empty file, and goes on
        break
    thread.join(30)
    err = capsys.readouterr().err
    assert not opened_by_handbill, err
    assert result == [2]  # a misuse: not a regular file
    assert "not a regular file (a FIFO); handbill reads only regular files" in err


def test_a_data_file_that_is_a_link_to_itself_is_a_misuse(tmp_path, capsys):
    project = appointment_project(tmp_path / "p", "")
    (project / "loop.csv").symlink_to("loop.csv")
    assert build_rows(project, data="loop.csv") == 2
    assert capsys.readouterr().err == (f"handbill: error: data file '{project / 'loop.csv'}' is "
                                       "a link that leads back to itself [usage]\n")


def test_bad_csv_rows_are_located_and_the_good_row_before_them_is_built(tmp_path, capsys):
    """A row with no id, a field pasted with a whole letter in it, then a nickname in quotes
    inside a quoted cell, its quotes not doubled: the CSV cannot be read past that line, so the last row is not read."""
    long_line = "Call 020 7946 0103 " + "and ask for the endoscopy nurse " * 20
    second = ",Bo Chen,3 December 2026,8:30 a.m.,5:00 a.m.,020 7946 0102\n"
    third = f"p3,Cy Wu,3 December 2026,8:30 a.m.,5:00 a.m.,\"{long_line}\"\n"
    rows = (HEADER + ANN + second + third
            + 'p4,"Di "Dee" Ho",3 December 2026,8:30 a.m.,5:00 a.m.,020 7946 0104\n'
            + "p5,Ed Ng,3 December 2026,8:30 a.m.,5:00 a.m.,020 7946 0105\n")
    project = appointment_project(tmp_path / "p", rows)
    assert build_rows(project, "--layout", "handout") == 1
    err = capsys.readouterr().err
    column = third.index('"') + 2
    assert ("rows.csv:3:1: error: this row has no id (the name of its output's folder) "
            "[data]\n") in err
    assert (f"rows.csv:4:{column}: error: this row's 'nurse_line' has {len(long_line)} "
            "characters, more than 500 [data]\n") in err
    assert "rows.csv:5: error: this row is not CSV: ',' expected after '\"' [data]\n" in err
    assert "Traceback" not in err and "Bo Chen" not in err and "endoscopy" not in err
    assert _built(project) == ["p1"]
    text = squash(reading_text(project / "out" / "appointment" / "p1" / "handout.pdf"))
    assert squash("Dear Ann Lee, your colonoscopy is booked for") in text


def test_json_rows_that_are_not_objects_or_hold_no_text_are_located(tmp_path, capsys):
    """A booking system's export: a number (the ward's extension) is printed as it is written, a null, a list or
    true is no text to print, and a bare string is no row."""
    rows = ('[\n'
            '  {"id": "p1", "name": "Ann Lee", "date": "3 December 2026", "time": "8:30 a.m.",\n'
            '   "second_dose": "5:00 a.m.", "nurse_line": 4410},\n'
            '  "p2",\n'
            '  {"id": "p3", "name": null, "date": "3 December 2026", "time": "8:30 a.m.",\n'
            '   "second_dose": "5:00 a.m.", "nurse_line": "020 7946 0103"},\n'
            '  {"id": "p4", "name": ["Di", "Ho"], "date": "3 December 2026"},\n'
            '  {"id": "p5", "name": "Ed Ng", "date": true}\n'
            ']\n')
    project = appointment_project(tmp_path / "p", "")
    (project / "rows.json").write_text(rows, encoding="utf-8")
    assert build_rows(project, "--layout", "handout", data="rows.json") == 1
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if ": error: " in line] == [
        'rows.json:4: error: this row is not an object ({"id": ..., "field": ...}) [data]',
        "rows.json:5: error: this row's 'name' is not text or a number [data]",
        "rows.json:7: error: this row's 'name' is not text or a number [data]",
        "rows.json:8: error: this row's 'date' is not text or a number [data]"]
    assert "Traceback" not in err
    assert _built(project) == ["p1"]
    text = squash(reading_text(project / "out" / "appointment" / "p1" / "handout.pdf"))
    assert squash("call the nurse line on 4410.") in text


# ---- images a text embeds -----------------------------------------------------------------

def _bundle(root: Path, body_image: str | None = "![How to fold the dressing](fold.png)"
            ) -> Path:
    """A clinic's wound-care handout, its English text showing BODY_IMAGE (line 5)."""
    project = clinic_project(root)
    bundle = project / "content" / "wound-care"
    bundle.mkdir(parents=True)
    (bundle / "meta.yaml").write_text(
        "title:\n  en: Caring for your wound\n  zh-Hans: 伤口护理\ndate: 2026-03-02\n"
        "layouts: [handout]\nlanguages: [en, zh-Hans]\n", encoding="utf-8")
    (bundle / "en.md").write_text(
        "## Keeping it clean\n\nWash your hands before you touch the dressing.\n\n"
        + (body_image or "Keep the dressing dry for two days.") + "\n", encoding="utf-8")
    (bundle / "zh-Hans.md").write_text("## 保持清洁\n\n触碰敷料前请先洗手。\n\n敷料两天内保持干燥。\n",
                                       encoding="utf-8")
    return bundle


def _check(bundle: Path, capsys) -> tuple[int, list[str]]:
    code = run(["--project", str(bundle.parents[1]), "check", str(bundle)])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, [line for line in out.out.splitlines()
                  if ": error: " in line or ": warning: " in line]


def _png(size=(60, 40), colour=(14, 110, 117)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(size=(320, 240)) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size)
    image.putdata([(x % 256, y % 256, (x * y) % 256) for y in range(size[1])
                   for x in range(size[0])])  # a photo's worth of detail, not one flat colour
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as file:
        file.truncate(size)


WHAT_PRINTS = "(SVG, PNG, JPEG, GIF, WebP)"


@pytest.mark.parametrize("make, expected", [
    # A note saved under the picture's name.
    (lambda b: (b / "fold.png").write_text("Photo to follow from the ward", encoding="utf-8"),
     f"image 'fold.png' is not an image handbill can read {WHAT_PRINTS}"),
    # A JPEG photo whose copy stopped half-way (a phone's upload cut off).
    (lambda b: (b / "fold.png").write_bytes(_jpeg()[:len(_jpeg()) // 2]),
     "image 'fold.png' is damaged or cut short: it does not decode"),
    # A scan far larger than a handout needs (sparse: nothing on the disk).
    (lambda b: _sparse(b / "fold.png", 25_000_000),
     "image 'fold.png' is 25,000,000 bytes, more than the 20,000,000 allowed"),
    # The picture named as if it were a folder: fold.png/large.png.
    (lambda b: ((b / "fold.png").write_bytes(_png()), (b / "en.md").write_text(
        (b / "en.md").read_text("utf-8").replace("(fold.png)", "(fold.png/large.png)"), "utf-8")),
     "image 'fold.png/large.png' cannot be followed: Not a directory"),
])
def test_an_image_that_cannot_print_is_an_error_at_its_line(tmp_path, capsys, make, expected):
    bundle = _bundle(tmp_path / "p")
    make(bundle)
    code, found = _check(bundle, capsys)
    assert code == 1
    assert found == [f"content/wound-care/en.md:5: error: {expected} [image]"]


def test_a_real_png_and_jpeg_print_in_the_handout(tmp_path, capsys):
    bundle = _bundle(tmp_path / "p", "![How to fold the dressing](fold.png)\n\n"
                     "![The dressing in place](photo.jpg)")
    (bundle / "fold.png").write_bytes(_png((120, 80)))
    (bundle / "photo.jpg").write_bytes(_jpeg())
    project = bundle.parents[1]
    assert run(["--project", str(project), "build", str(bundle), "--layout", "handout"]) == 0
    pdf = project / "out" / "wound-care" / "handout.pdf"
    from pypdf import PdfReader

    first = PdfReader(pdf).pages[0]  # the English page: both pictures, as they were drawn
    assert sorted(image.image.size for image in first.images) == [(120, 80), (320, 240)]
    jpeg = next(image for image in first.images if image.name.endswith(".jpg"))
    assert jpeg.data[:2] == b"\xff\xd8"  # the JPEG itself, not re-encoded
    png = next(image for image in first.images if image.name.endswith(".png"))
    assert png.image.convert("RGB").getpixel((60, 40)) == (14, 110, 117)
    assert squash("Wash your hands before you touch the dressing.") in squash(reading_text(pdf))


# ---- SVG drawings and what they embed ---------------------------------------------------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' \
      'width="200" height="120">\n{}\n</svg>\n'


def _data(mime: str, body: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(body).decode()}"


@pytest.mark.parametrize("drawing, extra, expected", [
    # An HTML page saved under the drawing's name.
    ("<!DOCTYPE html>\n<html><body><p>Dressing diagram</p></body></html>\n", None,
     ["content/wound-care/en.md:5: error: image 'dressing.svg' is not an SVG image [image]"]),
    # A stylesheet inside the drawing that names a texture nobody copied.
    (SVG.format('<style>\n  .pad { fill: url(gauze.png) }\n</style>\n'
                '<rect class="pad" width="200" height="120"/>'), None,
     ["content/wound-care/dressing.svg:3: error: the image 'gauze.png' it embeds is not found "
      "in the bundle [image]"]),
    # A base64 PNG whose last characters were lost when it was pasted.
    (SVG.format('<image href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE" '
                'width="10" height="10"/>'), None,
     ["content/wound-care/dressing.svg:2: error: the image 'data:image/png;base64,iVBORw0KGg"
      "oAAAANSU…' it embeds is a data: URL that does not decode [image]"]),
    # An embedded drawing that itself embeds a file outside the bundle.
    (SVG.format('<image href="{}" width="10" height="10"/>'.format(_data(
        "image/svg+xml", SVG.format('<image href="/etc/hosts"/>').encode()))), None,
     ["content/wound-care/dressing.svg:2: error: the image 'data:image/svg+xml;base64,PHN2ZyB4"
      "bWxucz…' it embeds holds what cannot be printed: the image '/etc/hosts' it embeds "
      "must be a file inside the bundle [image]"]),
    # An embedded drawing that prints: no problem.
    (SVG.format('<image href="{}" width="10" height="10"/>\n<image xlink:href="{}"/>'.format(
        _data("image/svg+xml", SVG.format('<circle r="4"/>').encode()),
        _data("image/png", _png((4, 4))))), None, []),
    # A texture that is a link to itself (a copy made with ln -s in the wrong folder).
    (SVG.format('<image href="gauze.png" width="10" height="10"/>'),
     lambda b: (b / "gauze.png").symlink_to("gauze.png"),
     ["content/wound-care/dressing.svg:2: error: the image 'gauze.png' it embeds is a link "
      "that leads back to itself [image]"]),
])
def test_what_a_drawing_embeds_is_checked_at_the_drawings_own_line(tmp_path, capsys, drawing,
                                                                   extra, expected):
    bundle = _bundle(tmp_path / "p", "![How the dressing sits](dressing.svg)")
    (bundle / "dressing.svg").write_text(drawing, encoding="utf-8")
    if extra:
        extra(bundle)
    code, found = _check(bundle, capsys)
    assert found == expected
    assert code == (1 if expected else 0)


def test_drawings_nested_deeper_than_eight_are_refused_by_file_and_by_data_url(tmp_path, capsys):
    bundle = _bundle(tmp_path / "p", "![Layers of a dressing](layer0.svg)\n\n"
                     "![The same, pasted in](pasted.svg)")
    for n in range(9):  # layer0.svg embeds layer1.svg, ... layer8.svg
        (bundle / f"layer{n}.svg").write_text(SVG.format(
            f'<image href="layer{n + 1}.svg" width="10" height="10"/>' if n < 8 else
            '<rect width="10" height="10"/>'), encoding="utf-8")
    inner = SVG.format('<rect width="10" height="10"/>')
    for _ in range(8):
        inner = SVG.format(f'<image href="{_data("image/svg+xml", inner.encode())}"/>')
    (bundle / "pasted.svg").write_text(inner, encoding="utf-8")
    code, found = _check(bundle, capsys)
    assert code == 1
    assert found[0] == ("content/wound-care/layer7.svg:2: error: the image 'layer8.svg' it "
                        "embeds is nested too deep [image]")
    assert len(found) == 2 and found[1].startswith(
        "content/wound-care/pasted.svg:2: error: the image 'data:image/svg+xml;base64,")
    assert found[1].endswith("it embeds holds what cannot be printed: the image "
                             "'data:image/svg+xml;base64,PHN2ZyB4bWxucz…' it embeds is nested "
                             "too deep [image]")


# ---- site.yaml files, and folders outside the project --------------------------------------

def test_a_logo_not_there_is_an_error_at_its_line(tmp_path, capsys):
    bundle = _bundle(tmp_path / "p", None)
    site = bundle.parents[1] / "site.yaml"
    site.write_text(site.read_text("utf-8").replace("logo: assets/logo.svg",
                                                    "logo: assets/logo-2026.svg"), "utf-8")
    code, found = _check(bundle, capsys)
    assert code == 1
    assert found == ["site.yaml:7: error: logo 'assets/logo-2026.svg' not found in the project "
                     "[site]"]


# ---- what a render reads (handbill.resources) ------------------------------------------------

def test_collect_ships_what_it_can_read_and_refuses_the_rest(tmp_path):
    """The main process of a cluster build reads for its workers: a stylesheet deleted
    since the last document, a name too long to open, and texts missing or not UTF-8."""
    from handbill.resources import collect

    project = tmp_path / "project"
    project.mkdir()
    css = project / "print.css"
    css.write_text("p { color: #0e6e75 }", encoding="utf-8")
    long_name = project / ("a" * 300 + ".png")
    en, zh, gone = project / "en.md", project / "zh-Hans.md", project / "es.md"
    en.write_text("\ufeff## Wash your hands\n", encoding="utf-8")
    zh.write_bytes("## 洗手\n".encode("gb18030"))
    html = f'<link href="{css.as_uri()}"><img src="file://{long_name}">'
    known: dict = {}
    blobs: dict = {}
    first = collect(html, (), (project,), (en, zh, gone), project, blobs, known=known)
    assert first.refused == {f"file://{long_name}": "cannot be read: File name too long"}
    assert first.paths[str(zh)] is None and first.paths[str(gone)] is None
    assert blobs[first.paths[str(en)]] == "## Wash your hands\n".encode()  # its BOM dropped
    assert blobs[first.files[css.as_uri()][2]] == b"p { color: #0e6e75 }"
    css.unlink()
    again = collect(html, (), (project,), (), project, blobs, known=known)
    assert again.refused[css.as_uri()] == "no such file"
    assert css.as_uri() not in again.files


def test_collect_refuses_a_link_that_leads_back_to_itself(tmp_path):
    from handbill.resources import collect

    project = tmp_path / "project"
    project.mkdir()
    (project / "texture.png").symlink_to("texture.png")
    url = (project / "texture.png").as_uri()
    shipped = collect(f'<img src="{url}">', (), (project,), (), project, {})
    assert url in shipped.refused and url not in shipped.files


def test_a_worker_reads_only_what_it_was_sent(tmp_path):
    from handbill.resources import NotShipped, Refused, Shipped, read_bytes, read_text, serving

    body, profile = tmp_path / "en.md", tmp_path / "press.icc"
    shipped = Shipped(files={}, refused={"file:///etc/hosts": "outside the project and "
                                                               "handbill's own files"},
                      paths={str(body): "b", str(profile): "p", str(tmp_path / "zh.md"): None})
    with serving(shipped, {"b": "## 洗手\n".encode(), "p": b"CMYK"}) as served:
        assert read_text(body, tmp_path) == "## 洗手\n"
        assert read_bytes(profile, tmp_path) == b"CMYK"
        with pytest.raises(FileNotFoundError, match="not sent to this worker"):
            read_bytes(tmp_path / "zh.md", tmp_path)
        with pytest.raises(FileNotFoundError, match="not sent to this worker"):
            read_text(tmp_path / "es.md", None)
        from handbill.resources import open_file

        with pytest.raises(Refused, match="^outside the project and handbill's own files$"):
            open_file("file:///etc/hosts", [tmp_path])
        with pytest.raises(NotShipped):
            open_file("file:///srv/fonts/a.otf", [tmp_path])
        assert served.missing == ["file:///srv/fonts/a.otf"]
    # Outside a worker, and with no project: the file itself.
    body.write_bytes(b"## Wash\n")
    assert read_bytes(body, None) == b"## Wash\n"
