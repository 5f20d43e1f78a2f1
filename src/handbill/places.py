"""Where handbill's own files are, found without importing the modules that read them
(a render worker needs the places, not the layouts' parser)."""

from __future__ import annotations

from pathlib import Path


def builtin_layouts_dir() -> Path:
    """The layouts shipped with handbill: package data in a wheel, the top-level folder in a checkout."""
    packaged = Path(__file__).parent / "layouts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "layouts"
