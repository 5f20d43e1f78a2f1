"""Coverage preflight: every character the document prints has a font, or an error says where.

The characters come from the rendered HTML (so titles, body, references,
metadata and the templates' own words all count) and from the strings of the
layout's CSS ``content:`` rules, each with the language it is set in. Each is
checked against the cmaps of that language's font chain. A character no font
covers is reported at its source, ``file:line:col``, never printed as a box.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from .errors import ContentError, Diagnostic, display_path
from .fonts import Face, FontPlan, regular_face
from .guard import check, read_text
from .layouts import search_path
from .model import Bundle

#: Characters a layout may print on its own: page numbers, list markers.
LAYOUT_CHARACTERS = frozenset("0123456789.• \u2010")  # \u2010: the hyphen hyphenation adds


@lru_cache(maxsize=64)
def cmap(face: Face) -> frozenset[int]:
    """The code points FACE maps to a glyph (read by HarfBuzz: fast on large CJK fonts)."""
    import uharfbuzz as hb

    return frozenset(hb.Face(hb.Blob.from_file_path(str(face.path)), face.index).unicodes)


def _printable(char: str) -> bool:
    """Whether CHAR takes a glyph: spaces do (U+0020, U+3000...), breaks and format
    characters do not. Controls other than tab and line ends count: a control is no
    text, and check_coverage says so at its source."""
    category = unicodedata.category(char)
    if category == "Cc":
        return char not in "\t\n\r"
    return category not in ("Cf", "Zl", "Zp") and not _selector(char)


def _selector(char: str) -> bool:
    """A variation selector (U+FE00-FE0F, U+E0100-E01EF, Mongolian's): it picks a form
    of the character before it and is no character to print of its own; a font
    without the form prints the plain one."""
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0x180B <= code <= 0x180D


#: Elements whose text is not printed.
_HIDDEN = frozenset(("head", "script", "style", "title"))
#: Elements with no end tag (the HTML void elements).
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"))


class _Scanner(HTMLParser):
    """One pass over the rendered HTML: its text by language, and the CSS it uses.

    The HTML is handbill's own (templates, markdown-it, nh3-cleaned raw HTML), so
    every element is closed; a stack of (tag, language) follows the nesting.
    """

    def __init__(self, default: str, root: Path):
        super().__init__(convert_charrefs=True)
        self.root = root
        self.stack: list[tuple[str, str, bool]] = [("", default, False)]  # tag, lang, hidden
        self.text: dict[str, list[str]] = {}
        self.css: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        _, lang, hidden = self.stack[-1]
        if tag == "link" and "stylesheet" in (values.get("rel") or "").split():
            href = values.get("href") or ""
            if href.startswith("file:"):
                path = Path(unquote(urlsplit(href).path))
                if path.exists() or path.is_symlink():
                    self.css.append(_read(path, self.root))
        if tag not in _VOID:
            self.stack.append((tag, values.get("lang") or lang, hidden or tag in _HIDDEN))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):  # close up to the matching element
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        tag, lang, hidden = self.stack[-1]
        if tag == "style":
            self.css.append(data)
        elif not hidden:
            self.text.setdefault(lang, []).append(data)


def _read(path: Path, root: Path) -> str:
    """PATH's text (through the guard), read once while it does not change (layouts are
    shared by documents)."""
    check(path, root, code="layout")
    from .fonts import file_stamp

    return _read_version(path, root, file_stamp(path))


@lru_cache(maxsize=16)
def _read_version(path: Path, root: Path, _stamp: tuple) -> str:
    return read_text(path, root, limit=2_000_000, code="layout")


def scan(html: str, default: str, root: Path) -> tuple[dict[str, str], list[str]]:
    """HTML's printed text by language (``lang``, DEFAULT outside any), and its CSS sources:
    its linked local stylesheets (read through the guard) and its <style> elements."""
    scanner = _Scanner(default, root)
    scanner.feed(html)
    scanner.close()
    return {lang: "".join(parts) for lang, parts in scanner.text.items()}, scanner.css


@lru_cache(maxsize=16)
def css_strings(sources: tuple[str, ...], languages: tuple[str, ...]) -> dict[str, str]:
    """Strings of CSS ``content:`` rules, by language (``@page <lang>`` rules are that language's).

    Kept per process: a layout's stylesheets are the same for every document.
    """
    import tinycss2

    found: dict[str, list[str]] = {}

    def strings_in(tokens):
        for token in tokens:
            if token.type == "string":
                yield token.value
            elif token.type == "function":
                yield from strings_in(token.arguments)
            elif token.type in ("() block", "[] block", "{} block"):
                yield from strings_in(token.content)

    def visit(rules, langs):
        for rule in rules:
            if rule.type == "at-rule" and rule.content is not None:
                name = tinycss2.serialize(rule.prelude).strip().split(":")[0].strip()
                inner = (name,) if rule.lower_at_keyword == "page" and name in languages else langs
                visit(tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True,
                                                     skip_comments=True), inner)
            elif rule.type == "qualified-rule":
                visit(tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True,
                                                     skip_comments=True), langs)
            elif rule.type == "declaration" and rule.lower_name == "content":
                for lang in langs:
                    found.setdefault(lang, []).extend(strings_in(rule.value))

    for source in sources:
        visit(tinycss2.parse_stylesheet(source, skip_whitespace=True, skip_comments=True),
              languages)
    return {lang: "".join(parts) for lang, parts in found.items()}


def printed_characters(html: str, languages: tuple[str, ...], root: Path,
                       clusters: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Every character the document prints, per language: its text and its CSS strings.

    CLUSTERS, when given, gets the letters made of more than one character (a base
    and its combining marks: u + U+0308, pinyin's tones on ê), per language: each is
    printed by one font or not at all (see check_coverage)."""
    text, css = scan(html, languages[0], root)
    chars: dict[str, set[str]] = {lang: set(LAYOUT_CHARACTERS) for lang in languages}
    for source in (text, css_strings(tuple(css), languages)):
        for lang, text in source.items():
            chars.setdefault(lang, set()).update(c for c in text if _printable(c))
            if clusters is not None:
                clusters.setdefault(lang, set()).update(marked_clusters(text))
    # CSS text-transform may print either case of any letter.
    for found in chars.values():
        found |= {v for c in list(found) for v in (c.upper(), c.lower()) if len(v) == 1}
    return chars


def marked_clusters(text: str) -> set[str]:
    """TEXT's grapheme clusters that join a base to combining marks (NFC first: a
    letter that has a precomposed form is that one character then)."""
    if not any(unicodedata.combining(c) for c in text):
        return set()  # the usual case: regex (7 ms to import) is not needed
    import regex

    found = set()
    for cluster in regex.findall(r"\X", unicodedata.normalize("NFC", text)):
        marks = [c for c in cluster if _printable(c) and unicodedata.category(c) in ("Mn", "Mc", "Me")]
        if marks and len(cluster) > 1 and _printable(cluster[0]):
            found.add("".join(c for c in cluster if _printable(c)))
    return found


def unjoined(clusters: dict[str, set[str]], plan: FontPlan) -> dict[str, list[str]]:
    """Per language, the marked letters no single font of its chain draws whole (its base
    and every mark: a mark from another font sits wrongly over the letter)."""
    missing: dict[str, list[str]] = {}
    for lang, wanted in clusters.items():
        fonts = [cmap(regular_face(faces)) for faces in plan.chain_faces(lang)]
        gaps = sorted(c for c in wanted if not any(all(ord(x) in f for x in c) for f in fonts))
        if gaps:
            missing[lang] = gaps
    return missing


def uncovered(chars: dict[str, set[str]], plan: FontPlan) -> dict[str, list[str]]:
    """Per language, the characters no font of its chain covers (sorted)."""
    missing: dict[str, list[str]] = {}
    for lang, wanted in chars.items():
        covered: set[int] = set()
        for faces in plan.chain_faces(lang):
            covered |= cmap(regular_face(faces))
        gaps = sorted(c for c in wanted if ord(c) not in covered)
        if gaps:
            missing[lang] = gaps
    return missing


def _find(char: str, path: Path, root: Path, texts: dict) -> tuple[int, int] | None:
    if path not in texts:
        try:
            texts[path] = read_text(path, root, limit=20_000_000)
        except ContentError:  # refused by the guard, or not text: not where it was printed from
            texts[path] = None
    text = texts[path]
    if text is None:
        return None
    index = text.find(char)
    if index < 0:
        return None
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def locate(char: str, lang: str, bundle: Bundle, root: Path,
           texts: dict | None = None) -> tuple[Path, int | None, int | None]:
    """Where CHAR first stands in the sources that could have printed it (TEXTS: the
    files read so far, kept by the caller that locates many characters)."""
    texts = {} if texts is None else texts
    candidates = []
    if lang in bundle.bodies:
        candidates.append(bundle.bodies[lang].path)
    candidates += [b.path for l, b in bundle.bodies.items() if l != lang]
    candidates.append(bundle.meta_path)
    candidates += sorted(set(bundle.reference_files.values()))
    candidates.append(root / "site.yaml")  # the clinic's name, address, phone
    for base in search_path(root):
        candidates += sorted(p for p in base.rglob("*") if p.suffix in (".yaml", ".j2", ".css"))
    for path in candidates:
        found = _find(char, path, root, texts)
        if found:
            return path, *found
    return bundle.path, None, None


#: Forms whose usual counterpart a writer likely meant (small forms: the full-width ones).
_SMALL_FORMS = {chr(0xFE50 + i): c for i, c in enumerate("，、．\ufe53；：？！—（）｛｝〔〕＃＆＊＋－＜＞＝\ufe67＼＄％＠")
                if c != "\ufe53" and c != "\ufe67"}


def replacement(char: str, plan: FontPlan) -> str | None:
    """A character the chains cover that CHAR most likely stands for (﹕ for ：), or None."""
    covered = set().union(*(cmap(regular_face(f)) for f in plan.faces.values())) \
        if plan.faces else set()
    for candidate in (_SMALL_FORMS.get(char), unicodedata.normalize("NFKC", char)):
        if candidate and candidate != char and all(ord(c) in covered for c in candidate):
            return candidate
    return None


def _font_hint(char: str, plan: FontPlan) -> str:
    instead = replacement(char, plan)
    if instead is not None:
        return (f"'{instead}' (U+{ord(instead[0]):04X}) is likely what was meant, and prints: "
                "write that instead, or add a font that has the character")
    from .fonts import MADE_AT_SETUP

    for family, (_, source) in MADE_AT_SETUP.items():
        if family in plan.missing and _in_full_cjk(char, source):
            return (f"{family} has it, but it is not made yet: run `make setup` (it "
                    "makes the font from Debian's fonts-noto-cjk)")
    others = sorted({face.family for faces in plan.faces.values() for face in faces
                     if ord(char) in cmap(regular_face(faces))})
    if others:
        return (f"{', '.join(others)} {'has' if len(others) == 1 else 'have'} it: add "
                f"{'that family' if len(others) == 1 else 'one of them'} to this language's "
                "chain ('fonts:' of its row in layouts/languages.yaml)")
    installed = _system_families_with(char)
    if installed:
        return (f"the system font {installed[0]} has it: put its file in the project's fonts/ "
                "folder (or list the family under 'system:' in layouts/fonts.yaml) and add the "
                "family to this language's chain")
    return ("put a font that has it in the project's fonts/ folder and add its family to "
            "layouts/fonts.yaml, or replace the character")


def _in_full_cjk(char: str, face: str = "NotoSansCJKsc-Regular") -> bool:
    """Whether FACE of Debian's Noto Sans CJK (a made font's source) has CHAR, where it is
    installed."""
    source = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not source.is_file():
        return False
    return ord(char) in _full_cjk_cmap(source, face)


@lru_cache(maxsize=2)
def _full_cjk_cmap(source: Path, face: str) -> frozenset[int]:
    """The cmap of the collection's face named FACE (found by its PostScript name)."""
    import uharfbuzz as hb

    blob = hb.Blob.from_file_path(str(source))
    for index in range(16):  # the collection has 10 faces; past its last, an empty one
        found = hb.Face(blob, index)
        if found.glyph_count == 0:
            break
        if found.get_name(hb.OTNameIdPredefined.POSTSCRIPT_NAME) == face:
            return frozenset(found.unicodes)
    return frozenset()


def _system_families_with(char: str) -> list[str]:
    """Installed font families that have CHAR, as fontconfig knows them (for hints only)."""
    import subprocess

    try:
        result = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"],
                                capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(",")[0].strip() for line in result.stdout.splitlines() if line})


