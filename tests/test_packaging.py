"""The wheel carries the built-in layouts and the bundled fonts as package data."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import REPO


def test_wheel_holds_layouts_and_fonts(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--disable-pip-version-check", "-w", str(tmp_path), str(REPO)],
                   check=True, capture_output=True)
    [wheel] = tmp_path.glob("handbill-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for layout_file in (REPO / "layouts").rglob("*"):
        if layout_file.is_file():
            assert f"handbill/layouts/{layout_file.relative_to(REPO / 'layouts').as_posix()}" in names
    assert "handbill/assets/fonts/HandbillSansSC-Regular.otf" in names
    assert "handbill/assets/fonts/HandbillText-OFL.txt" in names
    assert "handbill/cli.py" in names
    assert not [n for n in names if n.startswith(("handbill/tests", "content/", "tests/"))]
