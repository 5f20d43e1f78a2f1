"""Which font file prints each language: the font chains and where each family is found.

Layouts name font families per language, in fallback order (``layouts/fonts.yaml``,
or ``fonts:`` in a layout's manifest). Each family resolves to files, searched
in this order:

1. the project's ``fonts/`` folder;
2. the fonts bundled with handbill;
3. the system's fonts through fontconfig, only for families the config lists
   under ``system:``.

The output therefore never depends on what happens to be installed.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .errors import Diagnostic, LayoutError, display_path
from .layouts import Layout, search_path
from .yamlfile import Located, load_yaml

FONT_SUFFIXES = (".otf", ".ttf", ".woff", ".woff2")
FONTS_FILE = "fonts.yaml"


def bundled_fonts_dir() -> Path:
    return Path(__file__).parent / "assets" / "fonts"


#: The folders (in the bundled fonts') of the families made at set-up rather than kept in
#: git, each by `make setup` from Debian's fonts-noto-cjk (tools/make_fonts.py): each
#: family, the folder it is made into, and the face of Noto Sans CJK it comes from.
MADE_AT_SETUP = MappingProxyType({"Handbill Sans SC Extra": ("extra", "NotoSansCJKsc-Regular"),
                                  "Handbill Sans TC": ("tc", "NotoSansCJKtc-Regular")})


def extra_fonts_dirs() -> list[Path]:
    """Folders of bundled fonts made at set-up rather than kept in git (MADE_AT_SETUP)."""
    folders = (bundled_fonts_dir() / name for name, _ in MADE_AT_SETUP.values())
    return [folder for folder in folders if folder.is_dir()]


@dataclass(frozen=True)
class Face:
    """One font file of a family: a weight and a style."""

    family: str
    path: Path
    weight: int
    style: str  # "normal" or "italic"
    origin: str  # "project", "bundled" or "system"
    index: int = 0  # the face's index in a collection (.ttc)
    #: The file's stamp when it was found (see file_stamp): what is read from the file is
    #: remembered per stamp, so a font replaced during `watch` is read anew.
    stamp: tuple[int, ...] = (0, 0)


@dataclass(frozen=True)
class FontPlan:
    """The families each language asks for, and the faces they resolved to."""

    chains: Mapping[str, tuple[str, ...]]
    faces: Mapping[str, tuple[Face, ...]]
    config_path: Path | None = None
    #: Optional families the config names that are not there (left out of the chains).
    missing: tuple[str, ...] = ()

    def chain_faces(self, lang: str) -> list[tuple[Face, ...]]:
        return [self.faces[family] for family in self.chains.get(lang, ()) if family in self.faces]


def file_stamp(path: Path) -> tuple[int, ...]:
    """What changes whenever PATH's bytes do: its modification time and size, and its
    inode change time and inode number, which no one can set back (`touch -r` keeps a
    file's modification time, not its change time; a file copied over another is a
    new inode or a new change time)."""
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns, stat.st_ino)


@lru_cache(maxsize=256)
def _describe(path: Path, stamp: tuple[int, ...], index: int = 0) -> tuple[str, int, str] | None:
    """(family, weight, style) read from a font file's own tables (by HarfBuzz: quick);
    None when the file is no font (HarfBuzz finds no glyphs in it)."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(path)), index)
    if face.glyph_count == 0 or not face.unicodes:
        return None
    family = (face.get_name(hb.OTNameIdPredefined.TYPOGRAPHIC_FAMILY)
              or face.get_name(hb.OTNameIdPredefined.FONT_FAMILY) or path.stem).strip()
    font = hb.Font(face)
    weight = round(font.get_style_value(hb.StyleTag.WEIGHT))  # OS/2's usWeightClass
    italic = font.get_style_value(hb.StyleTag.ITALIC) > 0  # OS/2's or head's italic bit
    return family, weight, "italic" if italic else "normal"


