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
