"""Images a bundle prints: checked before anything is rendered."""

from __future__ import annotations

from pathlib import Path

#: Images larger than this, in bytes or in pixels, are refused.
MAX_IMAGE_BYTES = 20_000_000
MAX_IMAGE_PIXELS = 40_000_000


def image_problem(path: Path) -> str | None:
    """Why PATH cannot be printed as an image (too large, not an image), or None."""
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return f"is {size:,} bytes, more than the {MAX_IMAGE_BYTES:,} allowed"
    if path.suffix.lower() == ".svg":
        import xml.etree.ElementTree as ET

        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as error:
            return f"is not a valid SVG file ({error})"
        return None if root.tag.endswith("svg") else "is not an SVG image"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError):
        return "is not an image handbill can read (SVG, PNG, JPEG, GIF, WebP)"
    if width * height > MAX_IMAGE_PIXELS:
        return f"has {width}x{height} pixels, more than the {MAX_IMAGE_PIXELS:,} allowed"
    return None