def _scan(folder: Path, origin: str, root: Path) -> dict[str, list[Face]]:
    """The font files in FOLDER by family: each a regular file inside the project (or
    handbill's own, for the bundled fonts) that HarfBuzz reads as a font; else a
    LayoutError naming every file that is not."""
    from . import guard

    found: dict[str, list[Face]] = {}
    if guard.folder_refusal(folder, root) is not None:
        raise LayoutError(guard.folder_refusal(folder, root))
    if not folder.is_dir():
        return found
    problems = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in FONT_SUFFIXES:
            continue
        refused = guard.refusal(path, root, code="fonts")
        if refused is not None:
            problems.append(refused)
            continue
        stamp = file_stamp(path)
        described = _describe(path, stamp)
        if described is None:
            problems.append(Diagnostic(display_path(path, root), None,
                                       "not a font file (no glyphs in it)", code="fonts"))
            continue
        family, weight, style = described
        found.setdefault(family, []).append(Face(family, path, weight, style, origin,
                                                 stamp=stamp))
    if problems:
        raise LayoutError(problems)
    return found


def _system_faces(family: str) -> list[Face]:
    """A family's faces as fontconfig knows them (used only when a config asks)."""
    try:
        result = subprocess.run(
            ["fc-list", f":family={family}", "file", "index", "weight", "slant"],
            capture_output=True, text=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return []
    faces = []
    for line in sorted(result.stdout.splitlines()):
        file, _, rest = line.partition(":")
        fields = dict(part.split("=", 1) for part in rest.strip().split(":") if "=" in part)
        weight = 700 if int(fields.get("weight", "80").split()[0].strip("[]")) >= 200 else 400
        style = "italic" if fields.get("slant", "0") not in ("0", "") else "normal"
        faces.append(Face(family, Path(file), weight, style, "system", int(fields.get("index", 0)),
                          file_stamp(Path(file))))
    return faces


def load_font_config(root: Path, layout: Layout | None = None
                     ) -> tuple[dict, tuple[str, ...], Path | None, tuple[str, ...]]:
    """(chains per language, families allowed from the system, the config file, families
    that may be missing: left out of the chains then). The chains are the languages
    table's (``fonts:`` of each row), a layout's own ``fonts:`` over them."""
    from .languages import load_languages

    for base in search_path(root):
        path = base / FONTS_FILE
        if path.exists() or path.is_symlink():
            data = load_yaml(path, root)
            break
    else:
        raise LayoutError(Diagnostic("layouts", None, f"no {FONTS_FILE} on the layout search path"))
    shown = display_path(path, root)
    if data is None:
        data = Located()
    if not isinstance(data, Located):
        raise LayoutError(Diagnostic(shown, 1, "fonts.yaml maps 'system:' and 'optional:' to "
                                     "font family names"))
    if "families" in data:  # one source of truth: the languages table
        raise LayoutError(Diagnostic(
            shown, data.line_of("families"), "the font families of each language are no "
            "longer here: they are the 'fonts:' of its row in layouts/languages.yaml",
            code="layout", hint="move each chain to layouts/languages.yaml, as "
                                "'en: {fonts: [...]}' (a project's rows merge over the "
                                "built-in ones, key by key)"))
    chains = {tag: profile.fonts for tag, profile in load_languages(root).rows.items()}
    if layout is not None and layout.fonts:
        chains.update(layout.fonts)
    lists = {}
    for key in ("system", "optional"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
            raise LayoutError(Diagnostic(shown, data.line_of(key),
                                         f"'{key}' must list font family names"))
        lists[key] = tuple(value)
    return chains, lists["system"], path, lists["optional"]


def plan_fonts(root: Path, layout: Layout | None = None,
               languages: tuple[str, ...] | None = None) -> FontPlan:
    """Resolve every family the chains of LANGUAGES name (default: the table's default
    languages'); an unknown
    family is a layout error at the row that names it. The chains of the table's other
    rows are planned too when their families are all there (a bibliography entry in
    another language is set in its language's fonts), and left out when not."""
    from .languages import font_line, load_languages

    chains, system, config, optional = load_font_config(root, layout)
    project = _scan(root / "fonts", "project", root)
    bundled = _scan(bundled_fonts_dir(), "bundled", root)
    for folder in extra_fonts_dirs():
        for family, found in _scan(folder, "bundled", root).items():
            bundled.setdefault(family, found)
    if languages is None:
        languages = load_languages(root).default_languages()
    needed = tuple(languages)
    table = None
    faces: dict[str, tuple[Face, ...]] = {}
    missing = []
    absent: dict[str, None] = {}
    order = sorted(chains, key=lambda tag: tag not in needed)  # the needed first
    for lang in order:
        for family in chains[lang]:
            if family in faces or family in missing or family in absent:
                continue  # the needed rows come first: an absent family of one was raised
            found = project.get(family) or bundled.get(family)
            if not found and family in system:
                found = _system_faces(family)
            if not found and family in optional:
                missing.append(family)
                continue
            if found:
                faces[family] = tuple(sorted(found, key=lambda f: (f.style != "normal",
                                                                   f.weight, str(f.path))))
                continue
            absent[family] = None
            if lang not in needed:
                continue
            table = table or load_languages(root)
            where = "fonts/, handbill's bundled fonts" + (", the system" if family in system else "")
            path, line = font_line(table, lang, root) if lang in table and not (
                layout is not None and lang in layout.fonts) else (
                display_path(layout.path / "layout.yaml", root) if layout else "layouts", None)
            raise LayoutError(Diagnostic(
                path, line, f"font family '{family}' ({lang}) not found in {where}",
                hint="put its .otf/.ttf files in the project's fonts/ folder, or list it under "
                     "'system:' in layouts/fonts.yaml to take it from the system"))
    chains = {lang: tuple(f for f in chain if f not in missing) for lang, chain in chains.items()
              if lang in needed or not any(f in absent for f in chain)}
    used = dict.fromkeys(f for chain in chains.values() for f in chain)
    faces = {family: faces[family] for family in used if family in faces}
    return FontPlan(MappingProxyType(chains), MappingProxyType(faces), config, tuple(missing))


def regular_face(faces: tuple[Face, ...]) -> Face:
    """The face closest to regular weight, upright."""
    return min(faces, key=lambda f: (f.style != "normal", abs(f.weight - 400)))


def describe_face(face: Face) -> dict:
    """Version, glyph count and licence of a face: its name table, and its licence file."""
    from fontTools.ttLib import TTFont

    font = TTFont(face.path, fontNumber=face.index, lazy=True)
    name = font["name"]
    stated = " ".join(f"{name.getDebugName(13) or ''} {name.getDebugName(14) or ''}".split())
    kind = "SIL OFL 1.1" if "OFL" in stated or "Open Font License" in stated else stated[:80]
    licence_file = _licence_file(face)
    info = {"version": (name.getDebugName(5) or "?").removeprefix("Version ").split(";")[0],
            "glyphs": font["maxp"].numGlyphs,
            "licence": f"{licence_file} ({kind})" if licence_file else (kind or "not stated")}
    font.close()
    return info


def _licence_file(face: Face) -> str | None:
    """The licence file beside a font: the bundled manifest's, or an OFL/LICENSE file."""
    manifest = face.path.parent / FONTS_FILE
    if face.origin == "bundled" and manifest.is_file():
        for family in load_yaml(manifest, manifest.parent).get("families", []):
            if any(f.get("file") == face.path.name for f in family.get("faces", [])):
                return family.get("licence")
    for pattern in ("OFL*.txt", "*OFL*.txt", "LICENSE*", "LICENCE*"):
        found = sorted(face.path.parent.glob(pattern))
        if found:
            return found[0].name
    return None
