#!/usr/bin/env python3
"""Build the fonts that handbill bundles, from Debian's font packages.

Usage::

    .venv/bin/python tools/make_fonts.py [--out src/handbill/assets/fonts]
    .venv/bin/python tools/make_fonts.py --check [--out src/handbill/assets/fonts]
    .venv/bin/python tools/make_fonts.py --extra | --tc [--out src/handbill/assets/fonts]

The first form (re)writes the fonts, one licence file per family and
``fonts.yaml`` (the manifest) into ``--out``, and prints each file written with
its size and glyph count.  ``--check`` builds everything into a temporary
folder instead and compares it byte for byte with the files in ``--out``.

Exit status: 0 done (or, with --check, every file identical); 1 --check found a
file that differs or is missing, or a built font failed its coverage checks;
2 a Debian package the script needs is not installed (or bad arguments).

Why bundle fonts
----------------
A handout must come out the same on any machine, including one with no CJK
font installed.  So handbill ships its families (three in git, a fourth made at
set-up), which together print every character Noto Sans CJK SC and Noto Sans
have, renamed so that they can never
be confused with an installed font: WeasyPrint mixes up an @font-face family
with an installed font of the same name (its maintainer's advice in WeasyPrint
issue #1457 is to give bundled fonts a name of their own).

``Handbill Sans SC`` (zh-Hans), Regular and Bold, OpenType CFF (.otf)
    Noto Sans CJK SC (= Source Han Sans SC), the SC face of
    ``NotoSansCJK-{Regular,Bold}.ttc`` in Debian's ``fonts-noto-cjk``.  The
    face is found in the collection by its name table, never by index.  Kept:

    * every GB 2312 character: its 6763 hanzi (each code point of U+4E00..U+9FFF
      that ``ch.encode("gb2312")`` accepts) and all its punctuation, symbols,
      kana, Greek, Cyrillic, pinyin letters, box drawing...;
    * every character of the Table of General Standard Chinese Characters
      (通用规范汉字表, 2013, 8105 hanzi; read from the Unihan kTGH field of
      Debian's ``unicode-data``): it adds 1467 hanzi that GB 2312 lacks
      (77 from Extension A, 196 beyond the BMP), among them characters that
      chemistry and medicine use, such as 䓬 (苯二氮䓬) and 𫫇 (𫫇唑);
    * CJK Symbols and Punctuation (U+3000-303F), Halfwidth and Fullwidth
      Forms (U+FF00-FFEF), Basic Latin, Latin-1, Latin Extended-A, General
      Punctuation (U+2000-206F), Greek (U+0370-03FF) and the symbols medical
      text uses (``MEDICAL_SYMBOLS``), each as far as the source has it (it
      lacks e.g. most of Latin Extended-A, which Handbill Text covers);
    * the symbol blocks handouts use (issue 13): enclosed alphanumerics and
      CJK letters (① to ⑳, ㊀), dingbats and miscellaneous symbols (✓ ⚠ ☎),
      CJK compatibility (㎎ ㎏ ㎖ ㏄), small and vertical forms (﹕ ︰),
      letterlike symbols, arrows, supplemental punctuation (⸺).

    Every code point keeps a glyph of its own (``distinct_glyphs``): the
    source draws e.g. — and ―, • and ·, 〜 and ～ with one glyph, and a PDF's
    ToUnicode map, one character a glyph, would copy the second as the first.

    All OpenType layout features are kept (``layout_features = ['*']``:
    halt, vhal, palt, vpal, vert, vrt2, locl, kern, liga, ...; the source has
    no 'chws', so that one cannot be kept).  The collection's language systems
    for Japanese, Korean and Traditional Chinese (JAN, KOR, ZHT, ZHH) are
    removed before subsetting: this face serves zh-Hans only, and their 'locl'
    lookups would pull in ~5800 more glyphs (about 1.3 MB more per weight).  The
    default and ZHS language systems stay.  Hinting is dropped (WeasyPrint
    drops it when it embeds a font, unless asked otherwise) and glyph names
    are not kept.  The name table's family is replaced, and so are the CFF
    table's FontName, FullName, FamilyName and FDArray names.

``Handbill Text`` (en), Regular, Bold, Italic, Bold Italic, TrueType (.ttf)
    Noto Sans from Debian's ``fonts-noto-core``.  The brief preferred Source
    Sans 3 (Source Han Sans, hence Noto Sans CJK, takes its Latin from Source
    Sans), but Debian 12 has no Source Sans package.  Noto Sans is the other
    candidate: a humanist sans designed for reading, drawn as part of the
    same Noto project as the CJK face so that the two sit together in
    colour, weight and proportions (a sans beside a sans; Noto Serif would
    contrast with the CJK sans), with real italics, static Regular / Bold /
    Italic / Bold Italic files, rich OpenType features (small caps, old-style
    and tabular figures, fractions, superscripts), OFL 1.1 with no Reserved
    Font Name.  Kept whole since issue 13 (every one of its 2,840 characters:
    Latin, Greek, Cyrillic, combining marks...), all layout features kept,
    hinting dropped, each code point with a glyph of its own.

``Handbill Symbols`` (both), Regular, TrueType (.ttf)
    Noto Sans Symbols 2 from ``fonts-noto-core``, whole: ✔ ✗ ☐ ☑ and the other
    symbols neither face above has.

``Handbill Sans SC Extra`` (both, last in each chain), Regular and Bold (.otf)
    ``--extra``: everything else Noto Sans CJK SC has (rare and Traditional
    hanzi, URO, Extensions A to G, kana, Hangul: 34,569 characters), with the
    spaces and punctuation around them, about 12 MB a weight.  Too large for
    git: ``make setup`` makes it into ``src/handbill/assets/fonts/extra/``
    (about 2 minutes), and a document loads it only when it prints one of its
    characters.

``Handbill Sans TC`` (zh-Hant, first in its chain), Regular and Bold (.otf)
    ``--tc``: the TC face of the same collection (Noto Sans CJK TC, Taiwan's
    glyph forms and centred punctuation), kept: every character of Big5 (its
    13,053 hanzi, read with Python's ``big5`` codec and Unihan's kBigFive, and
    its symbols and bopomofo), the 4,823 characters of Hong Kong's List of
    Graphemes of Commonly-Used Chinese Characters (常用字字形表, Unihan
    kHKGlyph), every character OpenCC's s2twp and s2hk write for a hanzi of
    GB 2312 or the 通用规范汉字表 (597 more: 肽, 䓬, 吡, 哌, 噻, which drug names
    use; so the bytes depend on OpenCC's version too, pinned), and the
    punctuation, Latin, Greek and symbol blocks Handbill Sans SC keeps.  Only the ZHT language system stays (the JAN, KOR, ZHS and
    ZHH 'locl' lookups would pull in their glyphs: about 8 MB a weight instead
    of 3.8).  Made by ``make setup`` into ``src/handbill/assets/fonts/tc/``, not
    kept in git: its two weights (7.6 MB) would more than double the
    bundled fonts (about 3 minutes).  What it lacks falls back to Handbill Sans SC and Handbill
    Sans SC Extra (their glyph forms are the mainland's).

Licences and names
------------------
Both sources are under the SIL Open Font License 1.1.  The subsets are
Modified Versions under the OFL: each family gets a licence file holding the
copyright notices and the OFL text copied from the Debian package's
``/usr/share/doc/PACKAGE/copyright``.  The script looks for Reserved Font Names
in the copyright file and in the font's name records 0 and 13 and stops if a
new family name would contain one (today neither source reserves a name; the
new names avoid "Noto" (a Google trademark) and "Source" (reserved by Adobe in
some Source Han releases) all the same).  Name records 0 (copyright),
7 (trademark), 8, 9, 11, 12 (credits) and 13, 14 (licence) are kept; 1, 2, 3,
4, 6 (and 16, 17 when the source has them) carry the new name; 5 (version) and
10 (description) say that the font is a subset modified by handbill.

Determinism
-----------
Running the script twice gives byte-identical files: the head table's
created/modified timestamps are copied from the source font (never the clock),
character sets are sorted, and the manifest and licence files contain no dates.
The bytes depend on the Debian packages' versions (recorded in fonts.yaml) and
on the versions of fontTools and of uharfbuzz (fontTools packs the layout
tables with HarfBuzz's repacker when uharfbuzz is installed); ``constraints.txt``
pins both for `make`, and ``--check`` fails when anything differs from the
build that produced the committed files.

Debian packages needed (``apt-get install fonts-noto-cjk fonts-noto-core
unicode-data``): fonts-noto-cjk, fonts-noto-core, unicode-data.  Python:
fontTools (a dependency of handbill).
"""

