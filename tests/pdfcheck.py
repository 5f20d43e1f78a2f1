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

    tokens = MarkdownIt("commonmark").use(citations_plugin).parse(source)
    blocks = []
    for token in tokens:
        if token.type == "inline":
            parts = []
            for child in token.children:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
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