#: At most this many uncovered characters are reported one by one, per language.
MAX_REPORTED = 20


def _in_reading_order(chars: list[str], bundle: Bundle, lang: str) -> list[str]:
    """CHARS in the order they first appear in LANG's text (the others after, by code)."""
    wanted, first = set(chars), {}
    source = bundle.bodies[lang].source if lang in bundle.bodies else ""
    for index, char in enumerate(source):
        if char in wanted and char not in first:
            first[char] = index
    return sorted(chars, key=lambda c: (c not in first, first.get(c, 0), c))


def check_coverage(chars: dict[str, set[str]], plan: FontPlan, bundle: Bundle,
                   root: Path, clusters: dict[str, set[str]] | None = None) -> list[Diagnostic]:
    """A located error for every printed character no font of its language covers.

    At most MAX_REPORTED a language, the first in its text, then one line for the
    rest: a text of 60,000 characters no font has is reported in a second, not in
    minutes of searching for each.
    """
    from .content import control_character_problem

    problems, texts = [], {}
    controls = {lang: {c for c in found if unicodedata.category(c) == "Cc"}
                for lang, found in chars.items()}
    for char in sorted(set().union(*controls.values()))[:MAX_REPORTED]:  # metadata, a layout
        lang = next(lang for lang in chars if char in controls[lang])
        path, line, column = locate(char, lang, bundle, root, texts)
        problems.append(Diagnostic(display_path(path, root), line, control_character_problem(char),
                                   column=column, code="text"))
    text = {lang: found - controls[lang] for lang, found in chars.items()}
    for lang, missing in uncovered(text, plan).items():
        ordered = _in_reading_order(missing, bundle, lang)
        for char in ordered[:MAX_REPORTED]:
            path, line, column = locate(char, lang, bundle, root, texts)
            if line is None and any(v != char and v in missing
                                    for v in (char.upper(), char.lower())):
                continue  # a case no one wrote (text-transform's): said of the one written
            problems.append(Diagnostic(
                display_path(path, root), line,
                f"no font covers '{char}' (U+{ord(char):04X}) for {lang}",
                column=column, code="font-coverage", hint=_font_hint(char, plan)))
        if len(ordered) > MAX_REPORTED:
            problems.append(Diagnostic(
                display_path(bundle.path, root), None,
                f"and {len(ordered) - MAX_REPORTED:,} more character"
                f"{'s' if len(ordered) - MAX_REPORTED != 1 else ''} no font covers for {lang}",
                code="font-coverage", hint="the first ones are above; a font that has them is "
                "likely to have the rest"))
    missing_chars = {c for gaps in uncovered(text, plan).values() for c in gaps}
    for lang, letters in unjoined(clusters or {}, plan).items():
        for letter in letters[:MAX_REPORTED]:
            if any(c in missing_chars for c in letter):
                continue  # said already, of the character itself
            path, line, column = locate(letter, lang, bundle, root, texts)
            parts = " + ".join(f"U+{ord(c):04X}" for c in letter)
            problems.append(Diagnostic(
                display_path(path, root), line, f"no font draws '{letter}' ({parts}) as one "
                f"letter for {lang}: its base and its marks would come from different fonts",
                column=column, code="font-coverage",
                hint="write the letter precomposed if it has a form of its own, or put a font "
                     "that has the base and its marks in fonts/"))
    return sorted(problems, key=lambda d: (d.path, d.line or 0, d.column or 0))
