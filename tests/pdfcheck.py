"""Reading PDFs back: structure with pypdf, text with PDFium, source text from Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pypdfium2
from markdown_it import MarkdownIt

MM = 72 / 25.4


def page_sizes(path: Path) -> list[tuple[float, float]]:
    reader = pypdf.PdfReader(path)
    return [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1))
            for p in reader.pages]


def fonts(path: Path) -> dict[str, dict]:
    """Every font the PDF uses: base name -> {embedded, subset, type}."""
    reader = pypdf.PdfReader(path)
    found: dict[str, dict] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for font in (resources.get_object().get("/Font") or {}).values():
            font = font.get_object()
            name = str(font["/BaseFont"])
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[name] = {
                "embedded": embedded,
                "subset": bool(re.match(r"^/[A-Z]{6}\+", name)),
                "type": str(font["/Subtype"]),
            }
    return found


def body_text(path: Path, margin_mm: float = 16) -> list[str]:
    """Each page's text without the page-margin furniture (running header, footer)."""
    pdf = pypdfium2.PdfDocument(str(path))
    texts = []
    for page in pdf:
        width, height = page.get_size()
        textpage = page.get_textpage()
        texts.append(textpage.get_text_bounded(0, margin_mm * MM, width, height - margin_mm * MM))
    return texts


def all_text(path: Path) -> str:
    pdf = pypdfium2.PdfDocument(str(path))
    return "\n".join(page.get_textpage().get_text_range() for page in pdf)


#: A line that is only a list marker (pdfium reads markers after the page's text).
_MARKER_LINE = re.compile(r"^\s*(?:[•◦▪‣·–-]|\d{1,3}[.)]|[a-zA-Z][.)])\s*$")


def reading_text(path: Path) -> str:
    """The text of every page without its running header and footer and list markers.

    A header or footer line is one of the last four lines of a page (pdfium reads
    the page margins last) that, its digits aside, ends two pages or more; so that
    a sentence broken across pages reads on.
    """
    from collections import Counter

    pdf = pypdfium2.PdfDocument(str(path))
    pages = [page.get_textpage().get_text_range().replace("\r\n", "\n").split("\n")
             for page in pdf]

    def shape(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip())

    pages = [[line for line in lines if not _MARKER_LINE.match(line)] for lines in pages]
    edges = Counter(s for lines in pages
                    for s in {shape(line) for line in lines[-4:]})
    running = {s for s, n in edges.items() if n >= 2 and s}
    kept = [line for lines in pages for line in lines if shape(line) not in running]
    return "\n".join(kept)


def squash(text: str) -> str:
    """Text for comparison: hyphenation breaks undone, all white space removed."""
    text = re.sub("\u2010\\s*", "", text)  # a hyphen WeasyPrint added at a line end
    text = text.replace("\u00ad", "")
    # PDFium reports a real hyphen that ends a line as U+FFFE (or \x02 from its
    # bounded-text call), unsure whether it is hyphenation; handbill's added
    # hyphens are U+2010, so these are the source's own.
    text = text.replace("\ufffe", "-").replace("\x02", "-")
    return re.sub(r"\s+", "", text)


def markdown_blocks(source: str, cite=None) -> list[str]:
    """The plain text of each paragraph and heading of a Markdown file.

    A citation becomes CITE(list of keys), or is left out without CITE.
    """
    from handbill.citesyntax import citations_plugin

    from handbill import callouts

    tokens = MarkdownIt("commonmark").enable("table").use(citations_plugin).parse(source)
    callouts.transform(tokens)  # "> [!WARNING]" is a box's kind, not text
    blocks = []
    for token in tokens:
        if token.type == "inline":
            parts = []
            for child in token.children:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append("\n")
                elif child.type == "citation" and cite is not None:
                    parts.append(cite([item["key"] for item in child.meta["items"]]))
            blocks.append("".join(parts))
    return blocks


def vancouver_numbers(*sources: str) -> dict[str, int]:
    """Citation-sequence numbers: each key numbered at its first citation, in reading order."""
    numbers: dict[str, int] = {}
    for source in sources:
        for key in re.findall(r"@([A-Za-z0-9_][\w:.#$%&+?<>~/-]*[A-Za-z0-9_])", source):
            numbers.setdefault(key, len(numbers) + 1)
    return numbers


def sentences(text: str) -> list[str]:
    """Split a block into sentences (English and Chinese full stops)."""
    parts = re.split(r"(?<=[.!?。！？])\s+|(?<=[。！？])", text)
    return [p.strip() for p in parts if p.strip()]


def vancouver_cite(bundle: Path):
    """How a bundle's citations print in Vancouver: (1,2), numbered across both languages."""
    numbers = vancouver_numbers(*((bundle / f"{lang}.md").read_text(encoding="utf-8")
                                  for lang in ("en", "zh-Hans")))
    return lambda keys: "(" + ",".join(str(numbers[k]) for k in keys) + ")"


def printed_fonts(path: Path) -> list[tuple[str, str]]:
    """Each character of the PDF's text with the font that draws it (its name without
    the subset tag), read with PDFium."""
    import ctypes

    import pypdfium2.raw as raw

    found = []
    pdf = pypdfium2.PdfDocument(str(path))
    for page in pdf:
        textpage = page.get_textpage()
        buffer = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        for index in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(textpage, index)
            size = raw.FPDFText_GetFontInfo(textpage, index, buffer, 256, ctypes.byref(flags))
            name = buffer.raw[:max(size - 1, 0)].decode("utf-8", "replace")
            found.append((chr(code), re.sub(r"^[A-Z]{6}\+", "", name)))
    return found


def lang_tags(path: Path) -> set[str]:
    """Every /Lang of the PDF's structure tree (its root element's and each block's)."""
    import pypdf

    reader = pypdf.PdfReader(path)
    found = set()

    def walk(node):
        node = node.get_object()
        if "/Lang" in node:
            found.add(str(node["/Lang"]))
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found
