"""Placeholders in a bundle's texts (``{{ name }}``), and a row's values filling them.

A body's placeholders are found while its Markdown is parsed, in its text runs only
(a placeholder in a link, a code span or raw HTML is an error: values fill text).
The body's HTML keeps a mark for each (:func:`mark`), so that one parse serves
every row: :func:`fill` puts each row's values in, typeset like the text around
them (escaped, the Han-Latin gap at their edges) and never read as markup. The
metadata's texts (title, subtitle, disclaimer...) are plain text and filled before
they are typeset. A bundle with placeholders and no rows is an error listing them
(:func:`unfilled`), so that a draft is never printed with ``{{ name }}`` on it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Mapping

from .errors import Diagnostic, display_path
from .model import Body, Bundle

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_-]+)\s*\}\}")
#: Anything that looks like one, to say where a malformed one is.
_BRACES = re.compile(r"\{\{.*?\}\}")
#: The mark a body's HTML keeps for a placeholder: private-use characters around its name.
_MARKED = re.compile("\ue000([A-Za-z0-9_-]+)\ue001")
#: The metadata texts placeholders may stand in.
META_TEXTS = ("title", "subtitle", "category", "reading_time", "disclaimer")


def mark(name: str) -> str:
    return f"\ue000{name}\ue001"


def split(text: str) -> list[str | tuple[str]]:
    """TEXT as pieces: plain strings and (name,) for each placeholder."""
    pieces: list[str | tuple[str]] = []
    position = 0
    for found in PLACEHOLDER.finditer(text):
        pieces += [text[position:found.start()], (found.group(1),)]
        position = found.end()
    pieces.append(text[position:])
    return [piece for piece in pieces if piece != ""]


def names(bundle: Bundle, languages: tuple[str, ...] | None = None) -> set[str]:
    """The placeholders BUNDLE prints (in LANGUAGES, default all of its texts)."""
    return {name for _, _, _, name in occurrences(bundle, languages)}


def occurrences(bundle: Bundle, languages: tuple[str, ...] | None = None
                ) -> list[tuple[object, int, int, str]]:
    """Each placeholder of BUNDLE's texts: (file, line, column, name)."""
    found = []
    tags = languages or tuple(bundle.bodies)
    bodies = [bundle.bodies[t] for t in tags if t in bundle.bodies]
    bodies += [bundle.short_bodies[t] for t in tags if t in bundle.short_bodies]
    for body in bodies:
        for number, line in enumerate(body.source.split("\n"), 1):
            found += [(body.path, number, m.start() + 1, m.group(1))
                      for m in PLACEHOLDER.finditer(line)]
    for key in META_TEXTS:
        written = key.replace("_", "-")  # as meta.yaml spells it
        for lang, text in getattr(bundle.meta, key).items():
            if lang in tags or languages is None:
                line = bundle.meta.lines.get(f"{written}.{lang}",
                                             bundle.meta.lines.get(written, 1))
                found += [(bundle.meta_path, line, None, m.group(1))
                          for m in PLACEHOLDER.finditer(text)]
    return found


def unfilled(bundle: Bundle, root, languages: tuple[str, ...] | None = None
             ) -> list[Diagnostic]:
    """An error at each placeholder of BUNDLE: it is built without rows to fill them."""
    return [Diagnostic(display_path(path, root), line, f"placeholder {{{{ {name} }}}} and no "
                       "rows to fill it", column=column, code="placeholder",
                       hint="build it with --data ROWS.csv (one handout a row), or write the "
                            "text itself")
            for path, line, column, name in occurrences(bundle, languages)]


def fill(bundle: Bundle, values: Mapping[str, str], han: Callable[[str], bool]) -> Bundle:
    """BUNDLE with VALUES in its placeholders (HAN: whether a language is set as Han)."""
    def body(text: Body) -> Body:
        lang_han = han(text.lang)
        return replace(text, html=fill_html(text.html, values, lang_han),
                       parts=tuple(replace(part, html=fill_html(part.html, values, lang_han),
                                           blocks=tuple(fill_html(b, values, lang_han)
                                                        for b in part.blocks),
                                           heading=part.heading and replace(
                                               part.heading, text=fill_text(part.heading.text,
                                                                            values)))
                                   for part in text.parts),
                       headings=tuple(replace(h, text=fill_text(h.text, values))
                                      for h in text.headings))

    meta = replace(bundle.meta, **{key: {lang: fill_text(text, values) for lang, text in
                                         getattr(bundle.meta, key).items()}
                                   for key in META_TEXTS})
    return replace(bundle, meta=meta,
                   bodies={lang: body(b) for lang, b in bundle.bodies.items()},
                   short_bodies={lang: body(b) for lang, b in bundle.short_bodies.items()})


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """A plain text with VALUES in its placeholders (once: a value is never read again)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def fill_html(html: str, values: Mapping[str, str], han: bool) -> str:
    """A body's HTML with VALUES at its marks, escaped and typeset."""
    if "\ue000" not in html:
        return html
    from .typography import _HAN, _LATIN, typeset

    han_char = re.compile(f"[{_HAN}]")
    latin_char = re.compile(f"[{_LATIN}]")

    def kind(char: str | None) -> str | None:
        if char is None:
            return None
        return "han" if han_char.match(char) else "latin" if latin_char.match(char) else None

    def value(found: re.Match) -> str:
        text = values.get(found.group(1))
        if text is None:  # no value: the placeholder as written
            text = "{{ " + found.group(1) + " }}"
        out = typeset(text, han)
        if han and text:
            before = kind(_visible(html, found.start(), -1))
            after = kind(_visible(html, found.end(), 1))
            first, last = kind(text[0]), kind(text[-1])
            if {before, first} == {"han", "latin"}:
                out = " " + out
            if {last, after} == {"han", "latin"}:
                out += " "
        return out

    return _MARKED.sub(value, html)


def _visible(html: str, position: int, step: int) -> str | None:
    """The text character next to POSITION in HTML (before it for STEP -1), past tags."""
    index = position - 1 if step < 0 else position
    while 0 <= index < len(html):
        char = html[index]
        if char == (">" if step < 0 else "<"):
            end = html.rfind("<", 0, index) if step < 0 else html.find(">", index)
            if end == -1:
                return None
            index = end - 1 if step < 0 else end + 1
            continue
        return char
    return None
