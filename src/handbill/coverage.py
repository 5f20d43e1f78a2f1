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
from urllib.parse import unquote, urlsplit

from .errors import Diagnostic, display_path
from .fonts import Face, FontPlan, regular_face
from .layouts import search_path
from .model import LANGUAGES, Bundle

#: Characters a layout may print on its own: page numbers, list markers.
LAYOUT_CHARACTERS = frozenset("0123456789.• \u2010")  # \u2010: the hyphen hyphenation adds


@lru_cache(maxsize=64)
def cmap(face: Face) -> frozenset[int]:
    """The code points FACE maps to a glyph (read by HarfBuzz: fast on large CJK fonts)."""
    import uharfbuzz as hb

    return frozenset(hb.Face(hb.Blob.from_file_path(str(face.path)), face.index).unicodes)


def _printable(char: str) -> bool:
    """Whether CHAR takes a glyph: spaces do (U+0020, U+3000...), controls and breaks do not."""
    return unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp")


def _parse(html: str):
    import tinyhtml5  # WeasyPrint's own HTML parser, light to import

    return tinyhtml5.parse(html, namespace_html_elements=False)


def text_by_language(root, default: str) -> dict[str, str]:
    """The text of a parsed HTML document, grouped by the language (``lang``) of each piece."""
    found: dict[str, list[str]] = {}

    def walk(element, lang):
        lang = element.get("lang", lang)
        if element.tag in ("head", "script", "style", "title"):
            return
        if element.text:
            found.setdefault(lang, []).append(element.text)
        for child in element:
            walk(child, lang)
            if child.tail:
                found.setdefault(lang, []).append(child.tail)

    walk(root, root.get("lang", default))
    return {lang: "".join(parts) for lang, parts in found.items()}


def stylesheet_sources(root) -> list[str]:
    """The CSS a parsed HTML document uses: its linked local files and its <style> elements."""
    sources = []
    for element in root.iter():
        if element.tag == "link" and "stylesheet" in (element.get("rel") or "").split():
            href = element.get("href") or ""
            if href.startswith("file:"):
                path = Path(unquote(urlsplit(href).path))
                if path.is_file():
                    sources.append(path.read_text(encoding="utf-8"))
        elif element.tag == "style" and element.text:
            sources.append(element.text)
    return sources


def css_strings(sources: list[str], languages: tuple[str, ...]) -> dict[str, str]:
    """Strings of CSS ``content:`` rules, by language (``@page <lang>`` rules are that language's)."""
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
                inner = (name,) if rule.lower_at_keyword == "page" and name in LANGUAGES else langs
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


def printed_characters(html: str, languages: tuple[str, ...]) -> dict[str, set[str]]:
    """Every character the document prints, per language: its text and its CSS strings."""
    root = _parse(html)
    chars: dict[str, set[str]] = {lang: set(LAYOUT_CHARACTERS) for lang in languages}
    for source in (text_by_language(root, languages[0]),
                   css_strings(stylesheet_sources(root), languages)):
        for lang, text in source.items():
            chars.setdefault(lang, set()).update(c for c in text if _printable(c))
    # CSS text-transform may print either case of any letter.
    for found in chars.values():
        found |= {v for c in list(found) for v in (c.upper(), c.lower()) if len(v) == 1}
    return chars


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


def _find(char: str, path: Path) -> tuple[int, int] | None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    index = text.find(char)
    if index < 0:
        return None
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def locate(char: str, lang: str, bundle: Bundle, root: Path) -> tuple[Path, int | None, int | None]:
    """Where CHAR first stands in the sources that could have printed it."""
    candidates = []
    if lang in bundle.bodies:
        candidates.append(bundle.bodies[lang].path)
    candidates += [b.path for l, b in bundle.bodies.items() if l != lang]
    candidates.append(bundle.meta_path)
    candidates += sorted(set(bundle.reference_files.values()))
    for base in search_path(root):
        candidates += sorted(p for p in base.rglob("*") if p.suffix in (".yaml", ".j2", ".css"))
    for path in candidates:
        found = _find(char, path)
        if found:
            return path, *found
    return bundle.path, None, None


def _font_hint(char: str, plan: FontPlan) -> str:
    others = sorted({face.family for faces in plan.faces.values() for face in faces
                     if ord(char) in cmap(regular_face(faces))})
    if others:
        return (f"{', '.join(others)} has it: add that family to this language's chain in "
                "layouts/fonts.yaml")
    installed = _system_families_with(char)
    if installed:
        return (f"the system font {installed[0]} has it: put its file in the project's fonts/ "
                "folder (or list the family under 'system:' in layouts/fonts.yaml) and add the "
                "family to this language's chain")
    return ("put a font that has it in the project's fonts/ folder and add its family to "
            "layouts/fonts.yaml, or replace the character")


def _system_families_with(char: str) -> list[str]:
    """Installed font families that have CHAR, as fontconfig knows them (for hints only)."""
    import subprocess

    try:
        result = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"],
                                capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(",")[0].strip() for line in result.stdout.splitlines() if line})


def check_coverage(chars: dict[str, set[str]], plan: FontPlan, bundle: Bundle,
                   root: Path) -> list[Diagnostic]:
    """A located error for every printed character no font of its language covers."""
    problems = []
    for lang, missing in uncovered(chars, plan).items():
        for char in missing:
            path, line, column = locate(char, lang, bundle, root)
            problems.append(Diagnostic(
                display_path(path, root), line,
                f"no font covers '{char}' (U+{ord(char):04X}) for {lang}",
                column=column, code="font-coverage", hint=_font_hint(char, plan)))
    return sorted(problems, key=lambda d: (d.path, d.line or 0, d.column or 0))
