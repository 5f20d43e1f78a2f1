"""The rows of an Excel workbook (``--data rows.xlsx``), read by calamine (python-calamine).

The first sheet is read as a CSV file is: its first row names the fields, each
row after it is a patient, and a message says ``rows.xlsx:ROW:COL`` (the sheet's
own row and column numbers). A cell holds text or a number (a whole number
without its ``.0``); a date, a time or TRUE/FALSE is an error at its cell, since
what Excel shows depends on a format the value does not carry: the cell is to be
formatted as Text, or the date written as it should print.

A workbook is a zip file: handbill.zipcheck checks it before calamine reads it
(password-protected, not a zip, or a zip bomb: an error, and nothing more is read).
"""

from __future__ import annotations

import datetime
import io
from typing import Iterator

from .errors import ContentError, Diagnostic
from .zipcheck import check_zip

#: The most rows a sheet may have (a row a handout).
MAX_ROWS = 1_000_000
_HINT = "save it from Excel, without a password, as .xlsx or as CSV UTF-8"


def xlsx_rows(data: bytes, shown: str, problems: list[Diagnostic]
              ) -> Iterator[tuple[int, dict[str, str], dict[str, int]]]:
    """Each row of the first sheet of the workbook DATA that has cells: (its row number,
    its values by field, the column of each). Problems of a row go into PROBLEMS (that
    row is left out); a workbook that cannot be read raises ContentError."""
    check_zip(data, shown, "Excel workbook", ".xls", _HINT)
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = book.sheet_names
        if not names:
            raise ValueError("it has no sheet")
        sheet = book.get_sheet_by_index(0)
        if sheet.height > MAX_ROWS:
            raise ContentError(Diagnostic(shown, None, f"the first sheet has {sheet.height:,} "
                                          f"rows, more than {MAX_ROWS:,}", code="data",
                                          hint="split it into several files"))
        cells = sheet.to_python(skip_empty_area=False)
    except ContentError:
        raise
    except Exception as error:  # noqa: BLE001 - calamine's errors: a workbook it cannot read
        raise ContentError(Diagnostic(shown, None, f"the workbook cannot be read "
                                      f"({str(error)[:160]})", code="data",
                                      hint="open it in Excel and save it again as .xlsx, "
                                           "or as CSV UTF-8")) from None
    if len(names) > 1:
        problems.append(Diagnostic(shown, None, f"the rows are read from the first sheet, "
                                   f"'{names[0]}'; the other {len(names) - 1} are not read",
                                   severity="warning", code="data"))
    if not cells or not any(_text(v) for v in cells[0]):
        problems.append(Diagnostic(shown, None, "the first sheet is empty", code="data"))
        return
    header = [_text(v).strip() for v in cells[0]]
    if "id" not in header:
        problems.append(Diagnostic(shown, 1, "the header row has no 'id' column (the name "
                                   "of each row's output folder)", code="data"))
        return
    doubled = sorted({n for n in header if header.count(n) > 1 and n})
    if doubled:
        problems.append(Diagnostic(shown, 1, f"the header row names {', '.join(doubled)} "
                                   "twice", code="data"))
        return
    for number, row in enumerate(cells[1:], start=2):
        if not any(_text(v).strip() for v in row if not _typed(v)):
            if not any(_typed(v) for v in row):
                continue  # a blank row
        values, columns, bad = {}, {}, False
        for index, (name, value) in enumerate(zip(header, row), start=1):
            if not name:
                continue
            kind = _typed(value)
            if kind:
                problems.append(Diagnostic(
                    shown, number, f"this row's '{name}' is {kind} in the workbook, not text: "
                    "Excel shows it in a format the file does not pass on", column=index,
                    code="data", hint="format the column as Text and type the value as it "
                                      "should print (3 December 2026, 9:15 a.m.)"))
                bad = True
                continue
            values[name], columns[name] = _text(value), index
        if not bad:
            yield number, values, columns


def _typed(value) -> str | None:
    """What a cell holds that is not text or a number, in words; None for text or a number."""
    if isinstance(value, bool):
        return "TRUE or FALSE"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    if isinstance(value, (datetime.time, datetime.timedelta)):
        return "a time"
    return None


def _text(value) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return "" if value is None else str(value)
