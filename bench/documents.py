"""The benchmarked documents, generated into a temporary project from the sample bundle.

Longer documents repeat the sample's Markdown bodies (both languages) with the
same meta.yaml, references.yaml and cover.svg; variants change only the title.
Every generated meta.yaml names only the handout layout (the sample's names
four), so a plain `handbill build` makes exactly the PDFs the others make.
The inputs every contender reads (handbill's bundle, the HTML for plain
WeasyPrint, the Typst source) are all made here, once per document.
"""

from __future__ import annotations

import re
import shutil
from urllib.parse import unquote
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "content" / "stem-cells-t2dm"
#: Repeats of the second probe document that fixes pages per repeat.
PROBE_REPEATS = 5
#: The one layout every generated bundle builds (the one naive WeasyPrint and Typst imitate).
LAYOUT = "handout"


@dataclass(frozen=True)
class Document:
    name: str  # its folder under <project>/content/
    label: str  # as the tables show it
    bundle: Path
    repeats: int


def make_bundle(project: Path, name: str, repeats: int = 1, title_suffix: str = "") -> Path:
    """A copy of the sample as <project>/content/NAME, bodies repeated, titles suffixed,
    building the LAYOUT only."""
    target = project / "content" / name
    shutil.copytree(SAMPLE, target)
    if repeats > 1:
        for body in target.glob("*.md"):
            text = body.read_text(encoding="utf-8").strip()
            body.write_text("\n\n".join([text] * repeats) + "\n", encoding="utf-8")
    meta_path = target / "meta.yaml"
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    meta["layouts"] = [LAYOUT]
    if title_suffix:
        meta["title"] = {lang: f"{title} {title_suffix}" for lang, title in meta["title"].items()}
    meta_path.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
                         encoding="utf-8")
    return target


def fit_repeats(project: Path, targets: list[int], pages_of: Callable[[Path], int]) -> dict[int, int]:
    """Repeat counts that give about each TARGET page count.

    Pages grow linearly with the repeats; the line goes through the page counts
    of 1 and PROBE_REPEATS repeats, as built by PAGES_OF (a bundle -> its pages).
    """
    probes = {n: make_bundle(project, f"probe-{n}", n) for n in (1, PROBE_REPEATS)}
    pages = {n: pages_of(bundle) for n, bundle in probes.items()}
    for bundle in probes.values():
        shutil.rmtree(bundle)
    per_repeat = (pages[PROBE_REPEATS] - pages[1]) / (PROBE_REPEATS - 1)
    return {t: max(1, round(1 + (t - pages[1]) / per_repeat)) for t in targets}


def handbill_html(bundle_dir: Path, project: Path) -> str:
    """The HTML handbill renders for BUNDLE_DIR's handout, through its Python API."""
    from handbill.content import load_bundle
    from handbill.layouts import find_layout
    from handbill.render import render_html

    bundle = load_bundle(bundle_dir, project)
    layout = find_layout(LAYOUT, project)
    return render_html(bundle, layout, bundle.meta.languages, layout.resolve_options({}), project)


def whole_fonts_css(project: Path) -> str:
    """The @font-face CSS handbill writes for the handout's fonts, the files whole (no subset)."""
    from handbill.fonts import plan_fonts
    from handbill.layouts import find_layout
    from handbill.subset import font_face_css

    return font_face_css(plan_fonts(project, find_layout(LAYOUT, project)), None, project)


def uses_font_face(html: str) -> bool:
    """Whether HTML, or a local stylesheet it links, declares @font-face fonts."""
    linked = [Path(unquote(m)) for m in re.findall(r'href="file://([^"]+\.css)"', html)]
    sources = [html] + [p.read_text(encoding="utf-8", errors="replace")
                        for p in linked if p.is_file()]
    return any("@font-face" in re.sub(r"/\*.*?\*/", "", source, flags=re.S) for source in sources)


def typst_source(bundle_dir: Path, project: Path) -> str:
    """BUNDLE_DIR as a Typst document whose root folder is PROJECT."""
    from handbill.content import load_bundle

    from to_typst import bundle_to_typst

    return bundle_to_typst(load_bundle(bundle_dir, project), project)
