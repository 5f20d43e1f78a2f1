"""Load a content bundle (Hugo's leaf bundle): meta.yaml, a body per language, references.

Loading validates everything it reads and reports every problem of a bundle
at once, each at its file and line, before anything is rendered.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from types import MappingProxyType

from . import guard
from .errors import ContentError, Diagnostic, choices_hint, display_path
from .model import Bundle, Image, Meta, Reference
from .images import image_problems
from .languages import load_languages
from .normalize import printed_form
from .references import find_references, load_references
from .yamlfile import Located, LocatedList, load_yaml

META_FILE = "meta.yaml"
#: Body files larger than this are refused: a handout is not a book.
MAX_BODY_BYTES = 2_000_000


#: The longest online address a bundle may give: its QR code must hold it (segno's
#: largest code holds 2,953 bytes; a phone camera reads far smaller ones best).
MAX_URL = 2_000
#: Characters that are not text: C0 and C1 controls but tab and the line ends.
#: Control characters, and the bidirectional embeddings, overrides and isolates (U+202A-E,
#: U+2066-9): invisible, and the latter print the text after them reordered ("Call
#: \u202e999" reads "999 llaC"). English and Chinese never need them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_PER_LANGUAGE = ("title", "subtitle", "category", "reading-time", "disclaimer")
_KNOWN_KEYS = {*_PER_LANGUAGE, "date", "audience", "layouts", "languages", "cover",
               "references", "keywords", "citation-style", "url", "allow-html", "options"}


def find_bundles(paths: list[Path], root: Path) -> tuple[list[Path], list[Diagnostic]]:
    """Every bundle folder named by PATHS (a bundle itself, or a folder holding bundles),
    and an error for each folder among them that links out of the project.

    Links to folders are not followed (a link inside the project leads to a folder
    that is found where it is); a folder that leads outside is reported, never read.
    """
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        problem = guard.folder_refusal(path, root)
        if problem is not None:
            problems.append(problem)
        elif (path / META_FILE).is_file() or (path / META_FILE).is_symlink():
            found.append(path)
        elif path.is_dir():
            for folder, dirs, files in os.walk(path):
                here = Path(folder)
                for name in sorted(dirs):
                    if (here / name).is_symlink():
                        problem = guard.folder_refusal(here / name, root)
                        if problem is not None:
                            problems.append(problem)
                for name in sorted(files):  # a link that loops is listed as a file
                    broken = guard.unusable(here / name) if (here / name).is_symlink() else None
                    if broken is not None and name != META_FILE:
                        problems.append(Diagnostic(display_path(here / name, root), None,
                                                   f"this entry {broken}; it is not read",
                                                   severity="warning",
                                                   code="unread-file"))
                if META_FILE in dirs:  # a bundle meant, its metadata a folder
                    problems.append(Diagnostic(display_path(here / META_FILE, root), None,
                                               "not a regular file (a folder): this folder is "
                                               "no bundle", code="meta"))
                dirs[:] = sorted(d for d in dirs if d != META_FILE)
                if META_FILE in files:
                    found.append(here)
    unique: dict[Path, Path] = {}
    for folder in found:  # each once, as first named
        unique.setdefault(folder.resolve(), folder)
    return list(unique.values()), problems


class _Checker:
    """Collects diagnostics for one file so that all of them are reported together."""

    def __init__(self, path: Path, root: Path | None):
        self.shown = display_path(path, root)
        self.problems: list[Diagnostic] = []
        self.table = load_languages(root)
        self.folder, self.root = path.parent, root
        self._exceptions = None

    def convert(self, text: str, lang: str, line: int | None) -> str | None:
        """TEXT (in LANG's convert-from language) converted into LANG, or None (and a
        problem) when the bundle's conversions.yaml does not load."""
        from .conversion import convert_text

        exceptions = self.exceptions()
        if exceptions is None:
            return None
        return convert_text(text, self.table[lang].conversion, exceptions).text

    def exceptions(self):
        from .conversions import bundle_exceptions

        if self._exceptions is None:
            try:
                self._exceptions = bundle_exceptions(self.folder, self.root or self.folder)
            except ContentError as error:
                self.problems += error.diagnostics
                self._exceptions = False
        return self._exceptions or None

    def error(self, line: int | None, message: str, hint: str | None = None) -> None:
        self.problems.append(Diagnostic(self.shown, line, message, hint=hint, code="meta"))


