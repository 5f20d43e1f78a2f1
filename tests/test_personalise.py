"""Personalised batches (build BUNDLE --data ROWS): one handout a row, values as text only,
every bad row located, personal data kept out of the cache, the manifest and the report."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from handbill.cli import run
from conftest import REPO, appointment_project, build_rows, clinic_project
from pdfcheck import reading_text, squash

FIXTURE = REPO / "tests" / "fixtures" / "appointment"
B = "content/appointment"
HEADER = "id,name,date,time,second_dose,nurse_line\n"
#: Forty patients: English and Chinese names (and one Traditional), their own dates,
#: times and nurse lines.
NAMES = ["Margaret O'Neill", "陈美玲", "Kwame Mensah-Boateng", "李志强", "Siobhán Ní Bhriain",
         "黃嘉欣", "José Álvarez", "王小明"]


def _rows(count: int) -> str:
    lines = [HEADER]
    for i in range(count):
        name = NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else f" {i}")
        lines.append(f'p{i:04},"{name}",{i % 28 + 1} December 2026,{8 + i % 9}:15 a.m.,'
                     f"5:{i % 60:02} a.m.,020 7946 {i:04}\n")
    return "".join(lines)


def _project(tmp_path: Path, rows: str) -> Path:
    return appointment_project(tmp_path / "p", rows)


_build = build_rows


def test_forty_rows_make_forty_handouts_each_with_its_own_values(tmp_path, capsys):
    project = _project(tmp_path, _rows(40))
    assert _build(project, "-j", "2", "--report", str(project / "report.json")) == 0
    pdfs = sorted((project / "out" / "appointment").glob("*/handout.pdf"))
    assert [p.parent.name for p in pdfs] == [f"p{i:04}" for i in range(40)]
    for i in (0, 1, 5, 39):
        name = NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else f" {i}")
        text = squash(reading_text(pdfs[i]))
        day = f"{i % 28 + 1}December2026"
        assert squash(f"Dear {name}, your colonoscopy is booked for") + day in text
        assert squash(f"call the nurse line on 020 7946 {i:04}.") in text
        assert squash(f"Prepared for {name}. Call 020 7946 {i:04} with any question.") in text
        # The Chinese text: the name where the placeholder was, the gap before the digits.
        assert squash(f"{name}您好：您的结肠镜检查定于{i % 28 + 1}December2026") in text
        assert "{{" not in text and "\ue000" not in reading_text(pdfs[i])
    # Owner-only outputs, and nothing of a row anywhere but in its own PDF.
    for pdf in pdfs:
        assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
        assert stat.S_IMODE(pdf.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((project / "out" / "appointment").stat().st_mode) == 0o700
    values = [v for line in _rows(40).splitlines()[1:] for v in next(
        __import__("csv").reader([line]))[1:] if len(v) > 3]
    kept = [p for p in (project / ".cache").rglob("*") if p.is_file()]
    kept += [project / "report.json", project / "out" / ".handbill-manifest.json"]
    for path in kept:
        data = path.read_bytes()
        for value in values:
            for encoded in (value.encode(), value.encode("utf-16-be"), json.dumps(value).encode()):
                assert encoded not in data, (path, value)
    report = json.loads((project / "report.json").read_text(encoding="utf-8"))
    assert len(report["outputs"]) == 40
    # A second build does nothing; editing one row rebuilds that row only.
    capsys.readouterr()
    assert _build(project) == 0
    assert "40 outputs: 0 built, 40 up to date" in capsys.readouterr().out
    rows = (project / "rows.csv").read_text(encoding="utf-8").replace("020 7946 0005",
                                                                      "020 7946 5555")
    (project / "rows.csv").write_text(rows, encoding="utf-8")
    assert _build(project) == 0
    out = capsys.readouterr().out
    assert "40 outputs: 1 built, 39 up to date" in out and "p0005/handout.pdf" in out
    assert squash("call the nurse line on 020 7946 5555.") in squash(reading_text(pdfs[5]))


def test_a_value_is_text_never_markup(tmp_path):
    literal = "<b>Bold</b> & {{ name }} *not* `code` [x](https://e.org) <style>p{color:red}</style>"
    escaped = literal.replace('"', '""')
    project = _project(tmp_path, HEADER + f'p1,"{escaped}",3 December 2026,8:30 a.m.,'
                                          "5:00 a.m.,020 7946 0101\n")
    assert _build(project) == 0
    text = reading_text(project / "out" / "appointment" / "p1" / "handout.pdf")
    joined = " ".join(text.split())
    assert squash(f"Prepared for {literal}.") in squash(joined)  # the metadata's text
    assert squash(f"Dear {literal}, your colonoscopy") in squash(joined)  # the body's
    assert squash(f"{literal}您好：") in squash(text)


def test_a_bundle_with_placeholders_and_no_rows_is_refused_at_each(tmp_path, capsys):
    project = _project(tmp_path, _rows(1))
    assert run(["--project", str(project), "build", str(project / B)]) == 1
    err = capsys.readouterr().err
    assert ("content/appointment/en.md:3:6: error: placeholder {{ name }} and no rows to fill "
            "it [placeholder]") in err
    assert "content/appointment/zh-Hans.md:13:15: error: placeholder {{ nurse_line }}" in err
    assert "content/appointment/meta.yaml:2: error: placeholder {{ date }}" in err
    assert "content/appointment/meta.yaml:9: error: placeholder {{ nurse_line }}" in err
    assert not list((project / "out").rglob("*.pdf"))
    # check says the same, and checks the pages with the placeholders as written.
    assert run(["--project", str(project), "check", str(project / B)]) == 1
    assert "en.md:3:6: error: placeholder {{ name }}" in capsys.readouterr().out


def test_a_placeholder_outside_the_text_is_an_error_where_it_is(tmp_path, capsys):
    project = _project(tmp_path, _rows(1))
    with open(project / B / "en.md", "a", encoding="utf-8") as body:
        body.write("\nKeep `{{ time }}` in mind.\n")
    assert _build(project) == 1
    err = capsys.readouterr().err
    assert ("content/appointment/en.md:19:7: error: placeholder {{ time }} is not in the text "
            "(a link, code, an image's alt text or raw HTML), where no value fills it "
            "[placeholder]") in err
    assert not list((project / "out").rglob("*.pdf"))


def test_bad_rows_are_located_all_at_once_and_the_others_built(tmp_path, capsys):
    rows = (HEADER
            + "p1,Ann Lee,3 December 2026,8:30 a.m.,5:00 a.m.,020 7946 0101\n"  # line 2: good
            + "p2,,3 December 2026,8:30 a.m.,5:00 a.m.,020 7946 0102\n"  # 3: empty name
            + "p1,Bo Chen,3 December 2026,8:30 a.m.,5:00 a.m.,020 7946 0103\n"  # 4: twice
            + "../up,Cy Wu,3 December 2026,8:30 a.m.,5:00 a.m.,020 7946 0104\n"  # 5: unsafe
            + "p5,Di Ho,3 December 2026,8:30 a.m.\n"  # 6: too few fields
            + "p6,\"Ed \U00017000 Ng\",3 December 2026,8:30 a.m.,5:00 a.m.,020 7946 0106\n"
            + "p7,Fay Yu,3 December 2026,9:00 a.m.,5:30 a.m.,020 7946 0107\n")  # 8: good
    project = _project(tmp_path, rows)
    assert _build(project) == 1
    err = capsys.readouterr().err
    for expected in (
            "rows.csv:3:4: error: this row's 'name' is empty, and the text prints it [data]",
            "rows.csv:4:1: error: this row's id is the id of the row at line 2",
            "rows.csv:5:1: error: this row's id is not a safe file name",
            "rows.csv:6: error: this row has 4 fields, the header 6 [data]",
            "rows.csv:7:8: error: row p6: its 'name' has a character no font covers for en "
            "(U+17000)"):
        assert expected in err, err
    assert "Bo Chen" not in err and "Cy Wu" not in err and "Ed " not in err  # no values
    built = sorted(p.parent.name for p in (project / "out").rglob("handout.pdf"))
    assert built == ["p1", "p7"]
    capsys.readouterr()
    assert run(["--project", str(project), "check", str(project / B), "--data",
                str(project / "rows.csv")]) == 1
    out = capsys.readouterr().out
    assert "rows.csv:5:1: error: this row's id is not a safe file name" in out


@pytest.mark.parametrize("rows, expected", [
    ('[{"id": "p1", "name": "Ann", "date": "3 Dec", "time": "8:30", "second_dose": "5:00",'
     ' "nurse_line": "020"},\n {"id": "p2", "name": "Bo"}]',
     "rows.json:2: error: this row has no field 'date', which the text uses ({{ date }}) [data]"),
    ('[{"id": "p1", "name": ', "rows.json:1: error: the data file is not JSON"),
    ('{"id": "p1"}', "rows.json:1: error: a JSON data file is a list of objects"),
])
def test_json_rows_and_their_problems(tmp_path, capsys, rows, expected):
    project = _project(tmp_path, "")
    (project / "rows.json").write_text(rows, encoding="utf-8")
    code = run(["--project", str(project), "build", str(project / B), "--data",
                str(project / "rows.json")])
    assert code == 1
    assert expected in capsys.readouterr().err


def test_data_names_one_bundle(tmp_path, capsys):
    project = _project(tmp_path, _rows(1))
    shutil.copytree(FIXTURE, project / "content" / "second")
    assert run(["--project", str(project), "build", "--data", str(project / "rows.csv")]) == 2
    assert "--data fills one bundle's placeholders" in capsys.readouterr().err
    assert os.listdir(project) and not (project / "out").exists() or \
        not list((project / "out").rglob("*.pdf"))


def test_rows_give_the_same_bytes_with_any_number_of_processes(tmp_path):
    from conftest import assert_same_pdfs

    project = _project(tmp_path, _rows(4))
    assert _build(project, "-j", "1", "--out", str(project / "one")) == 0
    assert _build(project, "-j", "2", "--out", str(project / "two")) == 0
    assert_same_pdfs(project / "one", project / "two", 4)


def test_every_row_uses_the_same_font_subsets(tmp_path):
    """The fonts are subset once for all the rows (capitals a layout may set included:
    Siobhán's Á): eight names, one subset a face, as for one row."""
    project = _project(tmp_path, _rows(8))
    assert _build(project, "-j", "1") == 0
    subsets = sorted(p.name for p in (project / "out" / ".handbill-private").rglob("*")
                     if p.suffix in (".otf", ".ttf"))
    css_faces = len(subsets)
    one = _project(tmp_path / "one", HEADER + _rows(8).splitlines(keepends=True)[5])
    assert _build(one, "-j", "1") == 0
    assert len([p for p in (one / "out" / ".handbill-private").rglob("*")
                if p.suffix in (".otf", ".ttf")]) <= css_faces
    assert css_faces == len(set(subsets)) and css_faces <= 8, subsets


def test_a_bidirectional_override_is_refused_in_a_row_and_in_a_text(tmp_path, capsys):
    """U+202E prints what follows it backwards ("Call 999" as "999 llaC"): never text."""
    project = _project(tmp_path, HEADER + 'p1,"Ann \u202eLee",3 December 2026,8:30 a.m.,'
                                          "5:00 a.m.,020 7946 0101\n")
    assert _build(project) == 1
    assert ("rows.csv:2:5: error: this row's 'name' holds a control, bidirectional or "
            "unassigned character (U+202E)") in capsys.readouterr().err
    (project / "rows.csv").write_text(_rows(1), encoding="utf-8")
    with open(project / B / "en.md", "a", encoding="utf-8") as body:
        body.write("\nCall \u2067999\u2069 now.\n")
    assert _build(project) == 1
    assert ("content/appointment/en.md:19:6: error: the bidirectional control U+2067 reorders "
            "the text after it as it prints, and cannot be seen; delete it [text]"
            ) in capsys.readouterr().err
    assert not list((project / "out").rglob("*.pdf"))


@pytest.mark.parametrize("make, expected", [
    (lambda p: Path("/tmp/handbill-rows-outside.csv"),
     "handbill: error: data file '/tmp/handbill-rows-outside.csv' is outside the project"),
    (lambda p: (p / "link.csv").symlink_to("/etc/passwd") or p / "link.csv",
     "links to a place outside the project"),
    (lambda p: p / "missing.csv", "handbill: error: --data missing.csv: no such file [usage]"),
])
def test_a_data_file_outside_the_project_or_missing_is_a_misuse(tmp_path, capsys, make,
                                                                 expected):
    project = _project(tmp_path, _rows(1))
    Path("/tmp/handbill-rows-outside.csv").write_text(_rows(1), encoding="utf-8")
    data = make(project)
    for command in ("build", "check"):
        code = run(["--project", str(project), command, str(project / B), "--data", str(data)])
        captured = capsys.readouterr()
        assert code == 2, (command, captured)
        assert expected in captured.err + captured.out, (command, captured)
    assert not (project / "out").exists()


def test_a_data_file_too_large_is_refused_before_it_is_read(tmp_path, capsys):
    project = _project(tmp_path, "")
    with open(project / "rows.csv", "wb") as rows:
        rows.truncate(60_000_000)  # sparse: 60 MB on paper
    assert _build(project) == 1
    assert ("rows.csv: error: the data file has 60,000,000 bytes, more than 50,000,000 [data]"
            in capsys.readouterr().err)


# ---- Excel workbooks (.xlsx, read by calamine) --------------------------------------------

def _workbook(path: Path, rows: list[list], sheets: int = 1) -> None:
    """An .xlsx as Excel writes one (openpyxl): ROWS on its first sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Patients"
    for row in rows:
        sheet.append(row)
    for n in range(1, sheets):
        book.create_sheet(f"Notes {n}").append(["not rows"])
    book.save(path)


def _xlsx_build(project: Path, *extra: str) -> int:
    return build_rows(project, *extra, data="rows.xlsx")


def test_an_excel_workbook_builds_the_handouts_its_csv_would(tmp_path):
    """The same rows in a workbook and in CSV give the same PDFs, byte for byte; a whole
    number in a cell prints without its .0."""
    from conftest import assert_same_pdfs

    csv_rows = _rows(3).replace("020 7946 0001", "2")  # a nurse line that Excel holds as 2
    project = _project(tmp_path, csv_rows)
    lines = [line.split(",") for line in csv_rows.splitlines()]
    cells = [lines[0]] + [[c.strip('"') for c in line] for line in lines[1:]]
    cells[2][5] = 2  # a number in the workbook
    _workbook(project / "rows.xlsx", cells)
    assert _build(project, "--out", str(project / "from-csv")) == 0
    assert _xlsx_build(project, "--out", str(project / "from-xlsx")) == 0
    assert_same_pdfs(project / "from-csv", project / "from-xlsx", 3)
    text = squash(reading_text(project / "from-xlsx" / "appointment" / "p0001" / "handout.pdf"))
    assert squash("Dear 陈美玲, your colonoscopy") in text
    assert squash("call the nurse line on 2.") in text


def test_excel_cells_that_are_not_text_are_located_at_their_cell(tmp_path, capsys):
    import datetime

    project = _project(tmp_path, "")
    good = ["p1", "Ann Lee", "3 December 2026", "8:30 a.m.", "5:00 a.m.", "020 7946 0101"]
    _workbook(project / "rows.xlsx", [
        HEADER.strip().split(","),
        good,                                                                  # row 2
        ["p2", "Bo Chen", datetime.date(2026, 12, 3), "8:30 a.m.", "5:00", "0"],  # 3: a date
        ["p3", "Cy Wu", "3 December", datetime.time(8, 30), "5:00", "0"],       # 4: a time
        ["p4", True, "3 December", "8:30", "5:00", "0"],                         # 5: TRUE
        [None] * 6,                                                              # 6: blank
        ["p1", "Di Ho", "3 December", "8:30", "5:00", "0"],                      # 7: id twice
        ["p5", "", "3 December", "8:30", "5:00", "0"],                           # 8: empty
    ], sheets=2)
    assert _xlsx_build(project) == 1
    err = capsys.readouterr().err
    for expected in (
            "rows.xlsx:3:3: error: this row's 'date' is a date in the workbook, not text",
            "rows.xlsx:4:4: error: this row's 'time' is a time in the workbook, not text",
            "rows.xlsx:5:2: error: this row's 'name' is TRUE or FALSE in the workbook",
            "rows.xlsx:7:1: error: this row's id is the id of the row at line 2",
            "rows.xlsx:8:2: error: this row's 'name' is empty, and the text prints it",
            "rows.xlsx: warning: the rows are read from the first sheet, 'Patients'; the other "
            "1 are not read [data]"):
        assert expected in err, err
    assert "Bo Chen" not in err and "Traceback" not in err
    assert sorted(p.parent.name for p in (project / "out").rglob("handout.pdf")) == ["p1"]


@pytest.mark.parametrize("make, expected", [
    (lambda path: path.write_bytes(b"id,name\np1,Ann\n"),
     "rows.xlsx: error: this is not an Excel workbook handbill can read"),
    (lambda path: path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
     "rows.xlsx: error: the Excel workbook is password-protected (or an old .xls file)"),
    # A zip bomb: 300 MB of zeros in a few hundred kilobytes.
    (lambda path: _bomb(path), "rows.xlsx: error: the Excel workbook unpacks to more than"),
])
def test_a_workbook_that_cannot_be_read_is_an_error_and_nothing_is_built(tmp_path, capsys,
                                                                         make, expected):
    project = _project(tmp_path, "")
    make(project / "rows.xlsx")
    assert _xlsx_build(project) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not list((project / "out").rglob("*.pdf")) if (project / "out").exists() else True


def _bomb(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            zeros = bytes(1 << 20)
            for _ in range(300):
                part.write(zeros)


def _sheet_cells(path: Path, cells: dict[str, object]) -> None:
    """A workbook whose first sheet holds only CELLS (by their names: A1, B1...)."""
    import openpyxl

    book = openpyxl.Workbook()
    for name, value in cells.items():
        book.active[name] = value
    book.save(path)


def _not_a_workbook(path: Path) -> None:
    """A zip that passes as one (no bomb, no password) and holds no workbook."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "minutes of the clinic's meeting\n")


GOOD = ["p1", "Ann Lee", "3 December 2026", "8:30 a.m.", "5:00 a.m.", "020 7946 0101"]


@pytest.mark.parametrize("make, expected", [
    (lambda path: _workbook(path, []), "rows.xlsx: error: the first sheet is empty [data]"),
    (lambda path: _workbook(path, [[None, None], ["p1", "Ann"]]),
     "rows.xlsx: error: the first sheet is empty [data]"),
    (lambda path: _workbook(path, [["patient", "name"], ["p1", "Ann"]]),
     "rows.xlsx:1: error: the header row has no 'id' column (the name of each row's output "
     "folder) [data]"),
    (lambda path: _workbook(path, [["id", "name", "date", "name"], ["p1", "Ann", "3 Dec", "A"]]),
     "rows.xlsx:1: error: the header row names name twice [data]"),
    # A sheet of more rows than handbill takes (its one other cell far down: a small file).
    (lambda path: _sheet_cells(path, {"A1": "id", "A1000001": "p1"}),
     "rows.xlsx: error: the first sheet has 1,000,001 rows, more than 1,000,000 [data]"),
    (_not_a_workbook, "rows.xlsx: error: the workbook cannot be read ("),
])
def test_a_workbook_without_rows_to_read_says_why_and_builds_nothing(tmp_path, capsys, make,
                                                                     expected):
    project = _project(tmp_path, "")
    make(project / "rows.xlsx")
    assert _xlsx_build(project) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err
    assert not list(project.rglob("*.pdf"))


def test_a_column_without_a_name_is_not_read(tmp_path, capsys):
    """A note typed beside the table, under no header: the row builds, the note is not
    printed and not an error."""
    project = _project(tmp_path, "")
    header = HEADER.strip().split(",")
    _workbook(project / "rows.xlsx", [header + [None], GOOD + ["call her daughter first"]])
    assert _xlsx_build(project) == 0, capsys.readouterr().err
    pdf = project / "out" / "appointment" / "p1" / "handout.pdf"
    text = squash(reading_text(pdf))
    assert squash("Dear Ann Lee") in text and squash("daughter") not in text
