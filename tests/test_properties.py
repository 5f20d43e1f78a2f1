"""Property-based: generated Markdown and YAML go through loading and rendering without a
traceback; each either loads (and renders) or gives a located diagnostic."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from handbill.content import load_bundle
from handbill.errors import HandbillError
from handbill.layouts import find_layout
from handbill.render import render_html

from conftest import SAMPLE

MARKDOWN_PIECES = st.sampled_from([
    "## Heading\n", "Text with *emphasis* and **bold**.\n", "- item\n", "1. step\n", "  - nested\n",
    "[@hu2016]", "[@nokey]", "@hu2016", "[see @hu2016, p. 3]", "<b>html</b>", "`code`", "> quote\n",
    "![alt](cover.svg)", "![alt](missing.png)", "中文句子。", "β ≥ 5 µg", "\n\n", "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "[link](https://example.org)", "&amp; &lt;", "\\", "***", "#", "[", "]", "@", "---\n",
])
YAML_VALUES = st.one_of(st.text(max_size=30), st.integers(), st.lists(st.text(max_size=10), max_size=3),
                        st.dictionaries(st.sampled_from(["en", "zh-Hans", "xx"]), st.text(max_size=10),
                                        max_size=2), st.none())


def _check(bundle_dir: Path, root: Path) -> None:
    try:
        bundle = load_bundle(bundle_dir, root)
    except HandbillError as error:
        assert error.diagnostics and all(d.path for d in error.diagnostics)
        return
    layout = find_layout("handout", root)
    html = render_html(bundle, layout, bundle.meta.languages, layout.resolve_options({}), root)
    assert "<html" in html


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(MARKDOWN_PIECES, max_size=25), st.text(max_size=40))
def test_generated_markdown_loads_or_is_located(pieces, noise):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bundle = root / "content" / "x"
        shutil.copytree(SAMPLE, bundle)
        (bundle / "en.md").write_text("".join(pieces) + noise, encoding="utf-8")
        _check(bundle, root)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["title", "subtitle", "date", "category", "layouts", "cover", "keywords",
                        "languages", "url", "citation-style", "unknown"]), YAML_VALUES)
def test_generated_metadata_loads_or_is_located(key, value):
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bundle = root / "content" / "x"
        shutil.copytree(SAMPLE, bundle)
        meta = yaml.safe_load((SAMPLE / "meta.yaml").read_text(encoding="utf-8"))
        meta[key] = value
        (bundle / "meta.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
        _check(bundle, root)


#: Sentences a clinic's handout holds, each with its translation: numbers, units, ranges,
#: drug names, a phone number, Latin inside Chinese, full-width punctuation.
PAIRS = [
    ("Do not eat anything for 6 hours before your appointment.", "预约前 6 小时内请勿进食。"),
    ("You may drink water until 2 hours before.", "检查前 2 小时仍可饮水。"),
    ("Take 500 mg of metformin twice a day with food.", "每天两次、随餐服用二甲双胍 500 mg。"),
    ("Your blood glucose should be 4–7 mmol/L before meals.", "餐前血糖应在 4–7 mmol/L 之间。"),
    ("If you feel dizzy, sit down and call 020 7946 0123.", "如感到头晕，请坐下并致电 020 7946 0123。"),
    ("Bring a list of your medicines (including vitamins).", "请携带您的用药清单（包括维生素）。"),
    ("Stop taking warfarin 5 days before the procedure, unless your doctor says otherwise.",
     "除非医生另有说明，请在手术前 5 天停用华法林。"),
    ("The test takes about 30–45 minutes.", "检查大约需要 30–45 分钟。"),
    ("Wear loose, comfortable clothing.", "请穿宽松、舒适的衣服。"),
    ("Check your HbA1c every 3 months.", "每 3 个月检查一次 HbA1c。"),
]


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(range(len(PAIRS))), min_size=1, max_size=4),
                min_size=1, max_size=7),
       st.sampled_from(["paragraphs", "steps", "bullets"]))
def test_generated_handouts_print_every_sentence_in_order(paragraphs, form):
    """Handouts made of a clinic's sentences, as paragraphs, numbered steps or bullets, in
    both languages: each paragraph or item prints, whole and in its order, in the PDF."""
    from handbill.cli import run

    from conftest import clinic_project
    from pdfcheck import reading_text, squash

    def body(lang: int, heading: str) -> str:
        blocks = [" ".join(PAIRS[i][lang] for i in sentences) for sentences in paragraphs]
        if form == "steps":
            return heading + "".join(f"{n}. {b}\n" for n, b in enumerate(blocks, 1))
        if form == "bullets":
            return heading + "".join(f"- {b}\n" for b in blocks)
        return heading + "".join(f"{b}\n\n" for b in blocks)

    with tempfile.TemporaryDirectory() as tmp:
        project = clinic_project(Path(tmp) / "project")
        bundle = project / "content" / "x"
        shutil.copytree(SAMPLE, bundle)
        for name in ("en.short.md", "zh-Hans.short.md"):
            (bundle / name).unlink()
        texts = {"en": body(0, "## Before your test\n\n"), "zh-Hans": body(1, "## 检查前\n\n")}
        for lang, text in texts.items():
            (bundle / f"{lang}.md").write_text(text, encoding="utf-8")
        assert run(["--project", str(project), "build", "--layout", "handout", "-j", "1"]) == 0
        printed = squash(reading_text(project / "out" / "x" / "handout.pdf"))
        at = 0
        for lang in texts:
            for sentences in paragraphs:
                block = squash(" ".join(PAIRS[i][0 if lang == "en" else 1] for i in sentences))
                found = printed.find(block, at)
                assert found >= 0, (lang, block, printed[at:at + 400])
                at = found + len(block)
