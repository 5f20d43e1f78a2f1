"""Compile one Typst source once a row, its values as sys.inputs (bench/rows.py).

    python typst_rows.py ROOT FONT_DIR SOURCE ROWS.json OUT_DIR START STEP

Compiles rows[START::STEP] into OUT_DIR/<id>.pdf, one after another.
"""

import json
import sys

import typst


def main(argv: list[str]) -> int:
    root, font_dir, source, rows, out, start, step = argv
    for row in json.loads(open(rows, encoding="utf-8").read())[int(start)::int(step)]:
        inputs = {k: v for k, v in row.items() if k != "id"}
        typst.compile(source, output=f"{out}/{row['id']}.pdf", root=root,
                      font_paths=[font_dir], sys_inputs=inputs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
