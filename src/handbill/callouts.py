"""Callouts: warning, tip and note boxes, and fine print, written as GitHub alerts.

A block quote whose first line is ``[!KIND]`` (any case), optionally followed by
a title of the author's own, is a callout::

    > [!WARNING] Call 911 right away if
    > - your child is hard to wake

KIND is one of :data:`KINDS`. The quote becomes ``<div class="callout
callout-KIND">`` (tagged as a Div, not a quotation) whose first paragraph is its
title, ``<p class="callout-title">``: the author's, or the layout's word for the
kind in the text's language (``callout-KIND`` in layouts/strings.yaml), filled
in by :func:`fill_titles` when the page is put together. ``FINEPRINT`` is the
disclaimer, copyright and source block: small type, no title, at the end.
Elsewhere (GitHub, Obsidian, a Markdown viewer) the same text shows as a quote or
as the same kind of box.
"""

from __future__ import annotations

import re

KINDS = ("note", "tip", "important", "warning", "caution", "fineprint")
_MARKER = re.compile(r"^\[!([A-Za-z-]+)\](?![(\[])[ \t]*")  # not a link: [!NOTE](url)
_EMPTY_TITLE = re.compile(r'<p class="callout-title callout-title-([a-z]+)"></p>')


def kind_of(token_content: str) -> str | None:
    """The callout kind a block quote's first paragraph (its source) declares, or None."""
    match = _MARKER.match(token_content)
    if match and match.group(1).lower() in KINDS:
        return match.group(1).lower()
    return None


def transform(tokens) -> list[tuple[int, str]]:
    """Turn every alert block quote of TOKENS into a callout, in place (one pass: a text
    of 100,000 callouts costs what 100,000 paragraphs do).

    Returns (1-based line, kind) of each callout, in reading order.
    """
    from markdown_it.token import Token

    found, out, closes = [], [], []  # closes: for each open quote, is it a callout
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "blockquote_close":
            if closes and closes.pop():
                token.tag = "div"
        if (token.type == "blockquote_open" and i + 2 < len(tokens)
                and tokens[i + 1].type == "paragraph_open" and tokens[i + 2].type == "inline"):
            kind = kind_of(tokens[i + 2].content)
            closes.append(kind is not None)
            if kind is not None:
                found.append(((token.map[0] + 1) if token.map else 0, kind))
                token.tag = "div"
                token.attrs = {"class": f"callout callout-{kind}"}
                out.append(token)
                out += _opening(tokens[i + 1], tokens[i + 2], tokens[i + 3], kind, Token)
                i += 4
                continue
        elif token.type == "blockquote_open":
            closes.append(False)
        out.append(token)
        i += 1
    tokens[:] = out
    return found


def _opening(paragraph, inline, paragraph_close, kind: str, Token) -> list:
    """The tokens that open a callout: its title paragraph, then what is left of the
    first paragraph after the marker line (nothing, if the marker line was all of it)."""
    first_line, _, rest = inline.content.partition("\n")
    title = _MARKER.sub("", first_line).strip().rstrip("\\").strip()  # "\\": a hard break
    children = inline.children or []
    cut = next((k for k, child in enumerate(children) if child.type in ("softbreak",
                                                                       "hardbreak")), None)
    title_children = children[:cut] if cut is not None else children
    body_children = children[cut + 1:] if cut is not None else []
    if title_children and title_children[0].type == "text":
        title_children[0].content = _MARKER.sub("", title_children[0].content)
    if kind == "fineprint":  # no title: the words on the marker line are fine print too
        if title:
            inline.content = title + ("\n" + rest if rest.strip() else "")
            inline.children = title_children + ([children[cut]] + body_children
                                                 if cut is not None else [])
            return [paragraph, inline, paragraph_close]
        if not rest.strip():
            return []
        inline.content = rest
        inline.children = body_children
        return [paragraph, inline, paragraph_close]
    own = bool(title)
    heading = [Token("paragraph_open", "p", 1, block=True, attrs={
        "class": "callout-title" if own else f"callout-title callout-title-{kind}"})]
    if own:
        heading.append(Token("inline", "", 0, content=title, children=title_children,
                             map=inline.map))
    heading.append(Token("paragraph_close", "p", -1, block=True))
    if not rest.strip():
        return heading
    inline.content = rest
    inline.children = body_children
    return heading + [paragraph, inline, paragraph_close]


def fill_titles(html: str, strings: dict[str, str]) -> str:
    """HTML with each callout's empty title given the layout's word for its kind
    (``callout-KIND`` in the text language's strings); fine print keeps none."""
    import html as html_module

    def title(match: re.Match) -> str:
        kind = match.group(1)
        if kind == "fineprint":
            return ""
        word = strings.get(f"callout-{kind}", kind.capitalize())
        return f'<p class="callout-title callout-title-{kind}">{html_module.escape(word)}</p>'

    return _EMPTY_TITLE.sub(title, html)