from __future__ import annotations

import argparse
import bz2
import dataclasses
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools import subset, version as fonttools_version


def _uharfbuzz_version() -> str:
    try:
        import uharfbuzz
    except ImportError:
        return "not installed"
    return uharfbuzz.__version__
from fontTools.ttLib import TTCollection, TTFont

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "src" / "handbill" / "assets" / "fonts"

EN_US = 0x0409  # Windows, English (United States): the name records we keep

# Symbols that medical text uses.  The last two (minus sign, almost equal to)
# are common in lab values and doses; Noto Sans lacks them, so the CJK face
# must carry them (as it carries ≤ ≥ and the arrows).
MEDICAL_SYMBOLS = "βµ≥≤±°℃×²³–—‘’“”•…‰→←↑↓" + "−≈"

UNIHAN_OTHER = Path("/usr/share/unicode/Unihan_OtherMappings.txt.bz2")
UNIHAN_DICTIONARY = Path("/usr/share/unicode/Unihan_DictionaryLikeData.txt.bz2")


@dataclasses.dataclass(frozen=True)
class Face:
    style_name: str  # name ID 2 of the new face: Regular, Bold, Italic, Bold Italic
    weight: int  # CSS font-weight
    style: str  # CSS font-style
    source: Path  # font file (or collection) in the Debian package
    source_name: str  # PostScript name (name ID 6) of the source face


@dataclasses.dataclass(frozen=True)
class Family:
    name: str  # new family name
    ps_name: str  # its PostScript prefix (no spaces)
    languages: tuple[str, ...]
    package: str  # Debian package of the sources
    source_family: str  # family the sources belong to (for the notes)
    extension: str  # .otf (CFF) or .ttf (glyf), as the source
    faces: tuple[Face, ...]
    coverage: str  # one line for the manifest

    @property
    def licence_file(self) -> str:
        return f"{self.ps_name}-OFL.txt"

    def file_name(self, face: Face) -> str:
        return f"{self.ps_name}-{face.style_name.replace(' ', '')}{self.extension}"


def subset_input(codes):
    """HarfBuzz's subset plan for CODES, as handbill subsets a document's fonts (every
    layout feature and name record kept): handbill.subset's own."""
    from handbill.subset import subset_input as handbills

    return handbills(codes)


CJK_DIR = Path("/usr/share/fonts/opentype/noto")
NOTO_DIR = Path("/usr/share/fonts/truetype/noto")

CJK = Family(
    name="Handbill Sans SC",
    ps_name="HandbillSansSC",
    languages=("zh-Hans",),
    package="fonts-noto-cjk",
    source_family="Noto Sans CJK SC",
    extension=".otf",
    faces=(
        Face("Regular", 400, "normal", CJK_DIR / "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular"),
        Face("Bold", 700, "normal", CJK_DIR / "NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold"),
    ),
    coverage=(
        "GB 2312 (6763 hanzi, all its symbols) + 通用规范汉字表 (8105 hanzi, Unihan kTGH), "
        "CJK punctuation, full/half-width forms, Latin, Greek, general punctuation, medical symbols"
    ),
)

LATIN = Family(
    name="Handbill Text",
    ps_name="HandbillText",
    languages=("en",),
    package="fonts-noto-core",
    source_family="Noto Sans",
    extension=".ttf",
    faces=(
        Face("Regular", 400, "normal", NOTO_DIR / "NotoSans-Regular.ttf", "NotoSans-Regular"),
        Face("Bold", 700, "normal", NOTO_DIR / "NotoSans-Bold.ttf", "NotoSans-Bold"),
        Face("Italic", 400, "italic", NOTO_DIR / "NotoSans-Italic.ttf", "NotoSans-Italic"),
        Face("Bold Italic", 700, "italic", NOTO_DIR / "NotoSans-BoldItalic.ttf", "NotoSans-BoldItalic"),
    ),
    coverage=(
        "Latin (Basic, Latin-1, Extended-A/B/Additional, IPA), Greek, combining marks, "
        "general punctuation, super/subscripts, currency, letterlike, number forms, medical symbols"
    ),
)

