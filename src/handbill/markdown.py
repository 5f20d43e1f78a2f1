"""Markdown (CommonMark) to HTML, remembering headings and images with their lines.

What the text may hold is checked here, each problem at its line: links only to
http(s), mailto, tel or a heading of the handout; images only from the bundle
(in Markdown and in raw HTML alike); lists and quotes at most
:data:`MAX_NESTING` deep and emphasis at most :data:`MAX_INLINE_NESTING`
(markdown-it drops what lies deeper without a word, and WeasyPrint's layout
recurses once per level).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt

from . import callouts, guard
from .cjk_emphasis import cjk_emphasis
from .errors import Diagnostic, display_path
from .citesyntax import citations_plugin, place
from .images import image_problems
from .languages import load_languages
from .model import Body, CiteItem, Cluster, Heading, Image, Part
from .personalise import mark, split
from .spec import SOURCE_ATTRIBUTE
from .typography import typeset

#: Lists and block quotes may nest this deep; deeper is an error at its line.
MAX_NESTING = 8
#: Emphasis (and links) may nest this deep inside a paragraph.
MAX_INLINE_NESTING = 20


def make_parser(html: bool = False) -> MarkdownIt:
    """handbill's Markdown: CommonMark, tables, Pandoc's citations; raw HTML only if HTML.

    markdown-it stops reading a body at its maxNesting levels (each list takes
    two, a quote one): set above what MAX_NESTING lets through, so that text is
    never dropped before parse_body can say where it nests too deep.
    """
    parser = (MarkdownIt("commonmark", {"html": html, "typographer": False,
                                        "maxNesting": 2 * MAX_NESTING + 4})
              .enable("table").use(citations_plugin).use(cjk_emphasis))
    # Every link and image is parsed, so that parse_body can refuse a bad one at its line
    # (markdown-it would otherwise print a file: or javascript: link as plain text, silently).
    parser.validateLink = lambda url: True
    return parser


# Raw HTML in content is shown as text, never interpreted: content is data.
_PARSER = make_parser()
# A bundle that says `allow-html: true` gets its raw HTML, cleaned (see _clean_html).
_HTML_PARSER = make_parser(html=True)
#: Raw HTML elements that are removed, with a warning, even where raw HTML is allowed.
DANGEROUS = ("script", "iframe", "object", "embed", "link", "style", "form", "meta", "base")
#: Schemes a link may use; images must be files inside the bundle.
LINK_SCHEMES = ("http", "https", "mailto", "tel")


def _slug(text: str, taken: dict[str, int], prefix: str) -> str:
    """An anchor for a heading: its words, numbered from the second of the same words.

    TAKEN counts each base's uses, so that 40,000 headings alike cost no more than
    40,000 others (counting up from 2 each time made them quadratic)."""
    base = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-") or "section"
    slug = f"{prefix}-{base}"
    n = taken.get(slug, 0)  # how many headings took this base before
    candidate = slug if n == 0 else f"{slug}-{n + 1}"
    while candidate in taken:  # a heading that spelt the number out ("A 2") took it
        n += 1
        candidate = f"{slug}-{n + 1}"
    taken[slug] = n + 1
    taken.setdefault(candidate, 1)
    return candidate


#: An item that starts with one of these carries its own marker (① ✓ ☐): no bullet too.
_OWN_MARKERS = re.compile(r"^[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf"
                          r"\u2713-\u2718\u2610-\u2612\u26a0\u2705\u274c]")


def _mark_self_marked_lists(tokens) -> None:
    """A bulleted list whose every item starts with its own marker (①, ✓, ☐) gets the
    class ``self-marked``: the layouts print no bullet before those."""
    for i, token in enumerate(tokens):
        if token.type != "bullet_list_open" or not _OWN_MARKERS.match(
                next((t.content for t in tokens[i + 1:i + 4] if t.type == "inline"), "")):
            continue  # the first item decides most lists at once
        depth, firsts = 0, []
        for j in range(i + 1, len(tokens)):
            kind = tokens[j].type
            if kind in ("bullet_list_open", "ordered_list_open"):
                depth += 1
            elif kind in ("bullet_list_close", "ordered_list_close"):
                if depth == 0:
                    break
                depth -= 1
            elif kind == "list_item_open" and depth == 0:
                k = j  # the item's first paragraph, a token or two on
                while k < len(tokens) and tokens[k].type != "inline":
                    k += 1
                firsts.append(tokens[k].content if k < len(tokens) else "")
                if not _OWN_MARKERS.match(firsts[-1]):
                    break  # one item without its own marker decides
        if firsts and all(_OWN_MARKERS.match(first) for first in firsts):
            token.attrSet("class", "self-marked")


def _wide(char: str) -> bool:
    """A character set full width: Han, kana, full-width punctuation (East Asian Width W,
    F), Hangul aside (Korean puts spaces between its words, as CSS Text 3 says)."""
    import unicodedata

    return unicodedata.east_asian_width(char) in ("W", "F") and not (
        "\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff"
        or "\u3130" <= char <= "\u318f")


def _join_wide_lines(children) -> None:
    """A line break inside a paragraph between two full-width characters is no space in
    Chinese (CSS Text 3's segment break rule, which WeasyPrint does not apply): a text
    wrapped in the source at 80 columns prints as one run, with no gap after 。or before 中."""
    for k, child in enumerate(children):
        if child.type != "softbreak":
            continue
        before = next((c.content for c in reversed(children[:k]) if c.type == "text"
                       and c.content), "")
        after = next((c.content for c in children[k + 1:] if c.type == "text" and c.content), "")
        beside = {children[k - 1].type if k else "", children[k + 1].type
                  if k + 1 < len(children) else ""}
        if before and after and _wide(before[-1]) and _wide(after[0]) and "image" not in beside:
            child.type, child.content = "html_inline", ""


def _typeset(tokens, han: bool) -> None:
    """Every text run typeset (see typography): kept-together units, and for a Han
    language the Han-Latin gap, Latin runs and punctuation compression."""
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        if han:
            _join_wide_lines(token.children)
        # A heading or a table cell keeps its Chinese words whole.
        words = index > 0 and tokens[index - 1].type in _WHOLE_WORDS
        texts = [child for child in token.children if child.type == "text"]
        for child in texts:
            child.type = "html_inline"  # rendered as given: already escaped HTML
            last = child is token.children[-1] and child is texts[-1]
            if "{{" not in child.content:
                child.content = typeset(child.content, han, words=words, last=last)
                continue
            # Placeholders ({{ name }}) stay marks that each row's values fill (personalise).
            pieces = split(child.content)
            child.content = "".join(
                mark(piece[0]) if isinstance(piece, tuple) else
                typeset(piece, han, words=words, last=last and piece is pieces[-1])
                for piece in pieces)


def _stray_placeholders(tokens, source: str, shown: str) -> list[Diagnostic]:
    """An error at each {{ placeholder }} of SOURCE that is not in a text run (a link's
    address, a code span, raw HTML, an image's alt text): no value fills it there."""
    if "{{" not in source:
        return []
    from .personalise import PLACEHOLDER

    placed = []  # (first line, last line, name) of the marks the text runs hold
    for token in tokens:
        if token.type == "inline" and token.map and token.children:
            for child in token.children:
                if child.type == "html_inline" and "\ue000" in child.content:
                    placed += [(token.map[0] + 1, token.map[1], name) for name in
                               re.findall("\ue000([A-Za-z0-9_-]+)\ue001", child.content)]
    found = []
    for number, line in enumerate(source.split("\n"), 1):
        for match in PLACEHOLDER.finditer(line):
            name = match.group(1)
            if any(first <= number <= last and n == name for first, last, n in placed):
                placed.remove(next(p for p in placed if p[0] <= number <= p[1] and p[2] == name))
                continue
            found.append(Diagnostic(shown, number, f"placeholder {{{{ {name} }}}} is not in the "
                                    "text (a link, code, an image's alt text or raw HTML), "
                                    "where no value fills it", column=match.start() + 1,
                                    code="placeholder", hint="put it in the text itself"))
    return found


#: The blocks whose Chinese words never break inside (see typography.typeset).
_WHOLE_WORDS = frozenset({"heading_open", "th_open", "td_open"})


def link_problem(href: str) -> str | None:
    """Why HREF may not be a link of a printed handout, or None.

    Only addresses a reader can follow from paper or a PDF viewer: http(s),
    mailto, tel, and ``#heading`` of the handout itself. A path (``/etc/passwd``,
    ``../x``, ``//host/x``) would become a file: link naming the build machine.
    """
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", href, re.I)
    if scheme:
        if scheme.group(1).lower() in LINK_SCHEMES:
            return None
        return (f"link '{href[:80]}' uses {scheme.group(1)}:, which a handout may not "
                f"(allowed: {', '.join(LINK_SCHEMES)})")
    if href.startswith("#") and len(href) > 1 and not href.startswith("#/"):
        return None  # a heading of the handout (parse_body checks which)
    return (f"link '{href[:80]}' is not a web, e-mail or phone address (allowed: "
            f"{', '.join(LINK_SCHEMES)}, or #a-heading of this handout)")


def _clean_html(html: str, images: dict[str, str], renamed: dict[str, str]) -> str:
    """The body's HTML with only harmless elements and attributes left (nh3, Ammonia).

    Links keep only addresses link_problem allows; images keep only the files
    parse_body checked (IMAGES: each source as written to its file: URL).
    """
    import nh3

    tags = set(nh3.ALLOWED_TAGS) - {"map", "area"}
    attributes = {"*": {"class", "id", "lang", "title", "data-src"}, "a": {"href"},
                  "img": {"src", "alt", "width", "height"},
                  "span": {"class", "data-cluster"}, "ol": {"start"},
                  "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
    checked = set(images.values())

    def attribute(tag: str, name: str, value: str) -> str | None:
        if tag == "a" and name == "href":
            return renamed.get(value, value) if link_problem(value) is None else None
        if tag == "img" and name == "src":
            return value if value in checked else images.get(value)
        if name == "data-src":
            return value if SOURCE_ATTRIBUTE.match(value) else None
        return value

    return ordered_list_starts(nh3.clean(html, tags=tags, attributes=attributes, link_rel=None,
                                         url_schemes={"http", "https", "mailto", "tel", "file"},
                                         attribute_filter=attribute))


_OL_TAG = re.compile(r"<ol\b[^>]*>")
_START = re.compile(r'\sstart="\s*([+-]?\d{1,9})\s*"')  # CommonMark's limit


def ordered_list_starts(html: str) -> str:
    """HTML whose numbered lists that start at a number (``<ol start="4">``, Markdown's
    ``4. Step``) count from it. WeasyPrint reads the start attribute only as a
    presentational hint, which handbill leaves off (it would also honour width, align,
    bgcolor...): the counter is set in the list's own style instead, which the
    sanitiser has already taken from any author's HTML."""
    def numbered(match: re.Match) -> str:
        tag = re.sub(r'\sstyle="[^"]*"', "", match.group())
        start = _START.search(tag)
        if start is None:
            return tag
        return tag[:-1] + f' style="counter-reset: list-item {int(start.group(1)) - 1}">'

    return _OL_TAG.sub(numbered, html)


class _RawTags(HTMLParser):
    """The links and images of a raw HTML fragment, with their lines in it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []  # (line in the fragment, kind, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if tag == "a" and name == "href":
                self.found.append((self.getpos()[0], "link", value or ""))
            elif tag == "img" and name == "src":
                self.found.append((self.getpos()[0], "image", value or ""))


def _raw_links_and_images(tokens) -> list[tuple[int, str, str]]:
    """(line, "link" or "image", value) of each link and image in raw HTML (allow-html)."""
    found = []
    for token in tokens:
        pieces = [token.content] if token.type == "html_block" else []
        if token.type == "inline" and token.children:
            pieces += [c.content for c in token.children if c.type == "html_inline"]
        for content in pieces:
            scanner = _RawTags()
            scanner.feed(content)
            scanner.close()
            first = token.map[0] + 1 if token.map else 1
            found += [(first + line - 1, kind, value) for line, kind, value in scanner.found]
    return found


def _nesting_problems(tokens, shown: str) -> list[Diagnostic]:
    """An error at the first list or quote nested deeper than MAX_NESTING, and at each
    paragraph whose emphasis nests deeper than MAX_INLINE_NESTING."""
    problems = []
    depth = 0
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            depth += 1
            if depth == MAX_NESTING + 1:
                problems.append(Diagnostic(
                    shown, token.map[0] + 1 if token.map else None,
                    f"lists and quotes nested more than {MAX_NESTING} deep; the deeper text "
                    "would not print", code="markdown",
                    hint="a handout reads best with lists at most two or three levels deep"))
        elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            depth -= 1
        elif token.type == "inline" and token.children:
            level = deepest = 0
            for child in token.children:
                level += child.nesting
                deepest = max(deepest, level)
            if deepest > MAX_INLINE_NESTING:
                problems.append(Diagnostic(
                    shown, token.map[0] + 1 if token.map else None,
                    f"emphasis nested more than {MAX_INLINE_NESTING} deep", code="markdown"))
    return problems


def _dangerous_html(tokens, shown: str) -> list[Diagnostic]:
    """A warning for each dangerous element in raw HTML, at its line."""
    found = []
    pattern = re.compile(rf"<\s*({'|'.join(DANGEROUS)})\b", re.I)
    for token in tokens:
        pieces = [(token, token.content)] if token.type == "html_block" else []
        if token.type == "inline" and token.children:
            pieces += [(token, c.content) for c in token.children if c.type == "html_inline"]
        for owner, content in pieces:
            for match in pattern.finditer(content):
                line = owner.map[0] + 1 if owner.map else None
                found.append(Diagnostic(shown, line, f"<{match.group(1).lower()}> removed: raw "
                                        "HTML may not run code, load pages or restyle the layout",
                                        severity="warning", code="raw-html"))
    return found


def parse_body(lang: str, path: Path, source: str, bundle_dir: Path,
               root: Path | None, allow_html: bool = False) -> tuple[Body, list[Diagnostic]]:
    """Parse one language file. Returns the body and the problems found in it."""
    problems: list[Diagnostic] = []
    shown = display_path(path, root)
    # One newline convention, as markdown-it counts lines (a lone \r ends a line too).
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    parser = _HTML_PARSER if allow_html else _PARSER
    tokens = parser.parse(source)
    problems += _nesting_problems(tokens, shown)
    headings: list[Heading] = []
    images: list[Image] = []
    checked: dict[str, str] = {}  # each image source as written -> its file: URL
    anchors: list = []  # (line, link token or None for raw HTML, href): links to a heading
    if allow_html:
        problems += _dangerous_html(tokens, shown)
        for line, kind, value in _raw_links_and_images(tokens):
            if kind == "link" and (problem := link_problem(value)):
                problems.append(Diagnostic(shown, line, problem, code="link"))
            elif kind == "link" and value.startswith("#"):
                anchors.append((line, None, value))
            elif kind == "image":
                image, found = _image(value, line, shown, bundle_dir, root, lang, "")
                problems += found
                if image is not None:
                    checked[value] = image.path.as_uri()
    taken: dict[str, int] = {}
    for index, token in enumerate(tokens):
        line = token.map[0] + 1 if token.map else None
        if token.type == "heading_open":
            inline = tokens[index + 1]
            level = int(token.tag[1])
            anchor = _slug(inline.content, taken, lang.lower())
            token.attrSet("id", anchor)
            headings.append(Heading(level, inline.content, anchor, line or 1))
            if level == 1:
                problems.append(Diagnostic(
                    shown, line, "a body starts its sections at level 2 ('## Heading'): "
                    "level 1 is the document title, which comes from meta.yaml",
                    column=1, code="markdown-heading"))
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "link_open":
                    problem = link_problem(child.attrGet("href") or "")
                    if problem is not None:
                        problems.append(Diagnostic(shown, line, problem, code="link"))
                        child.attrs.pop("href", None)  # no link at all (checks still lay out)
                    elif (child.attrGet("href") or "").startswith("#"):
                        anchors.append((line, child, child.attrGet("href")))
                if child.type != "image":
                    continue
                src = child.attrGet("src") or ""
                alt = "".join(c.content for c in child.children or ())
                image, found = _image(src, line, shown, bundle_dir, root, lang, alt)
                problems += found
                if image is not None:
                    child.attrSet("src", image.path.as_uri())
                    checked[child.attrGet("src")] = image.path.as_uri()
                    images.append(image)
    problems += _bad_references(tokens, source, shown)
    renamed = _check_anchors(anchors, headings, lang, shown, problems)
    clusters = _collect_citations(tokens, lang, source, shown, problems)
    callouts.transform(tokens)
    _mark_self_marked_lists(tokens)
    _typeset(tokens, han=load_languages(root)[lang].typography.han)
    problems += _stray_placeholders(tokens, source, shown)
    _mark_sources(tokens, path.name)
    parts = _parts(tokens, headings, parser, checked if allow_html else None, renamed)
    html = "".join(part.html for part in parts)
    blocks = sum(1 for t in tokens if t.type in ("inline", "hr") or t.type == "html_block")
    return Body(lang, path, source, html, tuple(headings), tuple(images),
                tuple(clusters), tuple(parts), blocks), problems


_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,9}));")


def _bad_references(tokens, source: str, shown: str) -> list[Diagnostic]:
    """An error at each numeric character reference (&#0;, &#x1b;) that stands for no
    text: markdown-it prints a control character, or U+FFFD in its place, and no
    check could say where it came from."""
    code_lines = {line for t in tokens if t.type in ("code_block", "fence") and t.map
                  for line in range(t.map[0] + 1, t.map[1] + 1)}
    problems = []
    for match in _CHARACTER_REFERENCE.finditer(source):
        code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        # markdown-it prints U+FFFD for all of them (CommonMark asks it for &#0; and the
        # invalid ones): the text would hold a character its writer never typed.
        if not (code < 0x20 and code not in (9, 10, 13) or 0x7f <= code <= 0x9f
                or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF):
            continue
        line = source.count("\n", 0, match.start()) + 1
        start = source.rfind("\n", 0, match.start()) + 1
        if line in code_lines or source[start:match.start()].count("`") % 2:
            continue  # in code, where it prints as written
        column = match.start() - start + 1
        problems.append(Diagnostic(shown, line, f"the character reference {match.group()} stands "
                                   f"for U+{code:04X}, which is not text; delete it",
                                   column=column, code="text"))
    return problems


def _image(src: str, line: int | None, shown: str, bundle_dir: Path, root: Path, lang: str,
           alt: str) -> tuple[Image | None, list[Diagnostic]]:
    """The image SRC of a body, if it can be printed; else the problems (at LINE, or in
    the image itself: an SVG's own lines)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:|^/", src, re.I):
        return None, [Diagnostic(shown, line, f"image '{src}' must be a file inside the bundle",
                                 code="image")]
    name = unquote(src)  # markdown-it percent-encodes: <my chart.png> is my%20chart.png
    broken = guard.unusable(bundle_dir / name)
    if broken is not None:
        return None, [Diagnostic(shown, line, f"image '{src}' {broken}", code="image")]
    target = (bundle_dir / name).resolve()
    if not target.is_relative_to(bundle_dir.resolve()):
        return None, [Diagnostic(shown, line, f"image '{src}' must be a file inside the bundle",
                                 code="image")]
    if not target.is_file():
        return None, [Diagnostic(shown, line, f"image '{src}' not found in "
                                 f"{display_path(bundle_dir, root)}", code="image")]
    problem, inside = image_problems(target, root, bundle_dir)
    if problem:
        inside = [Diagnostic(shown, line, f"image '{src}' {problem}", code="image"), *inside]
    return (None, inside) if inside else (Image(target, {lang: alt}), [])


def _check_anchors(anchors: list, headings: list[Heading], lang: str, shown: str,
                   problems: list[Diagnostic]) -> dict[str, str]:
    """Each #link must name a heading of this text: by its anchor (#en-before-you-measure)
    or without the language (#before-you-measure, made the former here). A link to
    another language's section is left to WeasyPrint. Returns the raw HTML's renamed
    links (href -> href)."""
    from urllib.parse import unquote

    known = {h.anchor for h in headings}
    prefix = f"{lang.lower()}-"
    others = tuple(f"{other.lower()}-" for other in load_languages(None).tags
                   if other != lang.lower())
    renamed = {}
    for line, token, href in anchors:
        name = unquote(href[1:])
        if name in known or (name.startswith(others) and name):
            continue
        if prefix + name in known:
            if token is not None:
                token.attrSet("href", f"#{prefix}{name}")
            renamed[href] = f"#{prefix}{name}"
            continue
        listed = ", ".join(f"#{h.anchor[len(prefix):]}" for h in headings[:4])
        problems.append(Diagnostic(shown, line, f"link '{href[:80]}' names no heading of this "
                                   "text", code="link",
                                   hint=f"its headings: {listed}" if listed else
                                   "this text has no heading to link to"))
        if token is not None:
            token.attrs.pop("href", None)
    return renamed


#: The blocks that carry their source lines (``data-src="en.md:12-14"``), so that a
#: problem found on the laid-out pages (a line that does not fit, type too small) is
#: located in the file and at the line it came from, whatever the other texts say.
_SOURCED = frozenset({"paragraph_open", "list_item_open", "heading_open", "blockquote_open",
                      "table_open", "tr_open", "bullet_list_open", "ordered_list_open"})


def _mark_sources(tokens, name: str) -> None:
    """Each block of TOKENS that has source lines gets them as ``data-src``: NAME:first-last.
    A numbered list that starts at a number counts from it (see ordered_list_starts)."""
    for token in tokens:
        if token.type in _SOURCED and token.map and not token.hidden:
            token.attrSet("data-src", f"{name}:{token.map[0] + 1}-{token.map[1]}")
        if token.type == "ordered_list_open" and token.attrGet("start") is not None:
            start = _START.search(f' start="{token.attrGet("start")}"')
            if start is not None:
                token.attrSet("style", f"counter-reset: list-item {int(start.group(1)) - 1}")


def _parts(tokens, headings: list[Heading], parser, images: dict[str, str] | None,
           renamed: dict[str, str] | None = None) -> list[Part]:
    """Render TOKENS cut before each level-2 heading."""
    cuts = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    bounds = ([0] if not cuts or cuts[0] != 0 else []) + cuts + [len(tokens)]
    second = iter(h for h in headings if h.level == 2)
    parts = []
    for start, end in zip(bounds, bounds[1:]):
        if start == end:
            continue
        heading = next(second) if tokens[start].type == "heading_open" and \
            tokens[start].tag == "h2" else None
        def clean(html: str) -> str:
            return _clean_html(html, images, renamed or {}) if images is not None else html

        html = parser.renderer.render(tokens[start:end], parser.options, {})
        blocks = tuple(clean(parser.renderer.render(tokens[a:b], parser.options, {}))
                       for a, b in _top_level_blocks(tokens, start, end))
        parts.append(Part(heading, clean(html), blocks))
    return parts


def _top_level_blocks(tokens, start: int, end: int) -> list[tuple[int, int]]:
    """The token ranges of the top-level blocks in TOKENS[START:END]."""
    ranges, depth, first = [], 0, start
    for i in range(start, end):
        token = tokens[i]
        if depth == 0:
            first = i
        depth += token.nesting
        if depth == 0:
            ranges.append((first, i + 1))
    return ranges


def _collect_citations(tokens, lang: str, source: str, shown: str,
                       problems: list[Diagnostic]) -> list[Cluster]:
    """Number the citations and find each one's line and column in SOURCE; an error
    (in PROBLEMS) at a citation written in another's locator: ``[@a, @b]``."""
    line_starts = [0] + [i + 1 for i, c in enumerate(source) if c == "\n"]
    clusters: list[Cluster] = []
    cursor = 0
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        if token.map:
            cursor = max(cursor, line_starts[token.map[0]])
        for child in token.children:
            if child.type != "citation":
                continue
            raw = child.meta["raw"]
            found = source.find(raw, cursor)
            if found < 0:  # spread over lines: locate its first line's text
                found = source.find(raw.split("\n")[0], cursor)
            found = max(found, 0)
            cursor = found + 1
            line = source.count("\n", 0, found) + 1
            column = found - line_starts[line - 1] + 1
            child.meta["id"] = f"{lang}-{len(clusters)}"
            hosts = [i["key"] for i in child.meta["items"] if not i.get("nested")]
            host, items = (hosts or [None])[0], []
            for item in child.meta["items"]:
                item = dict(item)
                item.pop("in_text", None)
                if not item.pop("nested", False):
                    host = item["key"]
                    items.append(CiteItem(**item))
                    continue
                at_line, at_column = place(raw, line, column, item["offset"])
                problems.append(Diagnostic(
                    shown, at_line, f"'@{item['key']}' stands in the locator of '@{host}' "
                    f"in {' '.join(raw.split())[:80]}: Pandoc would print it in place of "
                    f"'@{host}'", column=at_column, code="citation",
                    hint=f"separate the references with ';': [@{host}; @{item['key']}]"))
                items.append(CiteItem(**item))
            items = tuple(items)
            clusters.append(Cluster(child.meta["id"], items, child.meta["narrative"], raw,
                                    line, column))
    return clusters
