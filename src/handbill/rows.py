"""The rows of a personalised batch (``handbill build BUNDLE --data FILE``): one handout each.

A data file is CSV (a header row, then one row a patient), JSON (a list of
objects) or an Excel workbook (.xlsx: its first sheet, read as CSV is; see
handbill.spreadsheet). Every row has an ``id``, a safe file name that is its output's folder
(``out/<bundle>/<id>/<layout>.pdf``); its other fields fill the placeholders
``{{ name }}`` of the bundle's texts. Values are text: whatever they hold is
printed as it is written, never read as Markdown, HTML or another placeholder.

Every problem is located (``rows.csv:LINE`` or ``LINE:COL``) and all are reported
at once; a row with a problem is left out, the others are built. A value is
personal data: no message quotes it (a message names its row, field and place).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

from .errors import ContentError, Diagnostic, UsageError, display_path

#: A row's id: its output folder's name (letters, digits, '.', '_', '-'; no leading dot).
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: A data file larger than this is refused at once (about 100,000 rows of ten fields).
MAX_BYTES = 50_000_000
#: The longest value a field may hold (a name, a date, a dose, a telephone line).
MAX_VALUE = 500


@dataclass(frozen=True)
class Row:
    """One row: its id, its values by field, and where it is written (line; column of
    each field's value, for CSV). Hashable: a job carries it."""

    id: str
    fields: tuple[tuple[str, str], ...]
    line: int
    places: tuple[tuple[str, int], ...] = ()

    @property
    def values(self) -> dict[str, str]:
        return dict(self.fields)

    @property
    def columns(self) -> dict[str, int]:
        return dict(self.places)


def _row(id_: str, values: Mapping[str, str], line: int,
         columns: Mapping[str, int] | None = None) -> Row:
    return Row(id_, tuple(sorted(values.items())), line, tuple(sorted((columns or {}).items())))


@dataclass(frozen=True)
class Rows:
    """A data file's rows that can be built, and the file (as messages show it)."""

    path: Path
    shown: str
    rows: tuple[Row, ...]
    fields: tuple[str, ...]


def load_rows(path: Path, root: Path, needed: set[str]) -> tuple[Rows, list[Diagnostic]]:
    """The rows of PATH that can fill the placeholders NEEDED, and the problems of the
    others (and of the file). A file that cannot be read at all raises ContentError."""
    from . import guard

    shown = display_path(path, root)
    check_data_path(path, root)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ContentError(Diagnostic(shown, None, f"the data file has {size:,} bytes, more "
                                          f"than {MAX_BYTES:,}", code="data",
                                          hint="split it into several files"))
        data = guard.read_bytes(path, root, guard.Named(root, None, "data file", str(path)),
                                limit=MAX_BYTES, code="data")
    except OSError as error:
        raise ContentError(Diagnostic(shown, None, f"cannot read the data file: "
                                      f"{error.strerror or error}", code="data")) from None
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json", ".xlsx"):
        raise ContentError(Diagnostic(shown, None, f"a data file is .csv, .json or .xlsx, not "
                                      f"'{path.suffix or path.name}'", code="data"))
    if suffix == ".xlsx":
        from .spreadsheet import xlsx_rows

        raw, problems = [], []
        for line, cells, columns in xlsx_rows(data, shown, problems):
            raw.append(_row(cells.pop("id").strip(), cells, line, columns))
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[:error.start].count(b"\n") + 1
            raise ContentError(Diagnostic(shown, line, "the data file is not UTF-8 text",
                                          code="data", hint="save it as CSV UTF-8")) from None
        if suffix == ".csv":
            raw, problems = _csv_rows(text, shown)
        else:
            raw, problems = _json_rows(text, shown, root, path)
    rows, seen, fields = [], {}, set()
    for row in raw:
        found = _row_problems(row, shown, needed, seen)
        fields.update(row.values)
        if found:
            problems += found
            continue
        seen[row.id.lower()] = row.line
        rows.append(row)
    if not raw and not problems:
        problems.append(Diagnostic(shown, None, "the data file has no rows", code="data"))
    return Rows(path, shown, tuple(rows), tuple(sorted(fields))), problems


def check_data_path(path: Path, root: Path) -> None:
    """--data names a file: none there, one outside the project, or one that is not a
    regular file (a FIFO, a device, a folder) is a misuse (exit 2)."""
    from . import guard

    if not path.exists() and not path.is_symlink():
        raise UsageError(Diagnostic("handbill", None,
                                    f"--data {display_path(path, root)}: no such file"))
    # Outside the project, or not a regular file (a FIFO would be waited on for ever).
    refusal = guard.refusal(path, root, guard.Named(root, None, "data file", str(path)))
    if refusal is not None:
        raise UsageError(replace(refusal, path="handbill", code="usage"))


def _row_problems(row: Row, shown: str, needed: set[str], seen: dict[str, int]
                  ) -> list[Diagnostic]:
    found = []
    where = lambda name: row.columns.get(name)  # noqa: E731
    if not row.id:
        found.append(Diagnostic(shown, row.line, "this row has no id (the name of its "
                                "output's folder)", code="data", column=where("id")))
    elif not ID.fullmatch(row.id) or row.id.lower().endswith(".pdf"):
        found.append(Diagnostic(shown, row.line, "this row's id is not a safe file name: "
                                "letters, digits, '.', '_' and '-', at most 64, starting "
                                "with a letter or digit, not ending in .pdf", code="data",
                                column=where("id")))
    elif row.id.lower() in seen:
        found.append(Diagnostic(shown, row.line, f"this row's id is the id of the row at line "
                                f"{seen[row.id.lower()]} (ids are compared without case: "
                                "each names a folder)", code="data", column=where("id")))
    for name in sorted(needed):
        if name not in row.values:
            found.append(Diagnostic(shown, row.line, f"this row has no field '{name}', which "
                                    f"the text uses ({{{{ {name} }}}})", code="data"))
        elif not row.values[name].strip():
            found.append(Diagnostic(shown, row.line, f"this row's '{name}' is empty, and the "
                                    "text prints it", code="data", column=where(name)))
    for name, value in row.values.items():
        if len(value) > MAX_VALUE:
            found.append(Diagnostic(shown, row.line, f"this row's '{name}' has {len(value):,} "
                                    f"characters, more than {MAX_VALUE}", code="data",
                                    column=where(name)))
        bad = next((c for c in value if (unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn")
                    and c not in "\t") or "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069"),
                   None)
        if bad is not None:
            found.append(Diagnostic(shown, row.line, f"this row's '{name}' holds a control, "
                                    f"bidirectional or unassigned character (U+{ord(bad):04X}), "
                                    "which prints as nothing, as a box or reorders the text",
                                    code="data", column=where(name)))
    return found


def _csv_rows(text: str, shown: str) -> tuple[list[Row], list[Diagnostic]]:
    problems: list[Diagnostic] = []
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return [], [Diagnostic(shown, None, "the data file is empty", code="data")]
    except csv.Error as error:
        return [], [Diagnostic(shown, 1, f"the header row is not CSV: {error}", code="data")]
    names = [name.strip() for name in header]
    if "id" not in names:
        return [], [Diagnostic(shown, 1, "the header row has no 'id' column (the name of "
                               "each row's output folder)", code="data")]
    doubled = sorted({n for n in names if names.count(n) > 1 and n})
    if doubled:
        return [], [Diagnostic(shown, 1, f"the header row names {', '.join(doubled)} twice",
                               code="data")]
    rows = []
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Diagnostic(shown, start, f"this row is not CSV: {error}",
                                       code="data"))
            break
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) != len(names):
            problems.append(Diagnostic(shown, line, f"this row has {len(cells)} fields, the "
                                       f"header {len(names)}", code="data"))
            continue
        values = {name: cell for name, cell in zip(names, cells) if name}
        rows.append(_row(values.pop("id").strip(), values, line,
                         _columns(lines[line - 1] if line <= len(lines) else "", names)))
    return rows, problems