SYMBOLS = Family(
    name="Handbill Symbols",
    ps_name="HandbillSymbols",
    languages=("en", "zh-Hans"),
    package="fonts-noto-core",
    source_family="Noto Sans Symbols 2",
    extension=".ttf",
    faces=(
        Face("Regular", 400, "normal", NOTO_DIR / "NotoSansSymbols2-Regular.ttf",
             "NotoSansSymbols2-Regular"),
    ),
    coverage="Noto Sans Symbols 2 whole: dingbats and ballot boxes (✔ ✗ ☐ ☑), arrows, "
             "geometric shapes, technical and miscellaneous symbols the text fonts lack",
)

EXTRA = Family(
    name="Handbill Sans SC Extra",
    ps_name="HandbillSansSCExtra",
    languages=("zh-Hans", "en"),
    package="fonts-noto-cjk",
    source_family="Noto Sans CJK SC",
    extension=".otf",
    faces=CJK.faces,
    coverage=(
        "every character of Noto Sans CJK SC that Handbill Sans SC lacks: the rest of the URO, "
        "Extension A, the Extension B-F characters it has, compatibility ideographs, Traditional "
        "forms, radicals, kana, Hangul"
    ),
)

TC = Family(
    name="Handbill Sans TC",
    ps_name="HandbillSansTC",
    languages=("zh-Hant",),
    package="fonts-noto-cjk",
    source_family="Noto Sans CJK TC",
    extension=".otf",
    faces=(
        Face("Regular", 400, "normal", CJK_DIR / "NotoSansCJK-Regular.ttc", "NotoSansCJKtc-Regular"),
        Face("Bold", 700, "normal", CJK_DIR / "NotoSansCJK-Bold.ttc", "NotoSansCJKtc-Bold"),
    ),
    coverage=(
        "Big5 (13,053 hanzi, all its symbols) + 常用字字形表 (Hong Kong, 4,823 characters, "
        "Unihan kHKGlyph) + what OpenCC s2twp/s2hk write for GB 2312 and 通用规范汉字表, CJK punctuation, full/half-width forms, Latin, Greek, general "
        "punctuation, symbols, medical symbols; Taiwan's glyph forms (ZHT)"
    ),
)

FAMILIES = (CJK, LATIN, SYMBOLS)
PACKAGES = ("fonts-noto-cjk", "fonts-noto-core", "unicode-data")


class MissingDependency(Exception):
    pass


class VerificationError(Exception):
    pass


# --- character sets ---------------------------------------------------------


def _ranges(*pairs: tuple[int, int]) -> set[int]:
    return {cp for lo, hi in pairs for cp in range(lo, hi + 1)}


def _encodes_in_gb2312(cp: int) -> bool:
    try:
        chr(cp).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def gb2312_hanzi() -> set[int]:
    """The 6763 hanzi of GB 2312."""
    return {cp for cp in range(0x4E00, 0xA000) if _encodes_in_gb2312(cp)}


def gb2312_all() -> set[int]:
    """Every character of GB 2312 (hanzi, punctuation, symbols, kana, ...)."""
    return {
        cp for cp in range(0x80, 0x10000) if not 0xD800 <= cp <= 0xDFFF and _encodes_in_gb2312(cp)
    }


def unihan_field(path: Path, name: str, expected: int) -> set[int]:
    """The code points that have Unihan field NAME in PATH (EXPECTED of them, or an error)."""
    result = set()
    with bz2.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            fields = line.rstrip("\n").split("\t")
            if len(fields) == 3 and fields[1] == name:
                result.add(int(fields[0][2:], 16))
    if len(result) != expected:
        raise VerificationError(f"{path}: expected {expected} {name} characters, found {len(result)}")
    return result


def tongyong_guifan_hanzi() -> set[int]:
    """The 8105 hanzi of the Table of General Standard Chinese Characters (Unihan kTGH)."""
    return unihan_field(UNIHAN_OTHER, "kTGH", 8105)


def big5_hanzi() -> set[int]:
    """The hanzi of Big5 as Unihan maps them (kBigFive: 13,053, and the two it repeats)."""
    return unihan_field(UNIHAN_OTHER, "kBigFive", 13062)


def hong_kong_common() -> set[int]:
    """Hong Kong's 常用字字形表 (List of Graphemes of Commonly-Used Chinese Characters), kHKGlyph."""
    return unihan_field(UNIHAN_DICTIONARY, "kHKGlyph", 4823)


def big5_all() -> set[int]:
    """Every character of Big5 that Python's codec encodes (hanzi, symbols, bopomofo)."""
    def encodes(cp: int) -> bool:
        try:
            chr(cp).encode("big5")
        except UnicodeEncodeError:
            return False
        return True

    return {cp for cp in range(0x80, 0x10000) if not 0xD800 <= cp <= 0xDFFF and encodes(cp)}


def converted_hanzi() -> set[int]:
    """What OpenCC's s2twp and s2hk (handbill.conversion's) write for each hanzi of GB 2312
    and the 通用规范汉字表, one at a time: the characters a converted zh-Hans text prints
    that Big5 lacks (肽, 䓬, 吡, 哌, 噻: chemistry and medicine use them)."""
    import opencc

    hanzi = "\n".join(map(chr, sorted(gb2312_hanzi() | tongyong_guifan_hanzi())))
    found: set[int] = set()
    for config in ("s2twp", "s2hk"):
        converter = opencc.OpenCC(config, include_tofu_risk_dictionaries=False)
        found |= {ord(c) for c in converter.convert(hanzi) if c != "\n"}
    return found


def tc_unicodes() -> set[int]:
    return (big5_all() | big5_hanzi() | hong_kong_common() | converted_hanzi()
            | cjk_shared_unicodes())


def medical_symbols() -> set[int]:
    return {ord(ch) for ch in MEDICAL_SYMBOLS}


def cjk_unicodes() -> set[int]:
    return gb2312_all() | tongyong_guifan_hanzi() | cjk_shared_unicodes()


