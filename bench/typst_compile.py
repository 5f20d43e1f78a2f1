"""Compile Typst sources to PDF with the typst package from PyPI, one after another.

    python typst_compile.py ROOT FONT_DIR IN.typ OUT.pdf [IN.typ OUT.pdf ...]

ROOT is the Typst root folder (absolute paths in the sources start there);
FONT_DIR is searched for fonts besides the system's.
"""

import sys

import typst


def main(argv: list[str]) -> int:
    root, font_dir, *pairs = argv
    for source, out in zip(pairs[::2], pairs[1::2]):
        typst.compile(source, output=out, root=root, font_paths=[font_dir])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
