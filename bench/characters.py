"""What printing every character of Noto Sans CJK SC and Noto Sans costs (issue 13).

Side by side in one run, each build a fresh `handbill build` process:

- *before*: the fonts handbill bundled before issue 13 (commit BEFORE: GB 2312,
  the 8,105 general-standard hanzi, a symbol list; Noto Sans Latin-Greek-Cyrillic
  only), put in the project's fonts/ folder, where they win over the bundled ones;
- *after*: the bundled fonts as they are now (Handbill Text = Noto Sans whole,
  Handbill Sans SC with the symbol ranges, Handbill Symbols), and Handbill Sans
  SC Extra, loaded only by a document that prints one of its characters.

Rows: the sample's handout and trifold, cold (font-subset cache deleted) and warm;
the corpus's fasting-test handout (units, ①–⑳, ✓, ⚠; the old fonts refuse it);
the sample with one rare hanzi added (which loads the 12 MB Extra). Sizes: the
fonts kept in git, before and after, and the Extra made at set-up.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BEFORE = "0fa6eac"  # the last commit before issue 13 widened the fonts
REPO = Path(__file__).resolve().parent.parent
HANDBILL = Path(sys.executable).parent / "handbill"
FONTS = "src/handbill/assets/fonts"


def _git_sizes(commit: str) -> int:
    out = subprocess.run(["git", "-C", str(REPO), "ls-tree", "-r", "-l", commit, "--", FONTS],
                         capture_output=True, text=True, check=True).stdout
    return sum(int(line.split()[3]) for line in out.splitlines())


def _project(folder: Path, before: bool, rare: bool = False) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", folder / "site.yaml")
    shutil.copytree(REPO / "assets", folder / "assets")
    shutil.copytree(REPO / "content", folder / "content")
    shutil.copytree(REPO / "tests" / "corpus" / "fasting-blood-test",
                    folder / "content" / "fasting-blood-test")
    if rare:
        zh = folder / "content" / "stem-cells-t2dm" / "zh-Hans.md"
        zh.write_text(zh.read_text(encoding="utf-8") + "\n患者姓名：王㐀。\n", encoding="utf-8")
    if before:
        fonts = folder / "fonts"
        fonts.mkdir()
        listing = subprocess.run(["git", "-C", str(REPO), "ls-tree", "--name-only", BEFORE,
                                  f"{FONTS}/"], capture_output=True, text=True, check=True)
        for name in listing.stdout.split():
            if name.endswith((".otf", ".ttf")):
                data = subprocess.run(["git", "-C", str(REPO), "show", f"{BEFORE}:{name}"],
                                      capture_output=True, check=True).stdout
                (fonts / Path(name).name).write_bytes(data)
    return folder


def _build(project: Path, bundle: str, layout: str, cold: bool, runs: int):
    """(median seconds, PDF bytes, or an error line)."""
    times, size = [], None
    for _ in range(runs):
        shutil.rmtree(project / "out", ignore_errors=True)
        if cold:
            shutil.rmtree(project / ".cache", ignore_errors=True)
        started = time.perf_counter()
        done = subprocess.run([str(HANDBILL), "--project", str(project), "build",
                               str(project / "content" / bundle), "--layout", layout],
                              capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode:
            first = next((line for line in done.stdout.splitlines() + done.stderr.splitlines()
                          if "error" in line), "failed")
            return None, None, first.split(": error: ")[-1][:60]
        size = (project / "out" / bundle / f"{layout}.pdf").stat().st_size
    return statistics.median(times), size, ""


def measure(folder: Path, runs: int, log) -> list[tuple]:
    """Rows of (document, fonts, seconds, bytes, note)."""
    rows = []
    projects = {"before": _project(folder / "before", True),
                "after": _project(folder / "after", False)}
    cases = [("sample handout, cold", "stem-cells-t2dm", "handout", True, "after"),
             ("sample handout, warm", "stem-cells-t2dm", "handout", False, "after"),
             ("sample trifold, cold", "stem-cells-t2dm", "trifold", True, "after"),
             ("fasting-test handout (①–⑳ ✓ ⚠ ㎎), cold", "fasting-blood-test", "handout", True,
              "after")]
    for label, bundle, layout, cold, _ in cases:
        for fonts in ("before", "after"):
            seconds, size, note = _build(projects[fonts], bundle, layout, cold, runs)
            rows.append((label, fonts, seconds, size, note))
            log(f"characters: {label} ({fonts}) "
                + (f"{seconds:.2f} s {size:,} bytes" if seconds else note))
    rare = _project(folder / "rare", False, rare=True)
    seconds, size, note = _build(rare, "stem-cells-t2dm", "handout", True, runs)
    rows.append(("sample handout + one Extension A hanzi (㐀), cold", "after + Extra", seconds,
                 size, note))
    log(f"characters: rare ({seconds} s)")
    return rows


def render(rows: list[tuple], runs: int) -> str:
    extra = REPO / FONTS / "extra"
    extra_size = sum(p.stat().st_size for p in extra.glob("*.otf")) if extra.is_dir() else 0
    out = [f"Character coverage (issue 13): fonts before ({BEFORE}) and after, each row the "
           f"median of {runs} builds in fresh processes; ratio: after against before",
           f"fonts in git: before {_git_sizes(BEFORE):,} bytes, after {_git_sizes('HEAD'):,} "
           f"bytes; Handbill Sans SC Extra (made by make setup, not in git): {extra_size:,} bytes",
           f"{'document':<50} {'fonts':<14} {'seconds':>8} {'PDF bytes':>10} {'ratio':>7}  note",
           "-" * 100]
    before: dict[str, tuple] = {}
    for label, fonts, seconds, size, note in rows:
        ratio = ""
        if fonts == "before":
            before[label] = (seconds, size)
        elif label in before and before[label][0] and seconds:
            ratio = f"{seconds / before[label][0]:.2f}x"
        out.append(f"{label:<50} {fonts:<14} "
                   f"{(f'{seconds:.2f}' if seconds else '-'):>8} "
                   f"{(f'{size:,}' if size else '-'):>10} {ratio:>7}  {note}")
    return "\n".join(out)