def cjk_shared_unicodes() -> set[int]:
    """What both CJK faces keep besides their hanzi: punctuation, Latin, Greek, symbols."""
    return (
        _ranges(
            (0x3000, 0x303F),  # CJK Symbols and Punctuation
            (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
            (0x0020, 0x007E),  # Basic Latin
            (0x00A0, 0x00FF),  # Latin-1 Supplement
            (0x0100, 0x017F),  # Latin Extended-A
            (0x2000, 0x206F),  # General Punctuation
            (0x0370, 0x03FF),  # Greek and Coptic
        )
        | symbol_unicodes()
        | medical_symbols()
    )


def symbol_unicodes() -> set[int]:
    """What patient handouts print besides text: units, numbered steps, checks, warnings."""
    return _ranges(
        (0x2100, 0x214F),  # Letterlike Symbols (℃ ℉ № ℡)
        (0x2150, 0x218F),  # Number Forms (Ⅰ Ⅱ ½)
        (0x2190, 0x21FF),  # Arrows
        (0x2200, 0x22FF),  # Mathematical Operators
        (0x2460, 0x24FF),  # Enclosed Alphanumerics (① to ⑳)
        (0x2500, 0x257F),  # Box Drawing
        (0x25A0, 0x25FF),  # Geometric Shapes
        (0x2600, 0x26FF),  # Miscellaneous Symbols (☎ ⚠)
        (0x2700, 0x27BF),  # Dingbats (✓ ✔ ✗)
        (0x2E00, 0x2E7F),  # Supplemental Punctuation (⸺ ⸻)
        (0x3200, 0x32FF),  # Enclosed CJK Letters and Months (㈠ ㊀)
        (0x3300, 0x33FF),  # CJK Compatibility (㎎ ㎏ ㎖ ㏄)
        (0xFE10, 0xFE1F),  # Vertical Forms
        (0xFE30, 0xFE4F),  # CJK Compatibility Forms
        (0xFE50, 0xFE6F),  # Small Form Variants (﹕)
    )


def latin_unicodes() -> set[int]:
    return (
        _ranges(
            (0x0020, 0x007E),  # Basic Latin
            (0x00A0, 0x00FF),  # Latin-1 Supplement
            (0x0100, 0x017F),  # Latin Extended-A
            (0x0180, 0x024F),  # Latin Extended-B
            (0x0250, 0x02AF),  # IPA Extensions
            (0x02B0, 0x02FF),  # Spacing Modifier Letters
            (0x0300, 0x036F),  # Combining Diacritical Marks
            (0x0370, 0x03FF),  # Greek and Coptic
            (0x1E00, 0x1EFF),  # Latin Extended Additional
            (0x2000, 0x206F),  # General Punctuation
            (0x2070, 0x209F),  # Superscripts and Subscripts
            (0x20A0, 0x20CF),  # Currency Symbols
            (0x2100, 0x214F),  # Letterlike Symbols
            (0x2150, 0x218F),  # Number Forms
            (0x2190, 0x21FF),  # Arrows
            (0x2200, 0x22FF),  # Mathematical Operators
            (0x25CC, 0x25CC),  # dotted circle (shown for a stray combining mark)
            (0xFB00, 0xFB06),  # Latin ligatures
        )
        | medical_symbols()
    )


# What each family must map, or the build fails: (label, code points).
def required_coverage(family: Family) -> list[tuple[str, set[int]]]:
    if family is EXTRA:
        return []
    if family is SYMBOLS:
        return [("check marks and ballot boxes", {ord(c) for c in "✓✔✗✘☐☑☒"})]
    if family is TC:
        return [
            ("Big5 hanzi", big5_hanzi()),
            ("常用字字形表 characters", hong_kong_common()),
            ("medical symbols", medical_symbols()),
        ]
    if family is CJK:
        return [
            ("GB 2312 hanzi", gb2312_hanzi()),
            ("GB 2312 characters", gb2312_all()),
            ("通用规范汉字表 hanzi", tongyong_guifan_hanzi()),
            ("medical symbols", medical_symbols()),
        ]
    return [
        ("Basic Latin", _ranges((0x20, 0x7E))),
        ("Latin-1", _ranges((0xA0, 0xFF))),
        ("Latin Extended-A", _ranges((0x100, 0x17F))),
    ]


# --- Debian packages --------------------------------------------------------


def package_version(package: str) -> str:
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}\t${Version}", package],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise MissingDependency(
            f"dpkg-query not found: this script reads fonts from Debian packages ({', '.join(PACKAGES)})"
        ) from None
    status, _, version = out.stdout.partition("\t")
    if out.returncode != 0 or not status.endswith(" installed") or not version:
        raise MissingDependency(f"Debian package {package} is not installed")
    return version


def check_dependencies() -> dict[str, str]:
    """Return {package: version}; raise MissingDependency naming what is missing."""
    problems = []
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = package_version(package)
        except MissingDependency as exc:
            problems.append(str(exc))
    files = [face.source for family in FAMILIES for face in family.faces] + [UNIHAN_OTHER]
    files += [Path(f"/usr/share/doc/{family.package}/copyright") for family in FAMILIES]
    problems += [f"missing file {path}" for path in files if not path.is_file()]
    if problems:
        raise MissingDependency(
            "; ".join(problems)
            + f"\nInstall the Debian packages with: apt-get install {' '.join(PACKAGES)}"
        )
    return versions


# --- licences ---------------------------------------------------------------


