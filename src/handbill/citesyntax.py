"""Pandoc's citation syntax for markdown-it: ``[@key]``, ``[@a; @b, p. 12]``, ``@key``.

A bracketed citation is a ``citation`` token holding its items; an author-in-text
citation (``@key``, optionally ``@key [p. 12]`` or ``@key [@b; @c]``) is one with
``narrative`` set. The raw text is kept: Pandoc's citeproc formats it later, as written.

What is a citation, and what its key is, follows Pandoc's Markdown reader exactly
(``citeKey`` in Text.Pandoc.Parsing.Citations, ``cite`` in Text.Pandoc.Readers.Markdown;
tests/test_citesyntax.py compares the two on listed and generated texts):

- a key starts with a letter, a digit, ``_`` (or ``*``, Pandoc's wildcard) and goes
  on with letters, digits and ``_``; one of ``:.#$%&-+?<>~/`` belongs to it only when
  a letter, digit or ``_`` follows (``@Foo.bar.`` is ``Foo.bar``), ``:`` or ``/``
  also when ``/`` follows (``@url:https://who.int/x``); letters and digits are
  Unicode's (a Chinese character is one);
- ``@{...}`` holds any characters but white space, with balanced braces;
- an ``@`` right after a letter or digit, a lone full stop or a closing emphasis
  (``a@b.com``, ``e.g.@x``, ``*x*@y``) starts no citation, nor does an escaped ``\\@``;
- ``[...]`` is a citation when its content is items separated by ``;``, each a
  prefix, a key and a suffix, and it is not followed by ``(``, ``[`` or ``{.attr}``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

#: Characters that belong to a key only between two of its letters, digits or '_'.
INTERNAL_PUNCTUATION = ":.#$%&-+?<>~/"


def _alnum(char: str) -> bool:
    """Haskell's isAlphaNum: Unicode's letters (L*) and numbers (N*)."""
    return unicodedata.category(char)[0] in "LN"


def _regular(char: str) -> bool:
    return char == "_" or _alnum(char)


def _space(char: str) -> bool:
    """Haskell's isSpace."""
    return char in " \t\n\r\f\v\xa0" or unicodedata.category(char) == "Zs"


def parse_key(text: str, pos: int) -> tuple[str, int] | None:
    """The key that starts at TEXT[POS] (just after the '@') and where it ends, or None."""
    n = len(text)
    if pos >= n:
        return None
    if text[pos] == "{":
        end = _braces(text).get(pos)
        return None if end is None else (text[pos + 1:end], end + 1)
    if not (_regular(text[pos]) or text[pos] == "*"):
        return None
    end = pos + 1
    while end < n:
        char = text[end]
        following = text[end + 1] if end + 1 < n else ""
        if _regular(char) or (char in INTERNAL_PUNCTUATION and following and _regular(following)) \
                or (char in ":/" and following == "/"):
            end += 1
        else:
            break
    return text[pos:end], end


@lru_cache(maxsize=16)
def _braces(text: str) -> dict[int, int]:
    """Each '{' of TEXT and the '}' that closes it with no white space between, found
    in one pass (looking for each one's anew made a text of many '@{' quadratic)."""
    found, opened = {}, []
    if "{" not in text:
        return found
    for index, char in enumerate(text):
        if char == "{":
            opened.append(index)
        elif char == "}":
            if opened:
                found[opened.pop()] = index
        elif _space(char):
            opened.clear()
    return found


