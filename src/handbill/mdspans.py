"""Where a Markdown text holds what is not prose, per line, as markdown-it parses it.

:func:`protected_spans` gives, for each line (0-based), the character spans that
must be printed exactly as written whatever language the text is turned into:
code blocks and spans, link and image destinations and titles, reference
definitions, autolinks, HTML tags and comments, citation keys and YAML front matter.

The block tokens carry their lines (``.map``); the inline ones do not carry their
columns, so the inline rules that make the pieces above are wrapped to record
where they started and ended in the inline text (``state.pos`` before and after),
and each line of an inline text is found again in its source line (markdown-it
takes off only the block's indentation and markers, ``>`` and ``-``, and the
first line's leading spaces). A line that cannot be found is reported (the caller
leaves it as written).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.rules_inline import StateInline

from .citesyntax import citations_plugin, parse_key

#: Inline rules whose whole match stays as written.
_WHOLE = ("backticks", "autolink", "html_inline")
#: Inline rules of citations: their keys stay, their prefixes and locators are prose.
_CITATIONS = ("citation", "citation_narrative")


@dataclass
class _Recorder:
    """Spans recorded while one inline text is parsed, in that text's offsets."""

    src: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)
    #: (text, offset in src): the label of an image, parsed as a text of its own.
    frames: list[tuple[str, int]] = field(default_factory=list)

    def base(self, state: StateInline) -> int | None:
        for text, offset in reversed(self.frames):
            if state.src is text or state.src == text:
                return offset
        return 0 if state.src == self.src else None

    def add(self, state: StateInline, start: int, end: int) -> None:
        base = self.base(state)
        if base is not None and end > start:
            self.spans.append((base + start, base + end))


def _wrap(md: MarkdownIt, name: str, recorder: _Recorder) -> None:
    rule = next(r for r in md.inline.ruler.__rules__ if r.name == name)
    original = rule.fn

    def wrapped(state: StateInline, silent: bool) -> bool:
        start = state.pos
        label_end, pushed = -1, False
        if name in ("link", "image") and not silent:
            opener = start if name == "link" else start + 1
            if state.src.startswith("!" if name == "image" else "[", start):
                label_end = state.md.helpers.parseLinkLabel(state, opener, name == "link")
            if name == "image" and label_end >= 0:
                base = recorder.base(state)
                if base is not None:
                    recorder.frames.append((state.src[start + 2:label_end], base + start + 2))
                    pushed = True
        try:
            matched = original(state, silent)
        finally:
            if pushed:
                recorder.frames.pop()
        if not matched or silent:
            return matched
        end = state.pos
        if name in _WHOLE:
            recorder.add(state, start, end)
        elif name in ("link", "image") and label_end >= 0:
            after = state.src[label_end + 1:end]
            # An inline link's destination, or a reference's label: [text][ref]. A
            # shortcut [text] or collapsed [text][] reference is its own label: kept whole.
            whole = name == "link" and not after.startswith("(") and after in ("", "[]")
            recorder.add(state, start if whole else label_end, end)
        elif name in _CITATIONS:
            token = state.tokens[-1]
            for item in token.meta["items"]:
                at = start + item["offset"]  # the key's '@'
                found = parse_key(state.src, at + 1)
                if state.src.startswith("@", at) and found is not None:
                    recorder.add(state, at - (1 if state.src.startswith("-@", at - 1) else 0),
                                 found[1])
        return matched

    md.inline.ruler.at(name, wrapped)


def _parser(recorder: _Recorder, blocks: list[tuple[str, int, int]]) -> MarkdownIt:
    md = (MarkdownIt("commonmark", {"html": True, "maxNesting": 100})
          .enable("table").use(citations_plugin))
    md.validateLink = lambda url: True  # every link parsed, whatever its scheme
    for name in (*_WHOLE, *_CITATIONS, "link", "image"):
        _wrap(md, name, recorder)
    reference = next(r for r in md.block.ruler.__rules__ if r.name == "reference").fn

    def references(state, start, end, silent):
        matched = reference(state, start, end, silent)
        if matched and not silent:
            blocks.append(("reference", start, state.line))
        return matched

    md.block.ruler.at("reference", references, {"alt": ["paragraph", "reference"]})
    md.core.ruler.disable("inline")  # each inline text is parsed below, with its recorder
    return md