def _per_language(data: Located, key: str, languages, check: _Checker, required: bool):
    value = data.get(key)
    if value is None:
        if required:
            check.error(data.line, f"missing '{key}'",
                        hint=f"add '{key}:' with one entry per language: {', '.join(languages)}")
        return {}
    if isinstance(value, str):
        # A single string serves every language (a name, a code).
        return {lang: printed_form(value) for lang in languages}
    if not isinstance(value, Located):
        check.error(data.line_of(key), f"'{key}' must be a text or a mapping of language to text")
        return {}
    result = {}
    for lang, text in value.items():
        if lang not in check.table:
            check.problems.append(check.table.unknown(check.shown, value.line_of(lang), lang,
                                                      f"in '{key}'"))
        elif not isinstance(text, str) or not text.strip():
            check.error(value.line_of(lang), f"'{key}.{lang}' must be a non-empty text")
        elif (control := _CONTROL.search(text)) is not None:
            check.error(value.line_of(lang), f"'{key}.{lang}' holds the control character "
                        f"U+{ord(control.group()):04X}, which is not text")
        else:
            result[lang] = printed_form(text.strip())
    for lang in languages:  # a converted language's text, converted (see _converted)
        source = check.table[lang].convert_from if lang in check.table else None
        if lang not in result and lang not in value and source in result:
            converted = check.convert(result[source], lang, value.line_of(source))
            if converted is not None:
                result[lang] = converted
    if required:
        for lang in languages:
            source = check.table[lang].convert_from if lang in check.table else None
            if source in result:  # to be converted: where that failed, it said why
                continue
            if lang not in result and lang not in value:
                check.error(value.line, f"'{key}' has no '{lang}' entry")
    return result


def _languages(data: Located, check: _Checker, root: Path) -> tuple[str, ...]:
    """The languages the bundle prints, in their order: its 'languages:', else site.yaml's,
    else the table's first rows. An unknown tag is an error at its line, with the nearest."""
    given = data.get("languages")
    if given is None:
        from .site import default_languages

        return default_languages(root, check.table)
    if isinstance(given, str):
        given = LocatedList([given])
        given.line, given.item_lines = data.line_of("languages"), [data.line_of("languages")]
    if not isinstance(given, list) or not given or not all(isinstance(t, str) for t in given):
        check.error(data.line_of("languages"), "'languages' must list language tags, as "
                    f"{check.table.shown_tags()} are")
        return check.table.default_languages()
    known = []
    for index, tag in enumerate(given):
        line = given.line_of(index) if isinstance(given, LocatedList) else data.line_of("languages")
        if tag not in check.table:
            check.problems.append(check.table.unknown(check.shown, line, tag, "in 'languages:'"))
        elif tag not in known:
            known.append(tag)
    return tuple(known) or check.table.default_languages()