def _dep5_paragraphs(text: str) -> list[dict[str, str]]:
    """Parse a machine-readable debian/copyright file into {field: value} paragraphs."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        paragraphs.append(fields)
    return paragraphs


def _dep5_body(value: str) -> str:
    """A multi-line DEP-5 value without its first line: indentation off, '.' lines blank."""
    lines = value.split("\n")[1:]
    out = []
    for line in lines:
        line = line[1:] if line.startswith(" ") else line
        out.append("" if line.strip() == "." else line.rstrip())
    return "\n".join(out).strip("\n") + "\n"


def licence_from_copyright(package: str) -> tuple[str, str, str]:
    """(copyright holders, licence short name, licence text) of `Files: *` in the package."""
    path = Path(f"/usr/share/doc/{package}/copyright")
    paragraphs = _dep5_paragraphs(path.read_text(encoding="utf-8"))
    files_star = next((p for p in paragraphs if p.get("Files", "").strip() == "*"), None)
    if files_star is None:
        raise VerificationError(f"{path}: no 'Files: *' paragraph")
    short_name = files_star["License"].split("\n")[0].strip()
    holders = "\n".join(line.strip() for line in files_star["Copyright"].split("\n") if line.strip())
    standalone = next(
        (p for p in paragraphs if "Files" not in p and p.get("License", "").split("\n")[0].strip() == short_name),
        None,
    )
    if standalone is None:
        raise VerificationError(f"{path}: no licence text for {short_name}")
    text = _dep5_body(standalone["License"])
    if "SIL OPEN FONT LICENSE" not in text.upper() and "OFL" not in short_name.upper() and "SIL" not in short_name.upper():
        raise VerificationError(f"{path}: {short_name} does not look like the SIL Open Font License")
    if "Reserved Font Name" not in text:
        raise VerificationError(f"{path}: {short_name} text lacks the OFL's Reserved Font Name clause")
    return holders, short_name, text


RFN_PATTERN = re.compile(r"Reserved\s+Font\s+Names?(?![\"”(])\s*:?\s*([^.;\n]*)", re.IGNORECASE)
QUOTED = re.compile(r"[\"“'‘]([^\"”'’]+)[\"”'’]")


def reserved_font_names(texts: list[str]) -> list[str]:
    """Names reserved by "... with Reserved Font Name 'X'" statements in the texts.

    The OFL's own wording ('"Reserved Font Name" refers to ...', 'the Reserved
    Font Name(s) unless ...') is not a reservation and is skipped.
    """
    names = set()
    for text in texts:
        for match in RFN_PATTERN.finditer(text):
            rest = match.group(1).strip()
            if not rest or rest.lower().startswith(("refers", "unless")):
                continue
            quoted = QUOTED.findall(rest)
            names.update(q.strip() for q in quoted) if quoted else names.add(rest.split(",")[0].strip())
    return sorted(names)


def licence_text(family: Family, versions: dict[str, str], notices: list[str], rfns: list[str]) -> str:
    holders, short_name, text = licence_from_copyright(family.package)
    notice_lines = "\n".join(dict.fromkeys(notices))  # the fonts' own notices, in order, deduplicated
    return (
        f"{family.name}\n"
        f"{'=' * len(family.name)}\n\n"
        f"{family.name} is a Modified Version of {family.source_family}, made by handbill's\n"
        f"tools/make_fonts.py (subset and renamed) from the Debian package\n"
        f"{family.package} {versions[family.package]}.\n\n"
        f"Copyright notices of the Original Version (font name record 0):\n"
        f"{notice_lines}\n\n"
        f"Copyright of the font files (Debian's /usr/share/doc/{family.package}/copyright):\n"
        f"{holders}\n\n"
        f"Reserved Font Names: {', '.join(rfns) if rfns else 'none'}.\n\n"
        f"This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        f"The licence follows, copied from /usr/share/doc/{family.package}/copyright\n"
        f"(License: {short_name}), with the copyright file's indentation removed.\n\n"
        f"-----------------------------------------------------------\n"
        f"SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007\n"
        f"-----------------------------------------------------------\n\n"
        + _strip_title(text)
    )


def _strip_title(text: str) -> str:
    """Drop the licence's own title block, if it has one (the header above repeats it)."""
    lines = text.split("\n")
    while lines and (not lines[0].strip() or set(lines[0].strip()) == {"-"} or lines[0].strip().upper().startswith("SIL OPEN FONT LICENSE")):
        lines.pop(0)
    return "\n".join(lines)


# --- fonts ------------------------------------------------------------------


def open_source_face(face: Face) -> TTFont:
    """Open the source face; in a collection, find it by its PostScript name."""
    if face.source.suffix.lower() in (".ttc", ".otc"):
        collection = TTCollection(str(face.source), lazy=True)
        matches = [
            index
            for index, font in enumerate(collection.fonts)
            if font["name"].getDebugName(6) == face.source_name
        ]
        names = [font["name"].getDebugName(6) for font in collection.fonts]
        collection.close()
        if len(matches) != 1:
            raise VerificationError(f"{face.source}: no single face named {face.source_name} (has {names})")
        font = TTFont(str(face.source), fontNumber=matches[0], recalcTimestamp=False, lazy=False)
    else:
        font = TTFont(str(face.source), recalcTimestamp=False, lazy=False)
        if font["name"].getDebugName(6) != face.source_name:
            raise VerificationError(f"{face.source}: expected {face.source_name}, found {font['name'].getDebugName(6)}")
    return font


def keep_only_zh_hans_language_systems(font: TTFont) -> None:
    """Remove the JAN/KOR/ZHT/ZHH language systems; keep the default ones and ZHS."""
    keep_only_language_system(font, "ZHS ")


def keep_only_language_system(font: TTFont, kept: str) -> None:
    """Remove every language system but the default ones and KEPT (an OpenType tag)."""
    for tag in ("GSUB", "GPOS"):
        if tag not in font:
            continue
        for record in font[tag].table.ScriptList.ScriptRecord:
            script = record.Script
            script.LangSysRecord = [r for r in script.LangSysRecord if r.LangSysTag == kept]
            script.LangSysCount = len(script.LangSysRecord)


def subset_font(font: TTFont, unicodes: set[int]) -> None:
    options = subset.Options()
    options.layout_features = ["*"]
    options.layout_scripts = ["*"]
    options.hinting = False
    options.glyph_names = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = [EN_US]
    options.name_legacy = False
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)


def rename(font: TTFont, family: Family, face: Face) -> list[str]:
    """Give the subset its own family name; return the source's copyright notices."""
    name = font["name"]
    source_version = name.getDebugName(5) or ""
    version_number = re.match(r"Version\s+([0-9.]+)", source_version)
    version_number = version_number.group(1) if version_number else f"{font['head'].fontRevision:.3f}"
    full_name = f"{family.name} {face.style_name}"
    ps_name = f"{family.ps_name}-{face.style_name.replace(' ', '')}"
    ribbi = face.style_name in ("Regular", "Bold", "Italic", "Bold Italic")
    modified = (
        f"Modified Version (subset, renamed) of {name.getDebugName(4)} "
        f"made by handbill's tools/make_fonts.py from Debian's {family.package}."
    )
    records = {r.nameID: r.toUnicode() for r in name.names if (r.platformID, r.platEncID, r.langID) == (3, 1, EN_US)}
    new = {nid: records[nid] for nid in (0, 7, 8, 9, 11, 12, 13, 14) if nid in records}
    new.update(
        {
            1: family.name,
            2: face.style_name,
            3: f"{version_number};handbill;{ps_name}",
            4: full_name,
            5: f"Version {version_number}; subset modified by handbill",
            6: ps_name,
            10: (records.get(10, "").strip() + " " + modified).strip(),
        }
    )
    if not ribbi or 16 in records or 17 in records:
        new[16] = family.name
        new[17] = face.style_name
    name.names = []
    for nid in sorted(new):
        name.setName(new[nid], nid, 3, 1, EN_US)

    if "CFF " in font:
        cff = font["CFF "].cff
        old_ps = cff.fontNames[0]
        top = cff[old_ps]
        cff.fontNames = [ps_name]
        top.FullName = full_name
        top.FamilyName = family.name
        for fd in getattr(top, "FDArray", []) or []:
            suffix = fd.FontName[len(old_ps):] if fd.FontName.startswith(old_ps) else "-" + fd.FontName.rsplit("-", 1)[-1]
            fd.FontName = ps_name + suffix
    return [records[0]] if 0 in records else []


