"""Markdown (CommonMark) to HTML, remembering headings and images with their lines."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from .errors import Diagnostic, display_path
from .citesyntax import citations_plugin
from .images import image_problem
from .model import Body, CiteItem, Cluster, Heading, Image, Part
from .typography import autospace, compress_punctuation

_PARSER = (
    # Raw HTML in content is shown as text, never interpreted: content is data.
    MarkdownIt("commonmark", {"html": False, "typographer": False})
    .enable("table")
    .use(citations_plugin)
)
# A bundle that says `allow-html: true` gets its raw HTML, cleaned (see _clean_html).
_HTML_PARSER = (
    MarkdownIt("commonmark", {"html": True, "typographer": False})
    .enable("table")
    .use(citations_plugin)
)
# Every link and image is parsed, so that parse_body can refuse a bad one at its line
# (markdown-it would otherwise print a file: or javascript: link as plain text, silently).
_PARSER.validateLink = _HTML_PARSER.validateLink = lambda url: True
#: Raw HTML elements that are removed, with a warning, even where raw HTML is allowed.
DANGEROUS = ("script", "iframe", "object", "embed", "link", "style", "form", "meta", "base")
#: Schemes a link may use; images must be files inside the bundle.
LINK_SCHEMES = ("http", "https", "mailto", "tel")


def _slug(text: str, taken: set[str], prefix: str) -> str:
    base = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-") or "section"
    slug, n = f"{prefix}-{base}", 1
    while slug in taken:
        n += 1
        slug = f"{prefix}-{base}-{n}"
    taken.add(slug)
    return slug


def _typeset_chinese(tokens) -> None:
    """Han-Latin gaps and punctuation compression in every text run (see typography)."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "text":
                child.type = "html_inline"  # rendered as given: already escaped HTML
                child.content = compress_punctuation(autospace(child.content))


def _clean_html(html: str) -> str:
    """The body's HTML with only harmless elements and attributes left (nh3, Ammonia)."""
    import nh3

    tags = set(nh3.ALLOWED_TAGS) - {"map", "area"}
    attributes = {"*": {"class", "id", "lang", "title"}, "a": {"href"},
                  "img": {"src", "alt", "width", "height"},
                  "span": {"class", "data-cluster"}, "ol": {"start"},
                  "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
    return nh3.clean(html, tags=tags, attributes=attributes, link_rel=None,
                     url_schemes={"http", "https", "mailto", "tel", "file"})


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
    if allow_html:
        problems += _dangerous_html(tokens, shown)
    headings: list[Heading] = []
    images: list[Image] = []
    taken: set[str] = set()
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
                    href = child.attrGet("href") or ""
                    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", href, re.I)
                    if scheme and scheme.group(1).lower() not in LINK_SCHEMES:
                        problems.append(Diagnostic(
                            shown, line, f"link '{href[:80]}' uses {scheme.group(1)}:, which a "
                            f"handout may not (allowed: {', '.join(LINK_SCHEMES)})", code="link"))
                        child.attrSet("href", "#")
                if child.type != "image":
                    continue
                src = child.attrGet("src") or ""
                alt = "".join(c.content for c in child.children or ())
                target = (bundle_dir / src).resolve()
                if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or not target.is_relative_to(
                        bundle_dir.resolve()):
                    problems.append(Diagnostic(
                        shown, line, f"image '{src}' must be a file inside the bundle",
                        code="image"))
                elif not target.is_file():
                    problems.append(Diagnostic(
                        shown, line, f"image '{src}' not found in {display_path(bundle_dir, root)}",
                        code="image"))
                elif problem := image_problem(target):
                    problems.append(Diagnostic(shown, line, f"image '{src}' {problem}",
                                               code="image"))
                else:
                    child.attrSet("src", target.as_uri())
                    images.append(Image(target, {lang: alt}))
    clusters = _collect_citations(tokens, lang, source)
    if lang == "zh-Hans":
        _typeset_chinese(tokens)
    parts = _parts(tokens, headings, parser, allow_html)
    html = "".join(part.html for part in parts)
    return Body(lang, path, source, html, tuple(headings), tuple(images),
                tuple(clusters), tuple(parts)), problems


def _parts(tokens, headings: list[Heading], parser, clean: bool) -> list[Part]:
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
        html = parser.renderer.render(tokens[start:end], parser.options, {})
        parts.append(Part(heading, _clean_html(html) if clean else html))
    return parts


def _collect_citations(tokens, lang: str, source: str) -> list[Cluster]:
    """Number the citations and find each one's line and column in SOURCE."""
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
            items = tuple(CiteItem(**item) for item in child.meta["items"])
            clusters.append(Cluster(child.meta["id"], items, child.meta["narrative"], raw,
                                    line, column))
    return clusters
