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
_MARKER = re.compile(r"^\[!([A-Za-z-]+)\][ \t]*")
_EMPTY_TITLE = re.compile(r'<p class="callout-title callout-title-([a-z]+)"></p>')


def kind_of(token_content: str) -> str | None:
    """The callout kind a block quote's first paragraph (its source) declares, or None."""
    match = _MARKER.match(token_content)
    if match and match.group(1).lower() in KINDS:
        return match.group(1).lower()
    return None


def transform(tokens) -> list[tuple[int, str]]:
    """Turn every alert block quote of TOKENS into a callout, in place.

    Returns (1-based line, kind) of each callout, in reading order.
    """
    from markdown_it.token import Token

    found = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (token.type == "blockquote_open" and i + 2 < len(tokens)
                and tokens[i + 1].type == "paragraph_open" and tokens[i + 2].type == "inline"):
            inline = tokens[i + 2]
            kind = kind_of(inline.content)
            if kind is not None:
                found.append(((token.map[0] + 1) if token.map else 0, kind))
                _open_callout(tokens, i, kind, Token)
        i += 1
    return found


def _open_callout(tokens, i: int, kind: str, Token) -> None:
    quote, paragraph, inline = tokens[i], tokens[i + 1], tokens[i + 2]
    quote.tag = "div"
    quote.attrs = {"class": f"callout callout-{kind}"}
    depth = 0
    for close in tokens[i + 1:]:  # the matching close becomes </div>
        if close.type == "blockquote_open":
            depth += 1
        elif close.type == "blockquote_close":
            if depth == 0:
                close.tag = "div"
                break
            depth -= 1
    # The marker line: "[!KIND] title" then, after a line break, the first paragraph.
    first_line, _, rest = inline.content.partition("\n")
    title = _MARKER.sub("", first_line).strip()
    children = inline.children or []
    # Drop the marker (and the title) from the inline's children, up to the first break.
    cut = next((k for k, child in enumerate(children) if child.type in ("softbreak",
                                                                       "hardbreak")), None)
    title_children = children[:cut] if cut is not None else children
    body_children = children[cut + 1:] if cut is not None else []
    if title_children and title_children[0].type == "text":
        title_children[0].content = _MARKER.sub("", title_children[0].content)
    if kind == "fineprint":
        title_children = []
    heading = [Token("paragraph_open", "p", 1, attrs={
        "class": f"callout-title callout-title-{kind}" if not title or kind == "fineprint"
        else "callout-title"}, block=True)]
    if title and kind != "fineprint":
        title_inline = Token("inline", "", 0, content=title, children=title_children,
                             map=inline.map)
        heading.append(title_inline)
    heading.append(Token("paragraph_close", "p", -1, block=True))
    if rest.strip():
        inline.content = rest
        inline.children = body_children
        tokens[i + 1:i + 1] = heading
    else:  # nothing after the marker line in this paragraph: it was the title alone
        tokens[i + 1:i + 4] = heading


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