def _load_meta(meta_path: Path, bundle_dir: Path, root: Path, deep: bool = True
               ) -> tuple[Meta | None, Located | None, list[Diagnostic]]:
    """meta.yaml, checked; DEEP: its cover image read and checked too (planning a build
    needs only to know it is there: the job that prints it reads it)."""
    check = _Checker(meta_path, root)
    data = load_yaml(meta_path, root)
    if not isinstance(data, Located):
        check.error(1, "meta.yaml must be a mapping of keys to values")
        return None, None, check.problems
    for key in data:
        if key not in _KNOWN_KEYS:
            check.error(data.line_of(key), f"unknown key '{key}'",
                        hint=choices_hint(key, sorted(_KNOWN_KEYS), "the keys of meta.yaml"))

    languages = _languages(data, check, root)

    texts = {key: _per_language(data, key, languages, check, required=(key == "title"))
             for key in _PER_LANGUAGE}

    date = data.get("date")
    if date is None:
        check.error(data.line, "missing 'date'", hint="add 'date: YYYY-MM-DD'")
    elif isinstance(date, datetime.datetime):
        date = date.date()
    elif isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date.strip()):
        try:  # '2026-12-01' in quotes: a date all the same
            date = datetime.date.fromisoformat(date.strip())
        except ValueError as error:
            check.error(data.line_of("date"), f"'{date}' is not a date: {error}",
                        hint="write a date that exists, as YYYY-MM-DD (2026-02-28)")
            date = None
    elif not isinstance(date, datetime.date):
        check.error(data.line_of("date"), f"'date' must be a date written YYYY-MM-DD, not "
                    f"{date!r}", hint="for example: date: 2026-12-01 (year, month, day, each "
                    "month and day with two digits)")
        date = None

    layouts = data.get("layouts", ["handout"])
    if isinstance(layouts, str):
        layouts = [layouts]
    if not isinstance(layouts, list) or not all(isinstance(n, str) for n in layouts) or not layouts:
        check.error(data.line_of("layouts"), "'layouts' must be a list of layout names")
        layouts = ["handout"]

    keywords = data.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        check.error(data.line_of("keywords"), "'keywords' must be a list of texts")
        keywords = []

    citation_style = data.get("citation-style")
    if citation_style is not None and not isinstance(citation_style, str):
        check.error(data.line_of("citation-style"),
                    "'citation-style' must be a style name or the path of a .csl file")
        citation_style = None
    elif citation_style is not None and root is not None:
        from .styles import STYLES

        if citation_style not in STYLES:  # a file: the guard's rule, said here with the rest
            named = guard.Named(meta_path, data.line_of("citation-style"), "citation style",
                                citation_style)
            refused = guard.outside(bundle_dir / citation_style, root, named)
            if refused is not None:
                check.problems.append(refused)
                citation_style = None

    references = data.get("references")
    if references is not None and not isinstance(references, str):
        check.error(data.line_of("references"), "'references' must be the name of a file")
        references = None
    elif references is not None:
        refused = guard.outside(bundle_dir / references, root, guard.Named(
            meta_path, data.line_of("references"), "references file", references))
        if refused is not None:
            check.problems.append(refused)
            references = None

    url = data.get("url")
    if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
        check.error(data.line_of("url"), "'url' must be an http(s) address (the online version)")
        url = None
    elif url is not None and len(url) > MAX_URL:
        check.error(data.line_of("url"), f"'url' is {len(url):,} characters long, more than a "
                    f"QR code holds (at most {MAX_URL:,})")
        url = None

    audience = data.get("audience")
    if audience is not None and not isinstance(audience, str):
        check.error(data.line_of("audience"), "'audience' must be a text")
        audience = None

    cover = None
    if "cover" in data:
        cover = _load_image(data["cover"], data.line_of("cover"), bundle_dir, languages, check,
                            root, deep)

    options, option_lines = {}, {}
    given = data.get("options")
    if given is not None and not isinstance(given, Located):
        check.error(data.line_of("options"), "'options' must map layout options to values, "
                    "like page-size: Letter")
    elif given is not None:
        options, option_lines = dict(given), dict(given.key_lines)

    if check.problems or date is None:
        return None, data, check.problems
    lines = dict(data.key_lines)
    for key in ("title", "subtitle", "category", "reading-time", "disclaimer"):
        given = data.get(key)
        if isinstance(given, Located):  # each language's text: key.lang, its own line
            lines.update({f"{key}.{lang}": given.line_of(lang) for lang in given})
    meta = Meta(
        title=texts["title"], subtitle=texts["subtitle"], category=texts["category"],
        reading_time=texts["reading-time"], disclaimer=texts["disclaimer"], date=date,
        audience=audience, layouts=tuple(layouts), languages=languages, cover=cover,
        keywords=tuple(keywords), citation_style=citation_style, url=url, references=references,
        lines=lines, options=options, option_lines=option_lines)
    return meta, data, check.problems


def _load_image(value, line: int, bundle_dir: Path, languages, check: _Checker, root,
                deep: bool = True) -> Image | None:
    if not isinstance(value, Located) or not isinstance(value.get("image"), str):
        check.error(line, "'cover' needs 'image: FILE' and 'alt:' per language")
        return None
    src = value["image"]
    broken = guard.unusable(bundle_dir / src)
    if broken is not None:
        check.error(value.line_of("image"), f"cover image '{src}' {broken}")
        return None
    target = (bundle_dir / src).resolve()
    if not target.is_relative_to(bundle_dir.resolve()):
        check.error(value.line_of("image"), f"cover image '{src}' must be a file inside the bundle")
        return None
    if not target.is_file():
        check.error(value.line_of("image"), f"cover image '{src}' not found in "
                    f"{display_path(bundle_dir, root)}")
        return None
    problem, inside = image_problems(target, root, bundle_dir) if deep else (None, [])
    check.problems.extend(inside)
    if problem:
        check.error(value.line_of("image"), f"cover image '{src}' {problem}")
    if problem or inside:
        return None
    alt = _per_language(value, "alt", languages, check, required=True)
    return Image(target, alt)


