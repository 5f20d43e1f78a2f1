"""Fonts: bundled and self-contained, resolved in order, every character covered or located."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from handbill.cli import run
from handbill.cache import Cache
from handbill.errors import LayoutError
from handbill.fonts import bundled_fonts_dir, plan_fonts
from handbill.subset import subset_face
from pdfcheck import all_text, body_text, fonts, markdown_blocks, sentences, squash, vancouver_cite

from conftest import REPO, SAMPLE

TORTURE = Path(__file__).parent / "fixtures" / "torture"
RADICALS = [chr(c) for c in range(0x2E80, 0x2FE0)]  # CJK Radicals Supplement, Kangxi Radicals


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _no_font_environment(tmp_path: Path) -> dict:
    """An environment in which fontconfig sees no font at all."""
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<fontconfig><cachedir>'
                      f'{tmp_path / "fc-cache"}</cachedir></fontconfig>\n', encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(config)}


def test_bundled_fonts_are_small_licensed_and_renamed():
    files = sorted(bundled_fonts_dir().glob("*.[ot]tf"))
    assert {f.name for f in files} >= {"HandbillSansSC-Regular.otf", "HandbillSansSC-Bold.otf",
                                       "HandbillText-Regular.ttf", "HandbillText-Bold.ttf"}
    assert sum(f.stat().st_size for f in files) <= 8_000_000
    for licence in ("HandbillSansSC-OFL.txt", "HandbillText-OFL.txt"):
        assert "SIL OPEN FONT LICENSE" in (bundled_fonts_dir() / licence).read_text().upper()
    plan = plan_fonts(REPO)
    # Handbill Sans SC Extra and Handbill Sans TC: made by `make setup`, which `make test`
    # runs first.
    assert set(plan.faces) == {"Handbill Text", "Handbill Sans SC", "Handbill Symbols",
                               "Handbill Sans SC Extra", "Handbill Sans TC"}
    assert all(face.origin == "bundled" for faces in plan.faces.values() for face in faces)


def test_cjk_face_covers_gb2312_and_medical_symbols():
    from handbill.coverage import cmap
    from handbill.fonts import regular_face

    plan = plan_fonts(REPO)
    covered = cmap(regular_face(plan.faces["Handbill Sans SC"]))
    hanzi = [c for c in range(0x4E00, 0xA000) if _in_gb2312(chr(c))]
    assert len(hanzi) == 6763
    assert all(c in covered for c in hanzi)
    assert all(ord(c) in covered for c in "βµ≥≤±°℃×²–—‘’“”「」《》、。，；：？！\u3000")


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def test_sample_builds_with_no_font_visible_to_fontconfig(tmp_path):
    env = _no_font_environment(tmp_path)
    listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True, check=True)
    assert listed.stdout.strip() == ""  # fontconfig sees nothing: no CJK font, no font at all
    result = subprocess.run(
        [sys.executable, "-m", "handbill", "--project", str(REPO), "build", str(SAMPLE),
         "--out", str(tmp_path / "out")], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "out" / "stem-cells-t2dm" / "handout.pdf"
    text = squash("".join(body_text(pdf)))
    for block in markdown_blocks((SAMPLE / "zh-Hans.md").read_text(encoding="utf-8"),
                                 cite=vancouver_cite(SAMPLE)):
        for sentence in sentences(block):
            assert squash(sentence) in text, sentence
    assert {name.partition("+")[2] for name in fonts(pdf)} == {
        "Handbill-Text", "Handbill-Text-Bold", "Handbill-Sans-SC", "Handbill-Sans-SC-Bold"}


@pytest.mark.parametrize("extract", [all_text, _pdftotext], ids=["pdfium", "pdftotext"])
def test_chinese_extracts_as_ideographs_not_radicals(sample_build, extract):
    text = extract(sample_build / "stem-cells-t2dm" / "handout.pdf")
    assert "干细胞" in text
    assert not [c for c in text if c in RADICALS]
    for block in markdown_blocks((SAMPLE / "zh-Hans.md").read_text(encoding="utf-8"),
                                 cite=vancouver_cite(SAMPLE)):
        for sentence in sentences(block):
            assert squash(sentence) in squash(text), sentence


def test_torture_text_fails_coverage_at_each_characters_place(tmp_path, capsys):
    shutil.copytree(TORTURE, tmp_path / "content" / "torture")
    assert run(["--project", str(tmp_path), "build"]) == 1
    err = capsys.readouterr().err
    # Rare hanzi, Traditional forms and Extension B names (𠮷 體 鬱 龍 on line 9) print:
    # Noto Sans CJK SC has them (Handbill Sans SC Extra). These two it has not.
    expected = [
        ("en.md", 7, 9, "😀", "1F600", "en"),
        ("zh-Hans.md", 11, 6, "𪚥", "2A6A5", "zh-Hans"),
        ("zh-Hans.md", 11, 8, "𫝀", "2B740", "zh-Hans"),
    ]
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == len(expected), err
    for (name, line, column, char, code, lang), message in zip(expected, errors):
        assert message == (f"content/torture/{name}:{line}:{column}: error: no font covers "
                           f"'{char}' (U+{code}) for {lang} [font-coverage]")
        source = (TORTURE / name).read_text(encoding="utf-8").splitlines()[line - 1]
        assert source[column - 1] == char  # the column is right, counted in characters
    assert "hint: " in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("extract", [all_text, _pdftotext], ids=["pdfium", "pdftotext"])
def test_torture_text_that_fonts_cover_prints_and_extracts_exactly(tmp_path, extract):
    bundle = tmp_path / "content" / "torture"
    shutil.copytree(TORTURE, bundle)
    for name in ("en.md", "zh-Hans.md"):  # drop the lines no font covers
        path = bundle / name
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(l for l in lines if not any(c in l for c in "😀𪚥")) + "\n",
                        encoding="utf-8")
    assert run(["--project", str(tmp_path), "build"]) == 0
    text = extract(tmp_path / "out" / "torture" / "handout.pdf")
    flat = unicodedata.normalize("NFC", squash(text))
    for name in ("en.md", "zh-Hans.md"):
        for block in markdown_blocks((bundle / name).read_text(encoding="utf-8")):
            assert unicodedata.normalize("NFC", squash(block)) in flat, block
    for char in "αβγΔΩ≥≤±µ℃「」《》、。，；：？！é𠮷體鬱龍":
        assert char in text, char
    assert not [c for c in text if c in RADICALS]


def test_project_fonts_come_before_bundled_ones(tmp_path):
    (tmp_path / "fonts").mkdir()
    shutil.copy(bundled_fonts_dir() / "HandbillText-Regular.ttf", tmp_path / "fonts" / "mine.ttf")
    plan = plan_fonts(tmp_path)
    [face] = plan.faces["Handbill Text"]  # a project family replaces the bundled one whole
    assert face.origin == "project" and face.path == tmp_path / "fonts" / "mine.ttf"
    assert all(face.origin == "bundled" for face in plan.faces["Handbill Sans SC"])


def test_a_font_replaced_in_one_process_is_read_again(tmp_path):
    # As in `handbill watch`: the same process plans fonts, the file changes, it plans again.
    from handbill.coverage import cmap
    from handbill.subset import _subset_key

    mine = tmp_path / "fonts" / "mine.ttf"
    mine.parent.mkdir()
    shutil.copy(bundled_fonts_dir() / "HandbillText-Regular.ttf", mine)
    [before] = plan_fonts(tmp_path).faces["Handbill Text"]
    assert ord("β") in cmap(before)
    name_before, _ = _subset_key(before, frozenset("ab"))
    smaller = subset_face(before, frozenset("abc"), Cache(tmp_path, "fonts"))  # no β in it
    shutil.copy(smaller, mine)
    os.utime(mine, ns=(before.stamp[0] + 10**9, before.stamp[0] + 10**9))
    [after] = plan_fonts(tmp_path).faces["Handbill Text"]
    assert after.stamp != before.stamp
    assert ord("β") not in cmap(after)
    assert _subset_key(after, frozenset("ab"))[0] != name_before  # the new file's own subsets


def test_system_fonts_only_when_the_config_asks(tmp_path, capsys):
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "languages.yaml").write_text("en:\n  fonts: [DejaVu Sans]\n", encoding="utf-8")
    (layouts / "fonts.yaml").write_text("system: []\n", encoding="utf-8")
    with pytest.raises(LayoutError) as error:
        plan_fonts(tmp_path)
    # at the row that names it, in the project's languages table
    assert error.value.diagnostics[0].format().startswith(
        "layouts/languages.yaml:1: error: font family 'DejaVu Sans' (en) not found in fonts/, "
        "handbill's bundled fonts")
    (layouts / "fonts.yaml").write_text("system: [DejaVu Sans]\n", encoding="utf-8")
    faces = plan_fonts(tmp_path).faces["DejaVu Sans"]
    assert faces and all(face.origin == "system" for face in faces)
    assert run(["--project", str(tmp_path), "fonts"]) == 0
    out = capsys.readouterr().out
    assert "en: DejaVu Sans" in out and "[system]" in out


def test_subsets_are_deterministic_and_cached(tmp_path):
    plan = plan_fonts(REPO)
    face = plan.faces["Handbill Sans SC"][0]
    chars = frozenset("干细胞疗法 Stem cells β 2型")
    first = subset_face(face, chars, Cache(tmp_path / "a", "fonts"))
    second = subset_face(face, chars, Cache(tmp_path / "b", "fonts"))
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size < 60_000
    mtime = first.stat().st_mtime_ns
    assert subset_face(face, chars, Cache(tmp_path / "a", "fonts")) == first
    assert first.stat().st_mtime_ns == mtime  # reused, not rewritten
    assert subset_face(face, chars | {"糖"}, Cache(tmp_path / "a", "fonts")) != first


def test_subsets_keep_layout_features_and_names(tmp_path):
    from fontTools.ttLib import TTFont

    face = plan_fonts(REPO).faces["Handbill Sans SC"][0]
    subset = TTFont(subset_face(face, frozenset("「引号」《书名》、"), Cache(tmp_path, "fonts")))
    source = TTFont(face.path)
    features = {r.FeatureTag for r in subset["GPOS"].table.FeatureList.FeatureRecord}
    assert {"halt", "palt", "vhal"} <= features  # punctuation compression needs halt
    assert {r.FeatureTag for r in subset["GSUB"].table.FeatureList.FeatureRecord} >= {"vert"}
    assert subset["name"].getDebugName(1) == "Handbill Sans SC"
    assert {(n.nameID, n.langID) for n in subset["name"].names} == \
        {(n.nameID, n.langID) for n in source["name"].names}


def test_fonts_command_lists_files_versions_glyphs_licences(capsys):
    assert run(["--project", str(REPO), "fonts"]) == 0
    out = capsys.readouterr().out
    assert "en: Handbill Text > Handbill Sans SC" in out
    assert "zh-Hans: Handbill Sans SC > Handbill Text" in out
    assert "HandbillSansSC-Regular.otf [bundled]" in out
    assert "10,919 glyphs" in out
    assert "HandbillSansSCExtra-Regular.otf [bundled]" in out
    assert "licence: HandbillSansSC-OFL.txt (SIL OFL 1.1)" in out


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="the fonts' sources are Debian packages")
def test_bundled_fonts_rebuild_byte_for_byte():
    result = subprocess.run([sys.executable, str(REPO / "tools" / "make_fonts.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all bundled font files are reproducible" in result.stdout


@pytest.mark.parametrize("bundle_dir, layout", [
    (SAMPLE, "handout"), (SAMPLE, "parallel"), (SAMPLE, "trifold"), (SAMPLE, "booklet"),
    (TORTURE, "handout")])
def test_coverage_scan_reads_the_text_an_html5_parser_reads(bundle_dir, layout):
    # The preflight scans the HTML with the standard library's parser (fast); an HTML5
    # tree (tinyhtml5, WeasyPrint's parser) must give each language the same characters.
    import tinyhtml5

    from handbill.citations import find_style, resolve_citations
    from handbill.content import load_bundle
    from handbill.coverage import scan
    from handbill.layouts import find_layout
    from handbill.render import render_html
    from handbill.site import load_site

    chosen = find_layout(layout, REPO)
    bundle = load_bundle(bundle_dir, REPO)
    bundle = bundle.shortened() if chosen.text == "short" else bundle
    bibliography = resolve_citations(bundle, find_style("vancouver", bundle, REPO), REPO)
    html = render_html(bundle, chosen, bundle.meta.languages, chosen.resolve_options({}), REPO,
                       bibliography, load_site(REPO))
    text, css = scan(html, "en", REPO)
    tree = tinyhtml5.parse(html, namespace_html_elements=False)
    expected: dict[str, set[str]] = {}

    def walk(element, lang):
        lang = element.get("lang", lang)
        if element.tag in ("head", "script", "style", "title"):
            return
        expected.setdefault(lang, set()).update(element.text or "")
        for child in element:
            walk(child, lang)
            expected.setdefault(lang, set()).update(child.tail or "")

    walk(tree, tree.get("lang", "en"))
    assert {lang: set(t) for lang, t in text.items()} == \
        {lang: chars for lang, chars in expected.items() if chars}
    assert set(text) == {"en", "zh-Hans"}
    assert any("@page" in source for source in css)  # the layout's linked stylesheets