def distinct_glyphs(font: TTFont) -> int:
    """Give every code point of FONT's cmap a glyph of its own; return how many were copied.

    A font may draw several characters with one glyph (Noto Sans CJK SC: · • ‧ ・,
    〜 ～, ‒ –, a space and a no-break space). A PDF's ToUnicode map says one text
    for a glyph, so a document that prints two of them gives back one of them,
    twice, when its text is copied. Each character after the first of a glyph gets
    a copy of that glyph (outline and metrics), so that copying gives back what was
    written. Layout features keep pointing at the first.
    """
    import copy
    from collections import defaultdict

    cmap = font.getBestCmap()
    order = font.getGlyphOrder()
    users = defaultdict(list)
    for code, glyph in sorted(cmap.items()):
        users[glyph].append(code)
    # A ligature's glyph that a character maps to too (Source Han sets —— as the glyph of
    # ⸺): the character gets a copy, so that the ligature copies back as what was written.
    for glyph in ligature_outputs(font):
        if glyph in users:
            users[glyph].insert(0, None)
    shared = {glyph: codes for glyph, codes in users.items() if len(codes) > 1}
    if not shared:
        return 0
    new_order = list(order)
    renamed: dict[int, str] = {}
    index = {name: i for i, name in enumerate(order)}
    cff = font["CFF "].cff.topDictIndex[0] if "CFF " in font else None
    # In a CID-keyed font a glyph's name is its CID (16 bits): new glyphs take the
    # lowest CIDs no glyph has (a subset leaves most of them free).
    taken = {int(n[3:]) for n in order if re.fullmatch(r"cid\d+", n)}
    free = (cid for cid in range(1, 65535) if cid not in taken)
    for glyph, codes in sorted(shared.items(), key=lambda item: index[item[0]]):
        for code in codes[1:]:
            name = f"{glyph}.u{code:04X}" if cff is None else f"cid{next(free):05d}"
            new_order.append(name)
            renamed[code] = name
            if cff is not None:
                strings = cff.CharStrings
                copied = copy.deepcopy(strings[glyph])
                if strings.charStringsAreIndexed:
                    strings.charStringsIndex.items.append(copied)
                    strings.charStrings[name] = len(strings.charStringsIndex.items) - 1
                else:
                    strings.charStrings[name] = copied
                if hasattr(cff, "FDSelect"):
                    cff.FDSelect.gidArray.append(cff.FDSelect.gidArray[index[glyph]])
            else:
                font["glyf"].glyphs[name] = copy.deepcopy(font["glyf"][glyph])
            for tag in ("hmtx", "vmtx"):
                if tag in font:
                    font[tag].metrics[name] = font[tag].metrics[glyph]
            if "VORG" in font and glyph in font["VORG"].VOriginRecords:
                font["VORG"].VOriginRecords[name] = font["VORG"].VOriginRecords[glyph]
            if "GDEF" in font and font["GDEF"].table.GlyphClassDef is not None:
                classes = font["GDEF"].table.GlyphClassDef.classDefs
                if glyph in classes:
                    classes[name] = classes[glyph]
    if cff is not None:
        cff.charset = new_order
    else:
        font["glyf"].glyphOrder = new_order
    font.setGlyphOrder(new_order)
    font["maxp"].numGlyphs = len(new_order)
    for table in font["cmap"].tables:
        for code, name in renamed.items():
            if code in table.cmap:
                table.cmap[code] = name
    return len(renamed)


def ligature_outputs(font: TTFont) -> set[str]:
    """The glyphs FONT's GSUB ligature substitutions make (type 4, or within type 7)."""
    found: set[str] = set()
    if "GSUB" not in font or font["GSUB"].table.LookupList is None:
        return found
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            if lookup.LookupType == 7:
                table = table.ExtSubTable
            if getattr(table, "LookupType", lookup.LookupType) == 4:
                found |= {lig.LigGlyph for ligs in table.ligatures.values() for lig in ligs}
    return found


def font_bytes(font: TTFont) -> bytes:
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=True)
    return buffer.getvalue()


def verify_font(data: bytes, family: Family) -> TTFont:
    font = TTFont(io.BytesIO(data), lazy=False)
    cmap = font.getBestCmap()
    problems = []
    for label, required in required_coverage(family):
        missing = sorted(required - cmap.keys())
        if missing:
            problems.append(f"{len(missing)} {label} unmapped, e.g. {''.join(map(chr, missing[:20]))}")
    if family is CJK and 0x5E72 not in cmap:
        problems.append("干 (U+5E72) is not mapped")
    if len(set(cmap.values())) != len(cmap) or set(cmap.values()) & ligature_outputs(font):
        problems.append("some characters still share a glyph, with another or with a ligature "
                        "(copying them from a PDF would give back another)")
    text = " ".join(r.toUnicode() for r in font["name"].names)
    if "Noto" in " ".join(font["name"].getDebugName(i) or "" for i in (1, 3, 4, 6, 16, 17)):
        problems.append("a name record still carries the source family name")
    if "CFF " in font and "Noto" in (font["CFF "].cff.fontNames[0] + str(font["CFF "].cff[0].FamilyName)):
        problems.append("the CFF table still carries the source family name")
    if "handbill" not in text:
        problems.append("name records do not say the font was modified by handbill")
    if problems:
        raise VerificationError(f"{family.name}: " + "; ".join(problems))
    return font


@dataclasses.dataclass
class Built:
    path: Path
    size: int
    glyphs: int
    mapped: int