def load_meta(bundle_dir: Path, root: Path) -> Meta:
    """Only a bundle's meta.yaml, checked: what planning a build needs, and fast."""
    meta, _data, problems = _load_meta(bundle_dir / META_FILE, bundle_dir, root, deep=False)
    if problems or meta is None:
        raise ContentError(problems)
    return meta


def load_bundle(bundle_dir: Path, root: Path) -> Bundle:
    """Load and validate one bundle; raise :class:`ContentError` with every problem found."""
    from .markdown import parse_body  # here: planning a build reads meta.yaml only

    meta_path = bundle_dir / META_FILE
    problems: list[Diagnostic] = []
    try:
        meta, data, found = _load_meta(meta_path, bundle_dir, root)
    except ContentError as error:
        raise ContentError(error.diagnostics) from None
    problems += found
    table = load_languages(root)
    languages = meta.languages if meta else table.default_languages()
    allow_html = isinstance(data, Located) and data.get("allow-html") is True

    bodies = {}
    converted: dict[str, str] = {}
    converter = _Checker(meta_path, root)
    for lang in languages:
        path = bundle_dir / table[lang].body_file
        if _convertible(bundle_dir, table, lang, table[lang].body_file):
            body, found, notice = _converted(lang, table[lang].convert_from, "body_file",
                                             bundle_dir, root, allow_html, converter)
            problems += found
            if body is not None:
                bodies[lang] = body
                converted[lang] = notice
            continue
        if not path.is_file() and not path.is_symlink() and not path.exists():
            line = _language_line(data, lang)
            problems.append(Diagnostic(
                display_path(meta_path, root), line,
                f"no {table[lang].body_file} for language '{lang}' in {display_path(bundle_dir, root)}",
                hint=f"write the {lang} text in {display_path(path, root)}, or drop '{lang}' "
                     "from 'languages:'", code="meta"))
            continue
        source, found = _read_text(path, root)
        problems += found
        if source is None:
            continue
        body, found = parse_body(lang, path, source, bundle_dir, root, allow_html)
        problems += found
        bodies[lang] = body

    short = {}
    for lang in languages:
        path = bundle_dir / table[lang].short_file
        source = table[lang].convert_from
        if _convertible(bundle_dir, table, lang, table[lang].short_file) and \
                (bundle_dir / table[source].short_file).exists():
            body, found, notice = _converted(lang, source, "short_file", bundle_dir, root,
                                             allow_html, converter)
            problems += found
            if body is not None:
                short[lang] = body
            continue
        if path.exists() or path.is_symlink():
            source, found = _read_text(path, root)
            problems += found
            if source is not None:
                body, found = parse_body(lang, path, source, bundle_dir, root, allow_html)
                problems += found
                short[lang] = body
    if short and set(short) != set(languages):
        missing = sorted(set(languages) - set(short))
        problems.append(Diagnostic(display_path(bundle_dir / table[missing[0]].short_file, root), None,
                                   f"the shorter text has no {table[missing[0]].short_file}: write it "
                                   "for every language, or for none", code="meta"))

    references, reference_files, sources = _load_all_references(data, meta_path, bundle_dir,
                                                                root, problems)

    problems += converter.problems
    if any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    return Bundle(bundle_dir.name, bundle_dir, meta_path, meta, bodies, references, reference_files,
                  short, tuple(problems), sources, MappingProxyType(converted))


def _convertible(bundle_dir: Path, table, lang: str, name: str) -> bool:
    """Whether LANG's text NAME is to be converted: LANG converts from another language,
    and the bundle has no such file of its own (a hand-written one always wins)."""
    source = table[lang].convert_from
    path = bundle_dir / name
    return source is not None and source in table and not (path.exists() or path.is_symlink())


