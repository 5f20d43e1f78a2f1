"""Images a document prints, checked before anything is rendered: limits, decoding, SVG.

Every image is held to the same limits wherever it comes from (a bundle's
text, its cover, the site's logo, an image an SVG embeds, by file or as a
``data:`` URL): at most :data:`MAX_IMAGE_BYTES` and :data:`MAX_IMAGE_PIXELS`,
and a raster image must decode to its end (a PNG or JPEG cut short prints
half black). An SVG may embed only files inside its bundle and ``data:``
images, each checked the same way, and never itself.
"""

from __future__ import annotations

import base64
import io
import re
import xml.parsers.expat
from pathlib import Path
from urllib.parse import unquote

from . import guard
from .errors import ContentError, Diagnostic, display_path

#: Images larger than this, in bytes or in pixels, are refused.
MAX_IMAGE_BYTES = 20_000_000
MAX_IMAGE_PIXELS = 40_000_000
#: How deep SVG files may embed one another.
MAX_SVG_DEPTH = 8
_SVG_NS = "http://www.w3.org/2000/svg"
_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]+)")


def raster_problem(data: bytes) -> str | None:
    """Why DATA is not a raster image handbill can print (too many pixels, not an
    image, cut short), or None."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError):
        return "is not an image handbill can read (SVG, PNG, JPEG, GIF, WebP)"
    with image:
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            return f"has {width}x{height} pixels, more than the {MAX_IMAGE_PIXELS:,} allowed"
        if image.format == "JPEG":  # decoded at an eighth of its size: all of it, quickly
            image.draft(image.mode, (max(width // 8, 1), max(height // 8, 1)))
        # WeasyPrint, once imported, sets Pillow's LOAD_TRUNCATED_IMAGES for the whole
        # process (its images module): a cut-short image would then decode as if whole,
        # its missing rows grey. Decoded here with it off (renders are one at a time).
        from PIL import ImageFile

        lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:
            image.load()
        except (OSError, SyntaxError, ValueError):
            return "is damaged or cut short: it does not decode"
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return None


def image_problems(path: Path, root: Path, within: Path | None = None,
                   _chain: tuple[Path, ...] = ()) -> tuple[str | None, list[Diagnostic]]:
    """Why the image file PATH cannot be printed (said of the file, for its caller to
    locate), and the problems inside it (an SVG's, each at its own line). Files an
    SVG embeds must lie in WITHIN (its bundle; by default, its folder)."""
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return f"is {size:,} bytes, more than the {MAX_IMAGE_BYTES:,} allowed", []
    try:
        data = guard.read_bytes(path, root)
    except ContentError as error:
        return error.diagnostics[0].message, []
    if path.suffix.lower() == ".svg" or data.lstrip()[:5] in (b"<?xml", b"<svg ", b"<svg>"):
        return _svg_problems(path, data, root, (within or path.parent).resolve(),
                             _chain + (path.resolve(),))
    return raster_problem(data), []


def _svg_problems(path: Path, data: bytes, root: Path, bundle: Path, chain: tuple[Path, ...]
                  ) -> tuple[str | None, list[Diagnostic]]:
    """An SVG file's own problem (not SVG), and those of what it embeds, at their lines."""
    references: list[tuple[int, str]] = []
    root_tag: list[str] = []

    def start(name: str, attributes: dict) -> None:
        if not root_tag:
            root_tag.append(name)
        line = parser.CurrentLineNumber
        for key, value in attributes.items():
            if key.rpartition(" ")[2] == "href" and not value.startswith("#"):
                references.append((line, value))
            elif "url(" in value:
                references.extend((line, url) for url in _URL.findall(value)
                                  if not url.startswith("#"))

    def text(content: str) -> None:  # <style> sheets: their url()s
        if "url(" in content:
            references.extend((parser.CurrentLineNumber, url) for url in _URL.findall(content)
                              if not url.startswith("#"))

    external: list[tuple[int, str]] = []

    def entity(name, is_parameter, value, base, system_id, public_id, notation) -> None:
        if system_id or public_id:  # XXE: an entity whose text would be another file's
            external.append((parser.CurrentLineNumber, name))

    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        return f"is not a valid SVG file ({xml.parsers.expat.ErrorString(error.code)}: line " \
               f"{error.lineno}, column {error.offset})", []
    if not root_tag or root_tag[0] not in (f"{_SVG_NS} svg", "svg"):
        return "is not an SVG image", []
    problems = [Diagnostic(display_path(path, root), line, f"the entity '{name}' names another "
                           "file, whose text an SVG may not hold", code="image")
                for line, name in external]
    for line, reference in references:
        problem, inside = _embedded_problem(reference, path, bundle, root, chain)
        if problem is not None:
            shown = reference if len(reference) <= 40 else reference[:40] + "…"
            problems.append(Diagnostic(display_path(path, root), line,
                                       f"the image '{shown}' it embeds {problem}", code="image"))
        problems += [p for p in inside if p not in problems]
    return None, problems


def _embedded_problem(reference: str, svg: Path, bundle: Path, root: Path,
                      chain: tuple[Path, ...]) -> tuple[str | None, list[Diagnostic]]:
    """Why the image an SVG embeds (a file name or a data: URL) cannot be printed, and the
    problems inside it when it is an SVG file (at their own lines)."""
    problem = _embedded_data_or_name(reference, svg, bundle, root, chain)
    if problem is not None or reference.lower().startswith("data:"):
        return problem, []
    return image_problems((svg.parent / unquote(reference.split("#")[0])).resolve(), root, bundle,
                          chain)


def _embedded_data_or_name(reference: str, svg: Path, bundle: Path, root: Path,
                           chain: tuple[Path, ...]) -> str | None:
    if reference.lower().startswith("data:"):
        header, _, payload = reference.partition(",")
        if len(reference) > MAX_IMAGE_BYTES * 2:
            return f"is more than {MAX_IMAGE_BYTES:,} bytes"
        try:
            data = base64.b64decode(payload) if header.endswith(";base64") else \
                unquote(payload).encode()
        except ValueError:
            return "is a data: URL that does not decode"
        if "svg" in header.lower():  # an SVG in an SVG: checked as one
            if len(chain) >= MAX_SVG_DEPTH:
                return "is nested too deep"
            problem, inside = _svg_problems(svg, data, root, bundle, chain + (svg.with_name(
                f"{svg.name}#data{len(chain)}"),))
            return problem or (f"holds what cannot be printed: {inside[0].message}"
                               if inside else None)
        return raster_problem(data)
    if re.match(r"^[a-z][a-z0-9+.-]*:|^/", reference, re.I):
        return "must be a file inside the bundle"
    broken = guard.unusable(svg.parent / unquote(reference.split("#")[0]))
    if broken is not None:
        return broken
    target = (svg.parent / unquote(reference.split("#")[0])).resolve()
    if not target.is_relative_to(bundle):
        return "must be a file inside the bundle"
    if not target.is_file():
        return "is not found in the bundle"
    if target in chain:
        return "makes a loop of images that embed each other"
    if len(chain) >= MAX_SVG_DEPTH:
        return "is nested too deep"
    return None