def build(out: Path, verbose: bool = True) -> list[Built]:
    versions = check_dependencies()
    out.mkdir(parents=True, exist_ok=True)
    built: list[Built] = []
    cmaps: dict[str, set[int]] = {}
    manifest_families = []

    for family in FAMILIES:
        unicodes = cjk_unicodes() if family is CJK else latin_unicodes()
        notices: list[str] = []
        rfn_texts: list[str] = [Path(f"/usr/share/doc/{family.package}/copyright").read_text(encoding="utf-8")]
        faces = []
        cmaps[family.name] = set()
        for face in family.faces:
            font = open_source_face(face)
            rfn_texts += [font["name"].getDebugName(i) or "" for i in (0, 13)]
            if "CFF " in font:
                rfn_texts.append(str(getattr(font["CFF "].cff[0], "Notice", "")))
            if family is CJK:
                keep_only_zh_hans_language_systems(font)
            else:  # Noto Sans whole: every character it has prints in English text
                unicodes = set(font.getBestCmap())
            subset_font(font, unicodes)
            distinct_glyphs(font)
            notices += rename(font, family, face)
            data = font_bytes(font)
            checked = verify_font(data, family)
            file_name = family.file_name(face)
            path = out / file_name
            path.write_bytes(data)
            cmap = checked.getBestCmap()
            cmaps[family.name] |= set(cmap)
            record = Built(path, len(data), checked["maxp"].numGlyphs, len(cmap))
            built.append(record)
            if verbose:
                print(f"wrote {path}  {record.size:>9,} bytes  {record.glyphs:>5} glyphs  {record.mapped:>5} characters")
            faces.append((face, file_name))

        rfns = reserved_font_names(rfn_texts)
        clash = [rfn for rfn in rfns for word in (family.name, family.ps_name) if rfn.lower() in word.lower()]
        if clash:
            raise VerificationError(f"{family.name} uses a Reserved Font Name of its source: {clash}")
        licence = out / family.licence_file
        licence.write_text(licence_text(family, versions, notices, rfns), encoding="utf-8")
        built.append(Built(licence, licence.stat().st_size, 0, 0))
        if verbose:
            print(f"wrote {licence}  {licence.stat().st_size:>9,} bytes")
        manifest_families.append((family, faces))

    # Every medical symbol must be shown by one of the families.
    covered = set().union(*cmaps.values())
    missing = [ch for ch in MEDICAL_SYMBOLS if ord(ch) not in covered]
    if missing:
        raise VerificationError(f"medical symbols in no bundled font: {''.join(missing)}")

    manifest = out / "fonts.yaml"
    manifest.write_text(manifest_text(manifest_families, versions), encoding="utf-8")
    built.append(Built(manifest, manifest.stat().st_size, 0, 0))
    if verbose:
        print(f"wrote {manifest}  {manifest.stat().st_size:>9,} bytes")
        total = sum(b.size for b in built if b.glyphs)
        print(f"fonts total: {total:,} bytes ({total / 2**20:.2f} MiB)")
    return built


def source_index(face: Face) -> int:
    """The index of FACE in its collection, found by its PostScript name."""
    collection = TTCollection(str(face.source), lazy=True)
    names = [font["name"].getDebugName(6) for font in collection.fonts]
    collection.close()
    if names.count(face.source_name) != 1:
        raise VerificationError(f"{face.source}: no single face named {face.source_name} (has {names})")
    return names.index(face.source_name)


#: What Handbill Sans SC Extra keeps of what Handbill Sans SC has too.
SHARED_WITH_EXTRA = _ranges((0x0020, 0x007E), (0x00A0, 0x00A0), (0x2000, 0x206F),
                            (0x3000, 0x303F), (0xFF00, 0xFFEF))


def build_extra(out: Path, base: Path, verbose: bool = True) -> list[Built]:
    """Handbill Sans SC Extra: what Noto Sans CJK SC has beyond Handbill Sans SC (in BASE).

    Made by `make setup` from Debian's fonts-noto-cjk, not kept in git (12 MB a
    weight). HarfBuzz subsets (fontTools takes minutes on 35,000 characters), then
    fontTools gives every character its own glyph and renames the font, as for the
    bundled families.
    """
    import uharfbuzz as hb

    versions = check_dependencies()
    out.mkdir(parents=True, exist_ok=True)
    built, faces, notices = [], [], []
    rfn_texts = [Path(f"/usr/share/doc/{EXTRA.package}/copyright").read_text(encoding="utf-8")]
    for face in EXTRA.faces:
        base_cmap = set(TTFont(str(base / CJK.file_name(face)), lazy=True).getBestCmap())
        source = hb.Face(hb.Blob.from_file_path(str(face.source)), source_index(face))
        # What Handbill Sans SC lacks, and the spaces and punctuation text around it uses:
        # a run of rare hanzi set in this font may take the space or comma after it along.
        wanted = sorted((set(source.unicodes) - base_cmap)
                        | (set(source.unicodes) & base_cmap & SHARED_WITH_EXTRA))
        plan = subset_input(wanted)
        subset = hb.subset(source, plan)
        if subset is None:
            raise VerificationError(f"HarfBuzz could not subset {face.source}")
        font = TTFont(io.BytesIO(subset.blob.data), recalcTimestamp=False)
        rfn_texts += [font["name"].getDebugName(i) or "" for i in (0, 13)]
        keep_only_zh_hans_language_systems(font)
        distinct_glyphs(font)
        notices += rename(font, EXTRA, face)
        data = font_bytes(font)
        checked = verify_font(data, EXTRA)
        path = out / EXTRA.file_name(face)
        path.write_bytes(data)
        record = Built(path, len(data), checked["maxp"].numGlyphs, len(checked.getBestCmap()))
        built.append(record)
        if verbose:
            print(f"wrote {path}  {record.size:>9,} bytes  {record.glyphs:>5} glyphs  "
                  f"{record.mapped:>5} characters")
        faces.append((face, EXTRA.file_name(face)))
    rfns = reserved_font_names(rfn_texts)
    licence = out / EXTRA.licence_file
    licence.write_text(licence_text(EXTRA, versions, notices, rfns), encoding="utf-8")
    manifest = out / "fonts.yaml"
    manifest.write_text(manifest_text([(EXTRA, faces)], versions), encoding="utf-8")
    built += [Built(licence, licence.stat().st_size, 0, 0),
              Built(manifest, manifest.stat().st_size, 0, 0)]
    return built


