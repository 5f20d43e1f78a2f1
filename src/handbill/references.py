"""Load references: CSL-YAML, CSL-JSON or BibTeX, a bundle's own and the project's.

Every entry keeps the line it starts on, so that a problem with it (no title,
no year, a duplicate id) is reported at its place in the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import ContentError, Diagnostic, display_path
from .model import Reference
from .yamlfile import Located, LocatedList, load_yaml

#: Reference files a bundle or project may have, in the order they are looked for.
NAMES = ("references.yaml", "references.yml", "references.json", "references.bib")


def find_references(folder: Path) -> Path | None:
    """The references file in FOLDER, if there is one."""
    return next((folder / n for n in NAMES if (folder / n).is_file()), None)


def load_references(path: Path, root: Path | None = None) -> tuple[Reference, ...]:
    """Every entry of a references file, checked; ContentError lists every problem at once."""
    shown = display_path(path, root)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        entries = _from_yaml(path, root, shown)
    elif suffix == ".json":
        entries = _from_json(path, shown)
    elif suffix == ".bib":
        entries = _from_bibtex(path, shown)
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
        references.append(Reference(key, _plain(entry), line))
    if problems:
        raise ContentError(problems)
    return tuple(references)


def _year(issued) -> bool:
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
    return value


def _from_yaml(path: Path, root, shown) -> list[tuple[int, object]]:
    data = load_yaml(path, root)
    if data is None:
        return []
    if isinstance(data, Located) and "references" in data:
        data = data["references"]  # Pandoc's metadata form: references: [...]
    if not isinstance(data, LocatedList):
        raise ContentError(Diagnostic(shown, getattr(data, "line", 1),
                                      "a references file is a list of CSL entries",
                                      code="references"))
    return [(data.line_of(i), entry) for i, entry in enumerate(data)]


def _lines_of_ids(text: str, pattern: str) -> dict[str, int]:
    lines = {}
    for match in re.finditer(pattern, text):
        lines.setdefault(match.group(1), text.count("\n", 0, match.start()) + 1)
    return lines


def _from_json(path: Path, shown) -> list[tuple[int, object]]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ContentError(Diagnostic(shown, error.lineno, f"invalid JSON: {error.msg}",
                                      column=error.colno, code="references")) from None
    if isinstance(data, dict) and "references" in data:
        data = data["references"]
    if not isinstance(data, list):
        raise ContentError(Diagnostic(shown, 1, "CSL-JSON is a list of entries", code="references"))
    lines = _lines_of_ids(text, r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"')
    return [(lines.get(e.get("id"), 1) if isinstance(e, dict) else 1, e) for e in data]


def _from_bibtex(path: Path, shown) -> list[tuple[int, object]]:
    """BibTeX through Pandoc's converter to CSL-JSON (it knows LaTeX accents and names)."""
    from .pandoc import run_pandoc

    text = path.read_text(encoding="utf-8-sig")
    output = run_pandoc(["-f", "bibtex", "-t", "csljson"], text, shown)
    data = json.loads(output or "[]")
    lines = _lines_of_ids(text, r"@\w+\s*[{(]\s*([^,\s]+)\s*,")
    return [(lines.get(e.get("id"), 1), e) for e in data]
