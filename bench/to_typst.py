"""A handbill bundle as a Typst document that looks like handbill's handout.

A4, margins 20 mm / 23 mm, 12 pt Noto Sans CJK SC, English then Chinese from a
new page, each with its title block, body, references and disclaimer, and the
same page furniture (running title, date, "Page N of M").

The Markdown is parsed with markdown-it-py, handbill's own parser, and walked
as a tree. Every piece of content text is escaped, so no character of it is
ever read as Typst markup. Markdown that has no equivalent here (tables,
images in the body) raises ValueError rather than being dropped silently.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from handbill.render import format_date, load_strings

FONT = "Noto Sans CJK SC"
_PARSER = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
#: Characters with a meaning somewhere in Typst markup; a backslash makes each literal.
_MARKUP = re.compile(r"[\\#*_`$@<>\[\]{}~=+\-/.'\"]")

PREAMBLE = f"""\
#let ink = rgb("#1d2529")
#let muted = rgb("#5b6870")
#let accent = rgb("#0e6e75")
#let accent-soft = rgb("#e3f1ef")
#let rule = rgb("#c9d6d8")
#set page(paper: "a4", margin: (x: 23mm, y: 20mm))
// Line boxes are em boxes: Typst's leading is CSS line-height - 1em, and each
// CSS margin becomes that margin plus the leading (the half-leadings around it).
#set text(font: "{FONT}", size: 12pt, fill: ink, top-edge: 0.88em, bottom-edge: -0.12em)
#set list(marker: text(fill: accent)[•], body-indent: 0.6em)
#set enum(numbering: n => text(fill: accent, weight: "bold", str(n) + "."), body-indent: 0.6em)
#show heading: set text(size: 12.5pt, fill: ink, weight: "bold")
// A section (Markdown '##'): 14.5pt, line-height 1.25, margins 1.1em / 0.4em, a rule above.
#show heading.where(level: 1): it => block(
  width: 100%, above: 18.7pt, below: 10.3pt, inset: (top: 6.2pt, bottom: 1.8pt),
  stroke: (top: 0.75pt + rule), text(size: 14.5pt, fill: accent, it.body))
