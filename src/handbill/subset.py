"""Subset each font to the document's characters, cache the subsets, write the @font-face CSS.

A subset is keyed by the hash of its font file and of the character set, and
kept in the project's ``.cache/handbill/fonts/`` (a :class:`handbill.cache.Cache`:
each subset verified by its recorded hash before it is used, made again when
it fails); the same document (or any document with the same characters) reuses
it. HarfBuzz writes the same bytes for the same input, so subsets, and the PDFs
made from them, are reproducible.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from .cache import Cache
from .fonts import Face, FontPlan

#: The cache's folder name under .cache/handbill/.
CACHE_NAME = "fonts"


@lru_cache(maxsize=64)
def _file_hash(path: Path, stamp: tuple[int, ...]) -> str:
    """PATH's SHA-256, remembered while its STAMP (fonts.file_stamp) stays the same."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _subset_key(face: Face, chars: frozenset[str]) -> tuple[str, tuple[int, ...]]:
    """The cache key of FACE's subset to CHARS, and the code points it keeps."""
    from .coverage import cmap

    wanted = tuple(sorted(ord(c) for c in chars if ord(c) in cmap(face)))
    key = hashlib.sha256((_file_hash(face.path, face.stamp) + f"#{face.index}:" +
                          ",".join(map(str, wanted))).encode())
    return key.hexdigest(), wanted


def subset_input(codes):
    """HarfBuzz's subset plan for the code points CODES, keeping every OpenType layout
    feature and every name record (tools/make_fonts.py makes the bundled faces with it)."""
    import uharfbuzz as hb

    plan = hb.SubsetInput()
    for code in codes:
        plan.unicode_set.add(code)
    for kept in (hb.SubsetInputSets.LAYOUT_FEATURE_TAG, hb.SubsetInputSets.NAME_ID,
                 hb.SubsetInputSets.NAME_LANG_ID):
        every = plan.sets(kept)
        every.clear()  # the default set holds some; an inverted empty set holds all
        every.invert()
    return plan


def subset_face(face: Face, chars: frozenset[str], cache: Cache) -> Path:
    """A subset of FACE holding CHARS (those it has), from the cache or made now.

    HarfBuzz's subsetter (uharfbuzz) does the work: milliseconds even for a CJK
    face, where fontTools takes about half a second. Every OpenType layout
    feature and every name record is kept.
    """
    key, wanted = _subset_key(face, chars)
    suffix = face.path.suffix.lower()
    found = cache.get(key, suffix)
    if found is not None:
        return found
    import uharfbuzz as hb

    blob = hb.Blob.from_file_path(str(face.path))
    subset = hb.subset(hb.Face(blob, face.index), subset_input(wanted))
    if subset is None:
        raise RuntimeError(f"HarfBuzz could not subset {face.path}")
    return cache.put(key, suffix, subset.blob.data)


def needed(plan: FontPlan, by_language: dict[str, set[str]]) -> set[str]:
    """The families that print something: the first of some language's chain to have one
    of the characters that language prints. The others (Handbill Sans SC Extra, for most
    documents) are not loaded at all."""
    from .coverage import cmap
    from .fonts import regular_face

    found = set()
    for lang, chars in by_language.items():
        left = {ord(c) for c in chars}
        for family in plan.chains.get(lang, ()):
            if family not in plan.faces:
                continue
            mine = left & cmap(regular_face(plan.faces[family]))
            if mine:
                found.add(family)
                left -= mine
    return found


def font_face_css(plan: FontPlan, chars: frozenset[str] | None, root: Path,
                  by_language: dict[str, set[str]] | None = None,
                  cache_root: Path | None = None) -> str:
    """@font-face rules for every face of the plan, and a --font-<lang> variable per chain.

    With CHARS, each face is first subset to them (cached); with None, the font
    files are handed to WeasyPrint whole. With BY_LANGUAGE (the characters each
    language prints), only the families that print one of them are given.
    """
    from .coverage import cmap

    rules = []
    cache = Cache(cache_root or root, CACHE_NAME)
    used = set()
    wanted = needed(plan, by_language) if by_language is not None else set(plan.faces)
    for family, faces in plan.faces.items():
        if family not in wanted:
            continue
        for face in faces:
            if chars is not None and not any(ord(c) in cmap(face) for c in chars):
                continue  # a face that prints nothing here (an italic of no italic text)
            used.add(family)
            path = subset_face(face, chars, cache) if chars is not None else face.path
            rules.append(
                "@font-face {\n"
                f'  font-family: "{family}";\n'
                f'  src: url("{path.resolve().as_uri()}");\n'
                f"  font-weight: {face.weight};\n"
                f"  font-style: {face.style};\n"
                "}")
    # A language the document does not print may still be named by a stylesheet (the
    # running texts' var(--font-en) in a Traditional document alone): it gets the
    # families printed, never an empty value (which WeasyPrint ignores, with a warning).
    printed = list(dict.fromkeys(f for chain in plan.chains.values() for f in chain if f in used))
    variables = "".join(
        f"  --font-{lang}: "
        f"{', '.join(_quote(f) for f in ([f for f in chain if f in used] or printed))};\n"
        for lang, chain in plan.chains.items())
    return "\n".join(rules) + "\n:root {\n" + variables + "}\n"


def _quote(family: str) -> str:
    return '"' + family.replace("\\", "\\\\").replace('"', '\\"') + '"'