def _escaped(text: str, pos: int) -> bool:
    """Whether TEXT[POS] is escaped by a backslash (an odd number of them before it;
    letters, digits and line ends are not escapable)."""
    if _alnum(text[pos]) or text[pos] == "\n":
        return False
    count = 0
    while pos - count - 1 >= 0 and text[pos - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _after_string(text: str, pos: int, depth: int = 0) -> bool:
    """Whether TEXT[POS] comes right after a word, as Pandoc's notAfterString says: a
    letter or digit, a full stop that is not part of an ellipsis (...), or a
    closing emphasis (*x*, __x__)."""
    if pos == 0:
        return False
    char = text[pos - 1]
    if _escaped(text, pos - 1):
        return False  # an escaped character is not a word's
    if _alnum(char):
        # Pandoc's exampleRef: an '@' that starts no citation takes the letters and digits
        # after it (with single '-' or '_' before them) as an example's label, which is
        # no word: a@b@c cites c.
        start = pos - 1
        while start > 0 and (_alnum(text[start - 1]) or text[start - 1] in "-_"):
            start -= 1
        at = start - 1
        if at < 0 or text[at] != "@" or _escaped(text, at) or depth > 20 or any(
                text[i] in "-_" and text[i + 1] in "-_" for i in range(start, pos - 1)):
            return True
        found = (text[at - 1] == "-" and cite_start(text, at - 1, depth=depth + 1) if at else None
                 ) or cite_start(text, at, depth=depth + 1)
        return found is not None and found[2] != pos  # right after a citation is no word
    if char == ".":
        run = 0
        while pos - run - 1 >= 0 and text[pos - run - 1] == "." and not _escaped(text, pos - run - 1):
            run += 1
        return run % 3 != 0  # "..." is an ellipsis; a full stop left over is a word's
    if char in "*_":
        return _closes_emphasis(text, pos - 1)
    return False


_RUNS = {"*": re.compile(r"\*+"), "_": re.compile("_+")}


def _closes_emphasis(text: str, last: int) -> bool:
    """Whether the run of '*' or '_' that ends at TEXT[LAST] closes an emphasis, as
    Pandoc's reader has it: a run closes the one open before it, whatever precedes it;
    one followed by a non-space opens (a '_' not inside a word). An approximation of
    its parse (run lengths and nesting are not weighed)."""
    return last in _closers(text, text[last])


@lru_cache(maxsize=32)
def _closers(text: str, char: str) -> frozenset[int]:
    """The last index of each run of CHAR in TEXT that has an emphasis open before it
    (see _closes_emphasis), found in one pass."""
    found: set[int] = set()
    _emphasis(text, char, found=found)
    return frozenset(found)


def _emphasis(text: str, char: str, keys=(), found: set[int] | None = None) -> int:
    """How many emphases of CHAR are open at TEXT's end (the runs inside KEYS, spans,
    are a key's); FOUND gets the last index of each run that closes one. As Pandoc:
    a run of one, two or three opens when a non-space follows (a '_' not inside a
    word); one closes an open run of as many or fewer (any, for three); more than
    three are text."""
    opened: list[int] = []
    for match in _RUNS[char].finditer(text):
        start, length = match.start(), match.end() - match.start()
        if _escaped(text, start) or (char == "_" and text[start - 1:start] == "@") or any(
                a <= start < b for a, b in keys):
            continue  # escaped, or a key's (@_x: a key may start with '_', never with '*')
        before = text[start - 1] if start else " "
        after = text[match.end()] if match.end() < len(text) else " "
        if opened and (length >= opened[-1] or opened[-1] == 3) and (
                char == "*" or not _alnum(after)):
            opened.pop()
            if found is not None:
                found.add(match.end() - 1)
        # An opener is not followed by a space or a tab (Pandoc's spaceChar): a line
        # break after it still opens one ("_\n and 2016_@key" cites nothing).
        elif length <= 3 and (after == "\n" or not _space(after)) and (
                char == "*" or not _alnum(before)):
            opened.append(length)
    return len(opened)


def cite_start(text: str, pos: int, after_citation: bool = False, depth: int = 0
               ) -> tuple[bool, str, int] | None:
    """A citation key at TEXT[POS] ('@key' or '-@key'): (author suppressed, key, end).
    AFTER_CITATION: TEXT[POS] follows a citation's end (not a word, though a key's
    last character is one)."""
    if (not after_citation and _after_string(text, pos, depth)) or _escaped(text, pos):
        return None
    minus = text.startswith("-@", pos)
    if not minus and not text.startswith("@", pos):
        return None
    if minus:  # Pandoc reads a run of '-' as dashes, '---' then '--': which '-' is left?
        run = 1
        while pos - run >= 0 and text[pos - run] == "-" and not _escaped(text, pos - run):
            run += 1
        if run % 3 != 1:
            return None
    found = parse_key(text, pos + 1 + minus)
    return None if found is None else (minus, *found)


def place(raw: str, line: int, column: int, offset: int) -> tuple[int, int]:
    """The line and column of RAW[OFFSET], for a citation RAW written at LINE:COLUMN."""
    before = raw[:offset]
    if "\n" not in before:
        return line, column + offset
    return line + before.count("\n"), offset - before.rfind("\n")


def _shifted(closing, base: int):
    """CLOSING (a '[''s position -> its ']') for the text from BASE on."""
    def shifted(pos: int) -> int | None:
        close = closing(pos + base)
        return None if close is None else close - base
    return shifted


#: What the scan of a citation's items stops at: all else is text.
_NEXT = re.compile(r"[\\\[;@-]")


def parse_items(content: str, depth: int = 0, closing=None) -> list[dict] | None:
    """The items of a bracketed citation's CONTENT (what stands between its brackets),
    or None when it is not one. A citation standing in an item's suffix (``[@a, @b]``,
    where ';' was meant) is listed as an item marked ``nested``: Pandoc makes it part
    of the suffix and drops the item it stands in."""
    items: list[dict] = []
    keys: list[tuple[int, int]] = []
    closing = closing or _pairs(content).get  # each '[' at POS: its ']', or None
    pos, n = 0, len(content)

    def inner(pos: int) -> int:
        """Past the brackets at POS, which Pandoc reads as one (a link, or text); a
        citation in them is another's, nested."""
        close = closing(pos)
        if depth < 2:
            for item in parse_items(content[pos + 1:close], depth + 1,
                                    _shifted(closing, pos + 1)) or ():
                items.append({**item, "offset": pos + 1 + item["offset"], "nested": True})
        return close + 1

    def skipped(pos: int) -> int | None:
        """Past what at POS is no citation's start: an escape, or brackets (see inner)."""
        if content[pos] == "\\":
            return pos + 2
        if content[pos] == "[" and closing(pos) is not None:
            return inner(pos)
        return None

    while True:
        start, found = pos, None
        while pos < n:
            char = content[pos]
            if (after := skipped(pos)) is not None:
                pos = after
                continue
            if char == ";":
                return None  # a prefix ends at a key
            found = cite_start(content, pos) if char in "@-" else None
            if found is not None:
                break
            following = _NEXT.search(content, pos + 1)
            pos = following.start() if following else n
        if found is None:
            return None
        minus, key, end = found
        keys.append((pos, end))
        item = {"key": key, "prefix": content[start:pos].strip(), "suppress_author": minus,
                "offset": pos + minus}
        items.append(item)
        pos = suffix_start = last = end
        while pos < n and content[pos] != ";":
            char = content[pos]
            if (after := skipped(pos)) is not None:
                pos = after
                continue
            nested = cite_start(content, pos, pos == last) if char in "@-" else None
            if nested is not None:
                items.append({"key": nested[1], "prefix": "", "suppress_author": nested[0],
                              "offset": pos + nested[0], "nested": True, "in_text": True})
                keys.append((pos, nested[2]))
                pos = last = nested[2]
                continue
            following = _NEXT.search(content, pos + 1)
            pos = following.start() if following else n
        item["suffix"] = content[suffix_start:pos].strip().lstrip(",").strip()
        if pos >= n:
            # an emphasis opened in a prefix or suffix and not closed there takes the ']'
            # into it, and there is no citation
            return None if left_open(content + "]", keys) else items
        pos += 1


def left_open(text: str, keys: list[tuple[int, int]] = ()) -> bool:
    """Whether an emphasis ('*' or '_', see _emphasis) opened in TEXT is still open at
    its end; the runs inside KEYS (spans) are a key's."""
    return any(_emphasis(text, char, keys) for char in "*_")


#: The longest a bracketed citation may be (characters).
MAX_CITATION = 2000
# (a bracket in a braced key, @{a]b}, is the key's)
_BRACKETS = re.compile(r"\\.|@\{[^\s{}]*\}|[\[\]]", re.S)
#: Pandoc's attributes ({#id .class key=value}): a bracketed span, not a citation.
_ATTRIBUTES = re.compile(r"\{\s*(?:(?:[#.][^\s{}]+|[\w-]+=(?:\"[^\"]*\"|[^\s{}\"]+))\s*)+\}")


@lru_cache(maxsize=64)
def _pairs(text: str) -> dict[int, int]:
    """Each '[' of TEXT and the ']' that closes it (escapes and braced keys skipped)."""
    found, opened = {}, []
    for match in _BRACKETS.finditer(text):
        char = match.group()
        if char == "[":
            opened.append(match.start())
        elif char == "]" and opened:
            found[opened.pop()] = match.start()
    return found


def _closing(state: StateInline) -> dict[int, int]:
    """Each '[' of the inline text and the ']' that closes it (escapes skipped), found in
    one pass and kept for the parse: scanning forward from every '[' anew made a text
    of many '[@' quadratic (20,000 of them took a minute)."""
    cache = state.env.setdefault("handbill-brackets", {})
    found = cache.get(state.src)
    if found is None:
        found = cache[state.src] = _pairs(state.src)
    return found


#: A link's destination, as Pandoc reads one: (url), (<url>), (url "title"), even
#: (words with spaces): parentheses, balanced.
_DESTINATION = re.compile(r"\((?:[^()]|\([^()]*\))*\)")


def _link_follows(state: StateInline, pos: int) -> bool:
    """Whether what follows a ']' at POS - 1 makes the brackets a link, a reference
    link or a span: a destination, a [label], or {attributes}."""
    src = state.src
    return (bool(_DESTINATION.match(src, pos)) or (src.startswith("[", pos) and pos in
            _closing(state)) or bool(_ATTRIBUTES.match(src, pos)))


def _brackets(state: StateInline, start: int) -> tuple[int, str] | None:
    """The ']' closing the '[' at START and what stands between, if within the limit."""
    end = _closing(state).get(start)
    if end is None or end >= state.posMax or end - start > MAX_CITATION:
        return None
    return end, state.src[start + 1:end]


def _bracketed(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if src[start] != "[":
        return False
    found = _brackets(state, start)
    if found is None or "@" not in found[1]:
        return False
    end, content = found
    if _link_follows(state, end + 1):  # a link: [@x](url) or [@x][ref], or a span [@x]{.y}
        return False
    items = parse_items(content, closing=_shifted(_closing(state).get, start + 1))
    if not items:
        return False
    if not silent:
        for item in items:
            item["offset"] += 1
        token = state.push("citation", "", 0)
        token.meta = {"items": items, "narrative": False, "raw": src[start:end + 1]}
    state.pos = end + 1
    return True


def _spnl(src: str, pos: int, limit: int) -> int:
    """Past Pandoc's spnl at POS: spaces, at most one line break, spaces."""
    while pos < limit and src[pos] in " \t":
        pos += 1
    if pos < limit and src[pos] == "\n":
        pos += 1
        while pos < limit and src[pos] in " \t":
            pos += 1
    return pos


def _narrative(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if src[start] not in "@-":
        return False
    after = (not state.pending and bool(state.tokens) and state.tokens[-1].type == "citation")
    found = cite_start(src, start, after)
    if found is None or found[2] > state.posMax:
        return False
    minus, key, end = found
    items = [{"key": key, "prefix": "", "suffix": "", "suppress_author": minus,
              "offset": int(minus)}]
    # What Pandoc reads after it: [@b; @c] (more items) or [p. 12] (its locator).
    bracket = _spnl(src, end, state.posMax)
    found = _brackets(state, bracket) if src.startswith("[", bracket) else None
    if found is not None:
        close, content = found
        more = parse_items(content, closing=_shifted(_closing(state).get, bracket + 1))
        if more and not _link_follows(state, close + 1):
            for item in more:
                item["offset"] += bracket + 1 - start
            items += more
            end = close + 1
        elif not content.startswith("^") and not src.startswith(("[", "(", "{"), close + 1):
            head, semicolon, tail = content.partition(";")
            rest = parse_items(tail) if semicolon else []
            nested = any(cite_start(head, i) for i in range(len(head)) if head[i] in "@-")
            if rest is not None and not nested and not left_open(head + "]"):
                items[0]["suffix"] = head.strip()
                for item in rest:
                    item["offset"] += bracket + 1 + len(head) + 1 - start
                items += rest
                end = close + 1
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"items": items, "narrative": True, "raw": src[start:end]}
    state.pos = end
    return True


def citations_plugin(md: MarkdownIt) -> None:
    """Add the citation rules; a citation renders as a placeholder the citations stage fills."""
    md.inline.ruler.before("link", "citation", _bracketed)
    md.inline.ruler.push("citation_narrative", _narrative)

    def render(self, tokens, index, options, env):
        return f'<span class="citation" data-cluster="{tokens[index].meta["id"]}"></span>'

    md.add_render_rule("citation", render)