def build_tc(out: Path, verbose: bool = True) -> list[Built]:
    """Handbill Sans TC: Big5 and Hong Kong's common characters from Noto Sans CJK TC.

    Made by `make setup` from Debian's fonts-noto-cjk, not kept in git (3.8 MB a
    weight). HarfBuzz cuts the face out of the collection (in a second: fontTools
    takes half a minute to write the whole face); fontTools then drops every
    language system but ZHT and subsets again, so that the glyphs only the other
    regions' 'locl' lookups reach go, gives every character its own glyph and
    renames the font, as for the bundled families.
    """
    import uharfbuzz as hb

    versions = check_dependencies()
    if not UNIHAN_DICTIONARY.is_file():
        raise MissingDependency(f"missing file {UNIHAN_DICTIONARY}\nInstall the Debian "
                                f"packages with: apt-get install {' '.join(PACKAGES)}")
    out.mkdir(parents=True, exist_ok=True)
    built, faces, notices = [], [], []
    rfn_texts = [Path(f"/usr/share/doc/{TC.package}/copyright").read_text(encoding="utf-8")]
    unicodes = tc_unicodes()
    for face in TC.faces:
        source = hb.Face(hb.Blob.from_file_path(str(face.source)), source_index(face))
        wanted = sorted(unicodes & set(source.unicodes))
        plan = subset_input(wanted)
        cut = hb.subset(source, plan)
        if cut is None:
            raise VerificationError(f"HarfBuzz could not subset {face.source}")
        font = TTFont(io.BytesIO(cut.blob.data), recalcTimestamp=False, lazy=False)
        rfn_texts += [font["name"].getDebugName(i) or "" for i in (0, 13)]
        if "CFF " in font:
            rfn_texts.append(str(getattr(font["CFF "].cff[0], "Notice", "")))
        keep_only_language_system(font, "ZHT ")
        subset_font(font, set(wanted))
        distinct_glyphs(font)
        notices += rename(font, TC, face)
        data = font_bytes(font)
        checked = verify_font(data, TC)
        path = out / TC.file_name(face)
        path.write_bytes(data)
        record = Built(path, len(data), checked["maxp"].numGlyphs, len(checked.getBestCmap()))
        built.append(record)
        if verbose:
            print(f"wrote {path}  {record.size:>9,} bytes  {record.glyphs:>5} glyphs  "
                  f"{record.mapped:>5} characters")
        faces.append((face, TC.file_name(face)))
    rfns = reserved_font_names(rfn_texts)
    clash = [rfn for rfn in rfns for word in (TC.name, TC.ps_name) if rfn.lower() in word.lower()]
    if clash:
        raise VerificationError(f"{TC.name} uses a Reserved Font Name of its source: {clash}")
    licence = out / TC.licence_file
    licence.write_text(licence_text(TC, versions, notices, rfns), encoding="utf-8")
    manifest = out / "fonts.yaml"
    manifest.write_text(manifest_text([(TC, faces)], versions), encoding="utf-8")
    built += [Built(licence, licence.stat().st_size, 0, 0),
              Built(manifest, manifest.stat().st_size, 0, 0)]
    return built


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of YAML's)."""
    return json.dumps(value, ensure_ascii=False)


def manifest_text(families: list[tuple[Family, list[tuple[Face, str]]]], versions: dict[str, str]) -> str:
    lines = [
        "# Fonts bundled with handbill. Written by tools/make_fonts.py: do not edit by hand,",
        "# run `.venv/bin/python tools/make_fonts.py` (and `--check` to verify the files).",
        "# Each family is a subset, renamed, of a Debian package's font, under the SIL OFL 1.1.",
        "families:",
    ]
    for family, faces in families:
        lines += [
            f"  - family: {_q(family.name)}",
            f"    languages: [{', '.join(family.languages)}]",
            f"    licence: {family.licence_file}",
            f"    coverage: {_q(family.coverage)}",
        ]
        if family is CJK:
            lines.append(
                f"    charset_source: {_q('unicode-data ' + versions['unicode-data'] + ' (Unihan kTGH)')}"
            )
        lines.append("    faces:")
        for face, file_name in faces:
            lines += [
                f"      - file: {file_name}",
                f"        weight: {face.weight}",
                f"        style: {face.style}",
                f"        source: {face.source}",
                f"        source_face: {face.source_name}",
                f"        package: {family.package}",
                f"        package_version: {_q(versions[family.package])}",
            ]
    return "\n".join(lines) + "\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check(out: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="handbill-fonts-") as tmp:
        built = build(Path(tmp), verbose=False)
        differing = []
        for record in built:
            committed = out / record.path.name
            if not committed.is_file():
                differing.append(f"{committed}: missing")
            elif sha256(committed) != sha256(record.path):
                differing.append(f"{committed}: differs from a fresh build")
            else:
                print(f"ok {committed}  {record.size:,} bytes")
    if differing:
        print("\n".join(differing), file=sys.stderr)
        print(
            f"the bundled fonts are not what this machine builds (fontTools {fonttools_version}, "
            f"uharfbuzz {_uharfbuzz_version()}; a different fontTools, uharfbuzz or Debian "
            f"package version changes the bytes)",
            file=sys.stderr,
        )
        return 1
    print("all bundled font files are reproducible")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT.relative_to(REPO)})")
    parser.add_argument("--check", action="store_true", help="rebuild in a temporary folder; exit 1 if any file differs from --out")
    parser.add_argument("--extra", action="store_true",
                        help="build Handbill Sans SC Extra (what Noto Sans CJK SC has beyond the "
                             "bundled face) into OUT/extra, from the fonts in OUT")
    parser.add_argument("--tc", action="store_true",
                        help="build Handbill Sans TC (Big5 and Hong Kong's common characters "
                             "from Noto Sans CJK TC) into OUT/tc")
    args = parser.parse_args(argv)
    try:
        if args.tc:
            build_tc(args.out / "tc")
            return 0
        if args.extra:
            build_extra(args.out / "extra", args.out)
            return 0
        if args.check:
            return check(args.out)
        build(args.out)
        return 0
    except MissingDependency as exc:
        print(f"make_fonts: {exc}", file=sys.stderr)
        return 2
    except VerificationError as exc:
        print(f"make_fonts: verification failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
