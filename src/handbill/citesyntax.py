"""Pandoc's citation syntax for markdown-it: ``[@key]``, ``[@a; @b, p. 12]``, ``@key``.

A bracketed citation is a ``citation`` token holding its items; an author-in-text
citation (``@key``, optionally ``@key [p. 12]``) is one with ``narrative`` set.
The raw text is kept: Pandoc's citeproc formats it later, as written.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# Pandoc's keys: start with a letter, digit or _, then letters, digits, _ and
# single internal punctuation; or anything but } inside @{...}.
_KEY = r"(?:\{(?P<braced>[^}]+)\}|(?P<key>[A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&\-+?<>~/](?=[A-Za-z0-9_]))*))"
_ITEM = re.compile(rf"^\s*(?P<prefix>[^@]*?)\s*(?P<minus>-?)@{_KEY}(?P<rest>.*)$", re.S)
_NARRATIVE = re.compile(rf"@{_KEY}(?P<locator>\s?\[[^\[\]@]*\])?")


def _key(match: re.Match) -> str:
    return match.group("braced") or match.group("key")


def parse_items(content: str) -> list[dict] | None:
    """The items of a bracketed citation's content, or None when it is not one."""
    items = []
    for part in content.split(";"):
        match = _ITEM.match(part)
        if not match or "@" in match.group("rest"):
            return None
        items.append({"key": _key(match), "prefix": match.group("prefix").strip(),
                      "suffix": match.group("rest").strip().lstrip(",").strip(),
                      "suppress_author": bool(match.group("minus"))})
    return items


#: The longest a bracketed citation may be (characters).
MAX_CITATION = 2000
_BRACKETS = re.compile(r"\\.|[\[\]]", re.S)


def _closing(state: StateInline) -> dict[int, int]:
    """Each '[' of the inline text and the ']' that closes it (escapes skipped), found in
    one pass and kept for the parse: scanning forward from every '[' anew made a text
    of many '[@' quadratic (20,000 of them took a minute)."""
    cache = state.env.setdefault("handbill-brackets", {})
    found = cache.get(state.src)
    if found is None:
        found, opened = {}, []
        for match in _BRACKETS.finditer(state.src):
            char = match.group()
            if char == "[":
                opened.append(match.start())
            elif char == "]" and opened:
                found[opened.pop()] = match.start()
        cache[state.src] = found
    return found


def _bracketed(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if src[start] != "[" or "@" not in src[start:start + 200]:
        return False
    end = _closing(state).get(start)
    if end is None or end >= state.posMax or end - start > MAX_CITATION:
        return False
    if end + 1 < len(src) and src[end + 1] in "([":  # a link: [@x](url) or [@x][ref]
        return False
    items = parse_items(src[start + 1:end])
    if not items:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"items": items, "narrative": False, "raw": src[start:end + 1]}
    state.pos = end + 1
    return True


def _narrative(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if src[start] != "@":
        return False
    if start > 0 and (src[start - 1].isascii() and (src[start - 1].isalnum() or src[start - 1] in "_@.")):
        return False  # an e-mail address, not a citation
    match = _NARRATIVE.match(src, start)
    if not match:
        return False
    if not silent:
        locator = (match.group("locator") or "").strip()[1:-1].strip()
        token = state.push("citation", "", 0)
        token.meta = {"items": [{"key": _key(match), "prefix": "", "suffix": locator,
                                 "suppress_author": False}],
                      "narrative": True, "raw": match.group(0)}
    state.pos = match.end()
    return True


def citations_plugin(md: MarkdownIt) -> None:
    """Add the citation rules; a citation renders as a placeholder the citations stage fills."""
    md.inline.ruler.before("link", "citation", _bracketed)
    md.inline.ruler.push("citation_narrative", _narrative)

    def render(self, tokens, index, options, env):
        return f'<span class="citation" data-cluster="{tokens[index].meta["id"]}"></span>'

    md.add_render_rule("citation", render)
