"""Citation syntax: handbill finds the citations Pandoc's Markdown reader finds, with the
same keys, in the same order, in the same modes (author in text, author suppressed).

The reference is the bundled Pandoc itself (``-f markdown-raw_tex -t json``), on a list of
tricky texts and on generated ones.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from handbill.markdown import make_parser
from handbill.pandoc import pandoc_path

_PARSER = make_parser()


def pandoc_citations(texts: list[str]) -> list[list[tuple[str, str]]]:
    """Each text's citations as Pandoc reads them: (key, mode), in the order written
    (a citation inside another's prefix or suffix where it stands)."""
    source = "".join(f"::: {{#case-{i}}}\n{text}\n:::\n\n" for i, text in enumerate(texts))
    # Raw TeX off: handbill's Markdown has none (\\foo is text), and Pandoc formats
    # handbill's citations with it off too.
    result = subprocess.run([pandoc_path(), "-f", "markdown-raw_tex", "-t", "json"], input=source,
                            capture_output=True, text=True, check=True, timeout=60)
    found: list[list[tuple[str, str]]] = [[] for _ in texts]

    def walk(node, into):
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                for citation in node["c"][0]:
                    walk(citation["citationPrefix"], into)
                    into.append((citation["citationId"], citation["citationMode"]["t"]))
                    walk(citation["citationSuffix"], into)
                return
            if node.get("t") == "Div" and node["c"][0][0].startswith("case-"):
                walk(node["c"][1], found[int(node["c"][0][0][5:])])
                return
            for value in node.values():
                walk(value, into)
        elif isinstance(node, list):
            for value in node:
                walk(value, into)

    walk(json.loads(result.stdout)["blocks"], [])
    return found


def handbill_citations(text: str) -> list[tuple[str, str]]:
    """TEXT's citations as handbill's parser reads them, in Pandoc's terms."""
    found = []
    for token in _PARSER.parse(text):
        for child in token.children or ():
            if child.type != "citation":
                continue
            for index, item in enumerate(child.meta["items"]):
                if item["suppress_author"]:
                    mode = "SuppressAuthor"
                elif (child.meta["narrative"] and index == 0) or item.get("in_text"):
                    mode = "AuthorInText"
                else:
                    mode = "NormalCitation"
                found.append((item["key"], mode))
    return found


TRICKY = [
    # an emphasis opened by a '_' before a line break closes before the '@' (found by the
    # generated test): no citation; with a space after the '_', it opens nothing
    "_\n and @@:2016_@https://x.org/a", "_\n and 2016_@key", "_ and 2016_@key",
    "*\nand 2016*@key",
    # keys as Manubot writes them, and Pandoc's own examples
    "[@url:https://www.who.int/x/y.pdf]", "[@doi:10.1111/dom.14057]",
    "See @url:https://www.who.int/x/y.pdf.", "@Foo_bar.baz.", "@{Foo_bar.baz.}", "@Foo_bar--baz",
    "@{https://example.org/a,b}", "[@{https://example.org/a,b}, p. 3]",
    "[@{https://example.com/bib?name=foobar&date=2000}, p.  33]",
    # trailing punctuation after an author-in-text key
    "@key, says", "@key: says", "@key; says", "@key's", "@key.", "(@key)",
    # internal punctuation
    "@a:b:c", "@a::b", "@a//b", "@a:/b", "@a//", "@a://b", "@a.-b", "@a/-b", "@a:?b",
    "@a%b", "@a<b", "@a>b", "@a~b", "@a?b", "@a+b", "@a&b", "@a$b", "@a#b", "@a-b.c_d",
    "@_a", "@1a", "@键", "@*", "@-a", "@{}", "@{ a}", "@{a b}", "@{a{b}c}", "@{a{b}",
    "@{a;b} x", "[@{a;b}; @c]", "[@{a]b}]",
    # not citations: e-mail addresses, escapes, after a word
    "a@b.com", "write to x.y@example.org.", "\\@key", "研究@hu2016表明", "研究 @hu2016 表明",
    "e.g.@key", "x.@key", "a..@key", "x...@key", "x....@key", "\\.@key", "½@key", "²@key",
    "*x*@key", "**x**@key", "__x__@key", "a*@key", "x_@key", "_@key", "x'@key", "'@key",
    '"@key"', "x—@key", "x,@key", "a-@key", "x -@key", "`@key`", "@key@other", "@a.b@c",
    "a@@key",
    # bracketed citations: prefixes, locators, suffixes, suppressed authors
    "[see @a, p. 3; -@b]", "[@a;@b]", "[@a; b]", "[@a;]", "[@a; ]", "[;@a]", "[@a;;@b]",
    "[-@a]", "[- @a]", "[see -@a]", "[see-@a]", "[@a-]", "@a]", "]@a", "[[@a]]", "[x [@a]]",
    "[@a [p. 1]]", "[@a, p. 3 [x]]", "[see a@b.com @c]", "[x@y.z @a]", "[@a\\; b]",
    "[@rangappa2003; @tang2013]", "[@hu2016, p. 12]", "[see @hu2016]", "[-@hu2016]",
    "[@a, pp. 33-35 and *passim*; @b, chap. 1]",
    # links and spans are not citations
    "[@a](http://x)", "[@a][b]", "[@a]{.x}", "[@a]{x}", "[@a] (x)", "[@a] [x]",
    # author-in-text with what follows
    "@key [p. 3] says", "@a [p. 3](x)", "@a [p. 3]{.x}", "@a [p. 3] [x]", "@a [^x]",
    "@a [p. 3; @b]", "@a [@b; @c]", "@a [p. 3, @b]", "@a   [p. 3]", "@a\\[p. 3]",
    "@a\n[p. 3]", "-@a [p. 3]",
    # a citation in another's locator: Pandoc nests it (handbill says so, see below)
    "[@a @b]", "[@a, @b]", "[@a @b; @c]", "[@a@b]", "[@a, @b@c]", "[@a, see [@b]]",
    "[[@b] @a]", "[@a [x; y]]", "[@a, *x*]", "[@a, *x]", "[@a, _]", "[@a][", "[@a](x y z)",
    "[@a](<x y>)", "@_a_ and _x_@b",
]


def test_tricky_citations_are_read_as_pandoc_reads_them():
    # Each after a word: at a line's start, "(@key)" and "@key." are Pandoc's example
    # list labels (and every @key of the document then a reference to one).
    texts = [f"Text {text}" for text in TRICKY]
    expected = pandoc_citations(texts)
    differ = [(text, handbill_citations(text), want)
              for text, want in zip(texts, expected) if handbill_citations(text) != want]
    assert not differ, differ
    # the cases named in the manual and the issue, spelled out
    by_text = dict(zip(TRICKY, expected))
    assert by_text["[@url:https://www.who.int/x/y.pdf]"] == [
        ("url:https://www.who.int/x/y.pdf", "NormalCitation")]
    assert by_text["See @url:https://www.who.int/x/y.pdf."] == [
        ("url:https://www.who.int/x/y.pdf", "AuthorInText")]
    assert by_text["@{https://example.org/a,b}"] == [("https://example.org/a,b", "AuthorInText")]
    assert by_text["a@b.com"] == [] and by_text["\\@key"] == []
    assert by_text["[see @a, p. 3; -@b]"] == [("a", "NormalCitation"), ("b", "SuppressAuthor")]


def test_a_citation_items_prefix_and_locator():
    items = next(child.meta["items"] for token in _PARSER.parse("[see @a, p. 3; -@b]")
                 for child in token.children or () if child.type == "citation")
    assert [(i["prefix"], i["key"], i["suffix"], i["suppress_author"]) for i in items] == [
        ("see", "a", "p. 3", False), ("", "b", "", True)]
    narrative = next(child.meta for token in _PARSER.parse("@a [p. 3] says")
                     for child in token.children or () if child.type == "citation")
    assert narrative["raw"] == "@a [p. 3]" and narrative["items"][0]["suffix"] == "p. 3"


# Texts made of the pieces that decide what a citation is. Left out: what Pandoc's
# Markdown and CommonMark read differently apart from citations (TeX math with $,
# raw HTML with <, subscripts with ~, block syntax at a line's start).
PIECES = st.sampled_from([
    "@", "@", "@", "-@", "[", "]", "[", "]", ";", "; ", ",", ", ", " ", " ", "{", "}", "a", "Hu",
    "2016", "_", ".", "..", ":", "/", "//", "-", "--", "#", "?", "+", "%", "&", "p. 3", "see ",
    "键", "研究", "\\", "'", "*", "x@y.com", "https://x.org/a", "doi:10.1/x", "url:", "é", "\n",
])


# The same texts every run (conftest's profile; HYPOTHESIS_PROFILE=explore draws new ones).
# A random draw found '*..@*@键' on 2026-12-02 (a '*' after '@' was taken for a key's): kept
# as an example.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(["'*..@*@键", "*.@*@key", "**.@**@key", "@*x*", "*a @*@key", "@_key_ x"] + ["@"] * 19)
@given(st.lists(st.lists(PIECES, min_size=1, max_size=14).map("".join), min_size=25,
                max_size=25))
def test_generated_citations_are_read_as_pandoc_reads_them(texts):
    # each text stands in a paragraph after a word: nothing at a line's start reads as
    # a list, a heading or a definition in either syntax
    # (left out: a ']' right before a key, "[x]@a ]", which Pandoc reads as one citation
    # whose prefix holds the ']')
    texts = ["Text " + text.replace("\n", "\nand ") for text in texts
             if not re.search(r"\]-?@", text)]
    expected = pandoc_citations(texts)
    for text, want in zip(texts, expected):
        assert handbill_citations(text) == want, text


@pytest.mark.parametrize("text,column", [("Both [@a, @b].", 11), ("Both [@a @b; @c].", 10)])
def test_citation_in_anothers_locator_is_an_error_at_it(tmp_path, text, column):
    # Pandoc reads '@b' as part of '@a''s locator and prints it alone: "(2)", '@a' lost
    from handbill.markdown import parse_body

    path = tmp_path / "en.md"
    _, problems = parse_body("en", path, f"## Heading\n\n{text}\n", tmp_path, tmp_path)
    assert [(p.path, p.line, p.column, p.message) for p in problems] == [
        ("en.md", 3, column, f"'@b' stands in the locator of '@a' in {text[5:-1]}: Pandoc "
         "would print it in place of '@a'")]
    assert problems[0].hint == "separate the references with ';': [@a; @b]"
