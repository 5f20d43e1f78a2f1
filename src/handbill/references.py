"""Load references: CSL-YAML, CSL-JSON or BibTeX, a bundle's own and the project's.

Every entry keeps the line it starts on, so that a problem with it (no title,
no year, a duplicate id) is reported at its place in the file.
"""

from __future__ import annotations

import datetime

import gc
import json
import re
from contextlib import contextmanager
from pathlib import Path

from . import guard
from .errors import ContentError, Diagnostic, display_path
from .model import Reference
from .normalize import printed_form
from .yamlfile import Located, LocatedList, load_yaml

#: Reference files a bundle or project may have, in the order they are looked for.
NAMES = ("references.yaml", "references.yml", "references.json", "references.bib")
#: Larger references files are refused (bytes): a health system's whole library fits.
MAX_REFERENCES_BYTES = 10_000_000


def find_references(folder: Path) -> Path | None:
    """The references file in FOLDER, if there is one (a link counts: the guard judges it)."""
    return next((folder / n for n in NAMES if (folder / n).exists() or (folder / n).is_symlink()),
                None)


def load_references(path: Path, root: Path, named: guard.Named | None = None
                    ) -> tuple[Reference, ...]:
    """Every entry of a references file, checked; ContentError lists every problem at once.

    The file is read through the guard (inside the project, a regular file, at
    most MAX_REFERENCES_BYTES), in time linear in its size.
    """
    with _no_collection():
        return _load(path, root, named)