def _front_matter(lines: list[str]) -> int:
    """How many lines YAML front matter takes at the text's start (``---`` ... ``---``)."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for number in range(1, len(lines)):
        if lines[number].rstrip() in ("---", "..."):
            return number + 1
    return 0


def _find_lines(content: str, lines: list[str], first: int, cursors: dict[int, int]
                ) -> list[tuple[int, int]] | None:
    """For each line of an inline CONTENT: its source line and the column it starts at."""
    found = []
    for index, piece in enumerate(content.split("\n")):
        number = first + index
        if number >= len(lines):
            return None
        line, at = lines[number], cursors.get(number, 0)
        column = line.find(piece, at) if piece else at
        if column < 0:
            stripped = piece.lstrip(" \t")  # a tab in the indentation, given back as spaces
            column = line.find(stripped, at)
            if column < 0 or line[at:column].strip(" \t>-+*.)0123456789#|"):
                return None
            column -= len(piece) - len(stripped)
        cursors[number] = column + len(piece)
        found.append((number, column))
    return found


def protected_spans(text: str) -> tuple[dict[int, list[tuple[int, int]]], tuple[int, ...]]:
    """Per 0-based line of TEXT (lines split at \\n), the spans that are not prose; and
    the 1-based lines whose inline text could not be mapped back (to leave as written)."""
    lines = text.split("\n")
    spans: dict[int, list[tuple[int, int]]] = {}

    def whole(first: int, last: int) -> None:
        for number in range(first, min(last, len(lines))):
            spans.setdefault(number, []).append((0, len(lines[number])))

    matter = _front_matter(lines)
    whole(0, matter)
    source = "\n" * matter + "\n".join(lines[matter:]) if matter else text
    recorder, blocks = _Recorder(), []
    md = _parser(recorder, blocks)
    env: dict = {}
    tokens = md.parse(source, env)
    for kind, first, last in blocks:
        whole(first, last)
    unmapped: set[int] = set()
    cursors: dict[int, int] = {}
    for token in tokens:
        if token.map is None:
            continue
        first, last = token.map
        if token.type in ("fence", "code_block"):
            whole(first, last)
        elif token.type == "html_block":
            for number in range(first, min(last, len(lines))):
                spans.setdefault(number, []).extend(
                    m.span() for m in HTML_TAG_RE.finditer(lines[number]))
        elif token.type == "inline":
            recorder.src, recorder.spans, recorder.frames = token.content, [], []
            md.inline.parse(token.content, md, env, [])
            places = _find_lines(token.content, lines, first, cursors)
            if places is None:
                unmapped.update(range(first + 1, last + 1))
                continue
            starts, offset = [], 0
            for piece in token.content.split("\n"):
                starts.append(offset)
                offset += len(piece) + 1
            for start, end in recorder.spans:
                _place(start, end, starts, places, spans)
    return spans, tuple(sorted(unmapped))


def _place(start: int, end: int, starts: list[int], places: list[tuple[int, int]],
           spans: dict[int, list[tuple[int, int]]]) -> None:
    """Put the inline span START:END (which may run over lines) on its source lines."""
    for index, (number, column) in enumerate(places):
        line_start = starts[index]
        line_end = starts[index + 1] - 1 if index + 1 < len(starts) else None
        lo = max(start, line_start)
        hi = end if line_end is None else min(end, line_end)
        if hi > lo:
            spans.setdefault(number, []).append((column + lo - line_start,
                                                 column + hi - line_start))