def _converted(lang: str, source: str, kind: str, bundle_dir: Path, root: Path,
               allow_html: bool, converter: _Checker):
    """LANG's body converted from SOURCE's file (its body_file or short_file, KIND): the
    Body, its problems, and the notice a reviewer reads. The Body keeps the source file's
    path: a problem in the converted text is at its line there (the lines are the same)."""
    from .conversion import convert_markdown
    from .markdown import parse_body

    table = converter.table
    path = bundle_dir / getattr(table[source], kind)
    if not (path.exists() or path.is_symlink()):
        return None, [Diagnostic(
            display_path(bundle_dir / META_FILE, root), None,
            f"no {getattr(table[lang], kind)} for language '{lang}', nor a "
            f"{getattr(table[source], kind)} to convert it from, in "
            f"{display_path(bundle_dir, root)}", code="meta",
            hint=f"write {getattr(table[source], kind)} (the {lang} text is converted from it), "
                 f"or {getattr(table[lang], kind)}")], None
    text, problems = _read_text(path, root)
    exceptions = converter.exceptions()
    if text is None or exceptions is None:
        return None, problems, None
    conversion = convert_markdown(text, table[lang].conversion, exceptions)
    body, found = parse_body(lang, path, conversion.text, bundle_dir, root, allow_html)
    return body, problems + found, conversion.notice(path.name)


def _load_all_references(data, meta_path: Path, bundle_dir: Path, root: Path,
                         problems: list[Diagnostic]):
    """The project's references overlaid with the bundle's own (a bundle entry wins)."""
    files: list[tuple[Path, guard.Named | None]] = []
    if find_references(root):
        files.append((find_references(root), None))
    named = data.get("references") if isinstance(data, Located) else None
    if named is not None:
        candidate = bundle_dir / str(named)
        where = guard.Named(meta_path, data.line_of("references"), "references file", str(named))
        refused = guard.outside(candidate, root, where)
        if refused is not None:
            problems.append(refused)
        elif candidate.is_file():
            files.append((candidate, where))
        else:
            problems.append(Diagnostic(display_path(meta_path, root), data.line_of("references"),
                                       f"references file '{named}' not found", code="meta"))
    elif find_references(bundle_dir):
        files.append((find_references(bundle_dir), None))
    merged: dict[str, tuple[Reference, Path]] = {}
    for path, where in files:
        try:
            for reference in load_references(path, root, where):
                merged[reference.id] = (reference, path)
        except ContentError as error:
            problems += error.diagnostics
    references = tuple(ref for ref, _ in merged.values())
    return (references, {ref.id: path for ref, path in merged.values()},
            tuple(path for path, _ in files))


def _language_line(data, lang: str) -> int | None:
    """The line of meta.yaml that asks for LANG: its 'languages' entry, else its title."""
    if not isinstance(data, Located):
        return None
    if isinstance(data.get("languages"), LocatedList):
        return data.line_of("languages")
    title = data.get("title")
    if isinstance(title, Located) and lang in title:
        return title.line_of(lang)
    return data.line_of("title")


def _read_text(path: Path, root: Path) -> tuple[str | None, list[Diagnostic]]:
    """A body's text (UTF-8, or UTF-16 with its byte-order mark), read through the guard;
    or the problems that keep it from being text: each at its line."""
    shown = display_path(path, root)
    try:
        data = guard.read_bytes(path, root, limit=MAX_BODY_BYTES)
    except ContentError as error:
        return None, error.diagnostics
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark
        try:
            return _text(data.decode("utf-16"), shown)
        except UnicodeDecodeError:
            return None, [Diagnostic(shown, 1, "file starts as UTF-16 but is not valid UTF-16",
                                     hint="save the file as UTF-8", code="file")]
    if b"\0" in data[:8192]:
        return None, [Diagnostic(shown, 1, "this is a binary file, not Markdown text", code="file")]
    try:
        return _text(data.decode("utf-8-sig"), shown)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Diagnostic(shown, line, "file is not valid UTF-8",
                                 hint="save the file as UTF-8", code="file")]


def control_character_problem(char: str) -> str:
    """What to say of a control character found in a text."""
    code = ord(char)
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return (f"the bidirectional control U+{code:04X} reorders the text after it as it "
                "prints, and cannot be seen; delete it")
    if char == "\x0b":
        advice = " (a line break from Word?); delete it, or use a blank line"
    elif 0x80 <= code <= 0x9f:
        advice = " (a Windows-1252 quote read wrongly?); delete it"
    else:
        advice = "; delete it"
    return f"the control character U+{code:04X} is not text{advice}"


def _text(text: str, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """TEXT, or an error at each control character in it (at most 20): they print as
    nothing or as a box, and no reader can see where."""
    problems = []
    for match in _CONTROL.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        problems.append(Diagnostic(shown, line, control_character_problem(match.group()),
                                   column=column, code="text"))
        if len(problems) == 20:
            break
    # NFC, and no variation selectors: see handbill.normalize.
    return (None, problems) if problems else (printed_form(text), [])