@contextmanager
def _no_collection():
    """No cyclic garbage collection meanwhile: a large file makes many objects and no
    cycles, and the collector's passes over them grew the time per entry with the size."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(path: Path, root: Path, named: guard.Named | None) -> tuple[Reference, ...]:
    shown = display_path(path, root)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        entries = _from_yaml(path, root, named, shown)
    elif suffix == ".json":
        entries = _from_json(_read(path, root, named), shown)
    elif suffix == ".bib":
        entries = _from_bibtex(_read(path, root, named), shown)
    else:
        raise ContentError(Diagnostic(shown, None, "references must be CSL-YAML (.yaml), "
                                      "CSL-JSON (.json) or BibTeX (.bib)", code="references"))
    problems, references, seen = [], [], {}
    for line, entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
            problems.append(Diagnostic(shown, line, "each reference needs an 'id'",
                                       code="references"))
            continue
        key = entry["id"]
        if key in seen:
            problems.append(Diagnostic(shown, line, f"duplicate reference id '{key}' "
                                       f"(first at line {seen[key]})", code="references"))
            continue
        seen[key] = line
        if not entry.get("title"):
            problems.append(Diagnostic(shown, line, f"reference '{key}' has no title",
                                       code="references"))
        if not _year(entry.get("issued")):
            problems.append(Diagnostic(shown, line, f"reference '{key}' has no year ('issued')",
                                       code="references",
                                       hint="CSL: issued: {date-parts: [[2016]]}; BibTeX: year = {2016}"))
        found = _field_problems(key, entry)
        problems += [Diagnostic(shown, line, message, code="references", hint=hint)
                     for message, hint in found]
        dates = _date_problems(key, entry, line)
        problems += [Diagnostic(shown, at, message, code="references", hint=DATE_HINT)
                     for at, message in dates]
        if not found and not dates:
            references.append(Reference(key, _normalized(_plain(entry)), line))
    if problems:
        raise ContentError(problems)
    return tuple(references)


#: CSL's name variables: each a list of names.
NAME_FIELDS = frozenset((
    "author", "chair", "collection-editor", "compiler", "composer", "container-author",
    "contributor", "curator", "director", "editor", "editorial-director",
    "executive-producer", "guest", "host", "illustrator", "interviewer", "narrator",
    "organizer", "original-author", "performer", "producer", "recipient", "reviewed-author",
    "script-writer", "series-creator", "translator"))
#: CSL's date variables.
DATE_FIELDS = frozenset(("accessed", "available-date", "event-date", "issued",
                         "original-date", "submitted"))


def _field_problems(key: str, entry: dict) -> list[tuple[str, str | None]]:
    """What in ENTRY Pandoc's citeproc would refuse or print wrong, said of the entry
    (each (message, hint)): names that are not a list, dates that are a list, a URL
    that is not http(s), in whatever case the field is written."""
    found = []
    for field, value in entry.items():
        name = str(field).lower()
        if name in NAME_FIELDS and not (isinstance(value, list) and all(
                isinstance(n, (dict, str)) for n in value)):
            found.append((f"reference '{key}': '{field}' must be a list of names",
                          f"{field}: [{{family: Doe, given: Jane}}], or [{{literal: World "
                          "Health Organization}]"))
        elif name in DATE_FIELDS and not isinstance(value, (dict, str, datetime.date)) and not (
                isinstance(value, int) and not isinstance(value, bool)):  # (YAML's 2021-03-04)
            found.append((f"reference '{key}': '{field}' must be a date",
                          f"{field}: {{date-parts: [[2016, 3, 1]]}}, or a year: {field}: 2016"))
        elif name == "url" and not (isinstance(value, str) and
                                    re.match(r"https?://[^\s]+$", value, re.I)):
            found.append((f"reference '{key}' has the URL '{value}', which is not an http(s) "
                          "address", None))
    return found


DATE_HINT = ("date-parts: [[year, month, day]], a month 1-12 (13-16: spring to winter) and "
             "a day of that month; or literal: for a date printed as written")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: A raw date (or a date written as text) in ISO form: 2016, 2016-03, 2016-03-01, and
#: ranges of them with '/'. Other raw forms ("Spring 2016") are Pandoc's to read.
_ISO_DATE = re.compile(r"(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def _date_problems(key: str, entry: dict, line: int) -> list[tuple[int, str]]:
    """Dates that do not exist (month 99, 30 February), each (line, message): Pandoc's
    citeproc would print them as given ("2016 99", "2023 Feb 30"). A date's line is its
    field's where the file says it (YAML), else the entry's."""
    found = []
    for field, value in entry.items():
        if str(field).lower() not in DATE_FIELDS:
            continue
        at = entry.line_of(field) if hasattr(entry, "line_of") else line
        if isinstance(value, dict):
            parts = value.get("date-parts")
            raw = value.get("raw")
        else:
            parts, raw = None, value if isinstance(value, str) else None
        dates = []
        if isinstance(parts, list):
            dates = [p for p in parts if isinstance(p, list)]
        elif isinstance(raw, str):
            matches = [_ISO_DATE.fullmatch(d.strip()) for d in raw.split("/") if d.strip()]
            if all(matches):
                dates = [[g for g in m.groups() if g] for m in matches]
        for date in dates:
            problem = _impossible(date)
            if problem:
                found.append((at, f"reference '{key}': '{field}' {problem}"))
                break
    return found


def _impossible(date: list) -> str | None:
    """What makes DATE-PARTS [year, month, day] a date that does not exist, or None."""
    try:
        numbers = [int(str(part)) for part in date[:3]]
    except ValueError:
        return f"has {date!r}, which is not a date of numbers"
    if len(numbers) < 2:
        return None
    year, month = numbers[0], numbers[1]
    if len(numbers) == 2 and (13 <= month <= 16 or 21 <= month <= 24):
        return None  # a season (CSL-JSON's months 13-16; Pandoc reads 21-24 too)
    if not 1 <= month <= 12:
        return f"has month {month}, which is no month ({'-'.join(map(str, numbers))})"
    if len(numbers) == 3:
        day = numbers[2]
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        last = 28 if month == 2 and not leap else _MONTH_DAYS[month - 1]
        if not 1 <= day <= last:
            return (f"is {year}-{month:02d}-{day:02d}, a day that does not exist "
                    f"({_MONTHS[month - 1]} has {last} days)")
    return None


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _normalized(csl: dict) -> dict:
    """CSL as Pandoc takes it: a date given as a bare year becomes date-parts; a given
    name written as PubMed's initials ("JR") becomes initials ("J. R."), so that every
    style prints initials ("Saltzman JR", "Saltzman, J. R.") and none a first name "J"."""
    return {k: {"date-parts": [[v]]} if k in DATE_FIELDS and isinstance(v, int) else
            [_initials(n) for n in v] if k.lower() in NAME_FIELDS and isinstance(v, list) else v
            for k, v in csl.items()}


#: A given name that is PubMed's initials: two or three capital Latin letters.
_PUBMED_INITIALS = re.compile(r"[A-Z]{2,3}")


def _initials(name):
    given = name.get("given") if isinstance(name, dict) else None
    if isinstance(given, str) and _PUBMED_INITIALS.fullmatch(given):
        return {**name, "given": " ".join(f"{letter}." for letter in given)}
    return name


def _year(issued) -> bool:
    if isinstance(issued, datetime.date):  # YAML's own date: issued: 2021-03-04
        return True
    if isinstance(issued, (int, str)):
        return bool(re.search(r"\d{4}", str(issued)))
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return bool(re.fullmatch(r"-?\d{1,4}", str(parts[0][0])))
        return bool(re.search(r"\d{4}", str(issued.get("raw", issued.get("literal", "")))))
    return False


def _plain(value):
    """Located YAML containers back to plain dicts and lists (JSON-serialisable)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str):
        return printed_form(value)  # as the texts are (handbill.normalize)
    return value