"""

#: Per language: CSS line-height 1.45 (en) and 1.75 (zh-Hans); paragraphs 0.6em
#: apart, list items 0.3em; and the page number line.
LANGUAGE = {
    "en": ('#set text(lang: "en", font: "{font}", hyphenate: true)\n'
           "#set par(leading: 0.45em, spacing: 1.05em)\n"
           "#set list(spacing: 0.75em)\n#set enum(spacing: 0.75em)",
           "Page #counter(page).display() of #counter(page).final().first()"),
    "zh-Hans": ('#set text(lang: "zh", region: "cn", font: "{font}", hyphenate: false)\n'
                "#set par(leading: 0.75em, spacing: 1.35em)\n"
                "#set list(spacing: 1.05em)\n#set enum(spacing: 1.05em)",
                "第 #counter(page).display() 页，共 #counter(page).final().first() 页"),
}


def escape(text: str) -> str:
    """TEXT as Typst markup that prints exactly TEXT."""
    return _MARKUP.sub(r"\\\g<0>", text)


def string(text: str) -> str:
    """TEXT as a Typst string literal."""
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = text.replace(raw, escaped)
    return f'"{text}"'


def _indent(text: str, width: int) -> str:
    """TEXT with every line but the first indented by WIDTH spaces (a list item's body)."""
    pad = " " * width
    return "\n".join(line if i == 0 or not line else pad + line
                     for i, line in enumerate(text.split("\n")))


def _inline(node: SyntaxTreeNode) -> str:
    parts = []
    for child in node.children:
        kind = child.type
        if kind == "text":
            parts.append(escape(child.content))
        elif kind in ("strong", "em"):
            # A function call, not *...*: it works inside words too. ';' ends the call.
            parts.append(f"#{'strong' if kind == 'strong' else 'emph'}[{_inline(child)}];")
        elif kind == "softbreak":
            parts.append("\n")
        elif kind == "hardbreak":
            parts.append("\\\n")
        elif kind == "code_inline":
            parts.append(f"#raw({string(child.content)});")
        elif kind == "link":
            parts.append(f"#link({string(str(child.attrs['href']))})[{_inline(child)}];")
        else:
            raise ValueError(f"to_typst: no Typst equivalent for Markdown '{kind}'")
    return "".join(parts)


def _list(node: SyntaxTreeNode) -> str:
    # markdown-it hides the paragraphs of a tight list (no blank lines between items).
    tight = all(p.hidden for item in node.children for p in item.children if p.type == "paragraph")
    sep = "\n" if tight else "\n\n"
    start = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else None
    items = []
    for number, item in enumerate(node.children, start or 0):
        marker = "-" if start is None else f"{number}."
        items.append(f"{marker} {_indent(_blocks(item.children, sep), len(marker) + 1)}")
    return sep.join(items)


def _block(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind == "paragraph":
        return _inline(node.children[0])
    if kind == "heading":  # '##' is a section: Typst's level 1 (the title is not a heading)
        return "=" * max(1, int(node.tag[1:]) - 1) + " " + _inline(node.children[0])
    if kind in ("bullet_list", "ordered_list"):
        return _list(node)
    if kind == "blockquote":
        return f"#quote(block: true)[\n{_blocks(node.children)}\n]"
    if kind in ("fence", "code_block"):
        return f"#raw(block: true, {string(node.content.rstrip(chr(10)))})"
    if kind == "hr":
        return "#line(length: 100%, stroke: 0.75pt + rule)"
    raise ValueError(f"to_typst: no Typst equivalent for Markdown '{kind}'")


def _blocks(nodes, sep: str = "\n\n") -> str:
    return sep.join(_block(node) for node in nodes)


def markdown_to_typst(source: str) -> str:
    """A Markdown body (CommonMark, as handbill reads it) as Typst markup."""
    return _blocks(SyntaxTreeNode(_PARSER.parse(source)).children)


def format_reference(csl) -> str:
    """A CSL entry as handbill's reference template prints it (Vancouver style)."""
    authors = ", ".join(f"{a.get('family', '')} {a.get('given', '')}".strip()
                        for a in csl.get("author") or ())
    if csl.get("et-al"):
        authors += ", et al"
    text = f"{authors}. {csl['title']}. "
    journal = csl.get("container-title-short") or csl.get("container-title")
    if journal:
        text += f"{journal}. "
    text += str(csl["issued"]["date-parts"][0][0])
    for key, before, after in (("volume", ";", ""), ("issue", "(", ")"), ("page", ":", "")):
        if csl.get(key):
            text += f"{before}{csl[key]}{after}"
    return text + "."


def _section(bundle, lang: str, first: bool, strings: dict, root: Path) -> str:
    meta, texts = bundle.meta, strings.get(lang, {})
    settings, page_line = LANGUAGE[lang]
    title = meta.title[lang]
    date = format_date(meta.date, texts.get("date-format", "{year}-{month:02}-{day:02}"),
                       texts.get("month-names"))
    out = [] if first else ["#pagebreak(weak: true)"]
    out += [
        settings.format(font=FONT),
        f"#set page(\n  header: context if here().page() > locate(<start-{lang}>).page() "
        f"{{ text(9pt, fill: muted)[{escape(title)}] }},\n"
        f"  footer: context text(9pt, fill: muted)[{escape(date)} #h(1fr) {page_line}])",
        f"#metadata(none) <start-{lang}>",
    ]
    kicker = []
    if meta.category.get(lang):
        kicker.append(f'#text(weight: "bold", tracking: 0.08em, upper[{escape(meta.category[lang])}])')
    kicker.append(escape(date))
    if meta.reading_time.get(lang):
        kicker.append(escape(meta.reading_time[lang]))
    out.append(f"#text(9.5pt, fill: accent)[{' #text(fill: muted)[·] '.join(kicker)}]")
    out.append(f'#block(above: 0.3em, below: 0.3em, text(24pt, weight: "bold")[{escape(title)}])')
    if meta.subtitle.get(lang):
        out.append(f"#block(below: 0.6em, text(14pt, fill: muted)[{escape(meta.subtitle[lang])}])")
    if meta.cover and first:
        path = "/" + meta.cover.path.resolve().relative_to(root.resolve()).as_posix()
        out.append(f"#block(above: 0.8em, below: 0.4em, clip: true, radius: 3mm, image("
                   f"{string(path)}, width: 100%, height: 38mm, fit: \"cover\", "
                   f"alt: {string(meta.cover.alt.get(lang, ''))}))")
    out.append(markdown_to_typst(bundle.bodies[lang].source))
    if bundle.references:
        items = "\n".join(f"{i}. {escape(format_reference(ref.csl))}"
                          for i, ref in enumerate(bundle.references, 1))
        out.append("#block(above: 1.1em)[\n#set text(9.5pt)\n#set par(leading: 0.45em)\n"
                   "#set enum(spacing: 0.75em)\n"
                   "#show heading: set text(size: 12pt)\n"
                   f"= {escape(texts.get('references', 'References'))}\n\n{items}\n]")
    if meta.disclaimer.get(lang):
        out.append("#block(above: 1.2em, width: 100%, inset: (x: 0.9em, y: 0.6em), radius: 2mm, "
                   f"fill: accent-soft, text(9.5pt)[{escape(meta.disclaimer[lang])}])")
    return "\n\n".join(out)


def bundle_to_typst(bundle, root: Path) -> str:
    """The whole bilingual document as Typst source; ROOT is the Typst root folder (the project)."""
    meta = bundle.meta
    strings = load_strings(root)
    title = " · ".join(meta.title[lang] for lang in meta.languages)
    d = meta.date
    head = (f"#set document(title: {string(title)}, "
            f"date: datetime(year: {d.year}, month: {d.month}, day: {d.day}))\n")
    sections = [_section(bundle, lang, i == 0, strings, root) for i, lang in enumerate(meta.languages)]
    return head + PREAMBLE + "\n" + "\n\n".join(sections) + "\n"