def _columns(raw: str, names: list[str]) -> dict[str, int]:
    """The column (1-based) each field's cell starts at on a CSV line RAW (a field that
    goes on over lines: where it starts)."""
    # A quoted cell's value starts after its quote.
    columns, quoted, index = {names[0]: 2 if raw.startswith('"') else 1}, False, 0
    for offset, char in enumerate(raw):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            index += 1
            if index < len(names):
                columns[names[index]] = offset + (3 if raw[offset + 1:offset + 2] == '"' else 2)
    return columns


def _json_rows(text: str, shown: str, root: Path, path: Path
               ) -> tuple[list[Row], list[Diagnostic]]:
    """JSON through the located YAML loader (JSON is YAML): each row knows its line."""
    import json

    try:
        json.loads(text)
    except ValueError as error:
        line = getattr(error, "lineno", None)
        raise ContentError(Diagnostic(shown, line, f"the data file is not JSON: "
                                      f"{getattr(error, 'msg', error)}", code="data")) from None
    from .guard import Named
    from .yamlfile import load_yaml

    data = load_yaml(path, root, Named(root, None, "data file", str(path)), limit=MAX_BYTES)
    if not isinstance(data, list):
        raise ContentError(Diagnostic(shown, 1, "a JSON data file is a list of objects, one "
                                      "a row", code="data"))
    rows, problems = [], []
    for index, item in enumerate(data):
        line = data.line_of(index) if hasattr(data, "line_of") else None
        if not isinstance(item, dict):
            problems.append(Diagnostic(shown, line, "this row is not an object "
                                       "({\"id\": ..., \"field\": ...})", code="data"))
            continue
        values = {}
        for key, value in item.items():
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                problems.append(Diagnostic(shown, line, f"this row's '{key}' is not text or a "
                                           "number", code="data"))
                values = None
                break
            values[str(key)] = value if isinstance(value, str) else json.dumps(value)
        if values is None:
            continue
        rows.append(_row(str(values.pop("id", "")).strip(), values, line or 1))
    return rows, problems