def _read(path: Path, root: Path, named: guard.Named | None) -> str:
    return guard.read_text(path, root, named, limit=MAX_REFERENCES_BYTES, code="references")


def _from_yaml(path: Path, root, named, shown) -> list[tuple[int, object]]:
    data = load_yaml(path, root, named, limit=MAX_REFERENCES_BYTES)
    if data is None:
        return []
    if isinstance(data, Located) and "references" in data:
        data = data["references"]  # Pandoc's metadata form: references: [...]
    if not isinstance(data, LocatedList):
        raise ContentError(Diagnostic(shown, getattr(data, "line", 1),
                                      "a references file is a list of CSL entries",
                                      code="references"))
    return [(data.line_of(i), entry) for i, entry in enumerate(data)]


class _Lines:
    """The line of an offset in TEXT, for offsets asked in increasing order: linear in all."""

    def __init__(self, text: str):
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:  # asked out of order: count again from the start
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _lines_of_ids(text: str, pattern: str) -> dict[str, int]:
    lines, counter = {}, _Lines(text)
    for match in re.finditer(pattern, text):
        lines.setdefault(match.group(1), counter.at(match.start()))
    return lines


_SPACE = re.compile(r"[ \t\n\r]*")
_ID = re.compile(r'"id"\s*:')


def _from_json(text: str, shown) -> list[tuple[int, object]]:
    """CSL-JSON's entries, each with the line it starts on.

    A list is read entry by entry (json's raw_decode), so that each entry's line is
    known without searching; a file holding {"references": [...]} is read whole.
    """
    def fail(line, message, column=None):
        return ContentError(Diagnostic(shown, line, message, column=column, code="references"))

    start = _SPACE.match(text).end()
    if not text.startswith("[", start):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise fail(error.lineno, f"invalid JSON: {error.msg}", error.colno) from None
        except RecursionError:
            raise fail(1, "invalid JSON: nested too deeply") from None
        if isinstance(data, dict) and isinstance(data.get("references"), list):
            lines = _lines_of_ids(text, r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"')
            return [(lines.get(e.get("id"), 1) if isinstance(e, dict) and
                     isinstance(e.get("id"), str) else 1, e) for e in data["references"]]
        raise fail(1, "CSL-JSON is a list of entries")
    decoder, counter, entries = json.JSONDecoder(), _Lines(text), []
    position = _SPACE.match(text, start + 1).end()
    while not text.startswith("]", position):
        line = counter.at(position)
        try:
            entry, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise fail(error.lineno, f"invalid JSON: {error.msg}", error.colno) from None
        except RecursionError:
            raise fail(line, "invalid JSON: nested too deeply") from None
        named = _ID.search(text, position, end)  # the line of its "id", as a reader looks
        entries.append((counter.at(named.start()) if named else line, entry))
        position = _SPACE.match(text, end).end()
        if text.startswith(",", position):
            position = _SPACE.match(text, position + 1).end()
        elif not text.startswith("]", position):
            raise fail(counter.at(position), "invalid JSON: expected ',' or ']' after an entry")
    if text[_SPACE.match(text, position + 1).end():]:
        raise fail(counter.at(position), "invalid JSON: text after the list of entries")
    return entries


def _from_bibtex(text: str, shown) -> list[tuple[int, object]]:
    """BibTeX through Pandoc's converter to CSL-JSON (it knows LaTeX accents and names)."""
    from .pandoc import run_pandoc

    output = run_pandoc(["-f", "bibtex", "-t", "csljson"], text, shown)
    data = json.loads(output or "[]")
    lines = _lines_of_ids(text, r"@\w+\s*[{(]\s*([^,\s]+)\s*,")
    return [(lines.get(e.get("id"), 1), e) for e in data]
