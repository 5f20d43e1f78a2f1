"""Content checks without rendering: translation parity, alt text, readability, sentence length.

Each defect is made in a copy of the sample bundle (the `project` fixture), one
edit per test, so a test fails when its check misses the finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from handbill.checks import (MAX_GRADE, MAX_SENTENCE_HAN, check_alt_text, check_bundle,
                             check_readability_en, check_sentence_length_zh,
                             check_translation_parity, chinese_sentences, flesch_kincaid_grade,
                             plain_text)
from handbill.content import load_bundle

from conftest import REPO, SAMPLE


def _edit(bundle: Path, name: str, old: str, new: str) -> None:
    """Replace OLD, which must occur once, by NEW in the bundle's file NAME."""
    path = bundle / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _shown(diagnostics) -> list[str]:
    """Each diagnostic's first line: path:line:col: severity: message [code]."""
    return [d.format().split("\n")[0] for d in diagnostics]


@pytest.fixture
def bundle(project) -> Path:
    return project / "content" / "stem-cells-t2dm"


def _check(check, bundle: Path) -> list[str]:
    root = bundle.parents[1]
    return _shown(check(load_bundle(bundle, root), root))


# -- the sample ---------------------------------------------------------------

def test_the_sample_has_no_parity_or_alt_text_error():
    loaded = load_bundle(SAMPLE, REPO)
    assert loaded.short_bodies  # its shorter texts are compared too
    assert check_translation_parity(loaded, REPO) == []
    assert check_alt_text(loaded, REPO) == []
    assert all(d.severity == "warning" for d in check_bundle(loaded, REPO))


def test_the_sample_is_written_for_clinicians_above_grade_8():
    loaded = load_bundle(SAMPLE, REPO)
    text = plain_text(loaded.bodies["en"])
    # Running text only: no headings, citations or Markdown.
    assert text.startswith("Type 2 diabetes (T2DM) is characterized by insulin resistance")
    assert "Mechanisms of Action" not in text and "@" not in text and "**" not in text
    assert "β-Cell Regeneration and Replacement.\n" in text  # a list item counts as a sentence
    grades = {name: round(flesch_kincaid_grade(plain_text(body)), 1)
              for name, body in (("en.md", loaded.bodies["en"]),
                                 ("en.short.md", loaded.short_bodies["en"]))}
    assert all(grade > MAX_GRADE for grade in grades.values()), grades
    found = check_readability_en(loaded, REPO)
    assert _shown(found) == [
        f"content/stem-cells-t2dm/{name}:1: warning: Flesch-Kincaid grade {grade:.1f}; "
        "patient materials aim at grades 6 to 8 [readability-en]"
        for name, grade in grades.items()]
    assert found[0].hint.startswith("its sentences average ")


def test_the_sample_has_four_long_chinese_sentences_and_two_in_its_short_text():
    loaded = load_bundle(SAMPLE, REPO)
    assert _shown(check_sentence_length_zh(loaded, REPO)) == [
        "content/stem-cells-t2dm/zh-Hans.md:5:1: warning: a sentence of 56 Han characters, "
        "more than 40: '干细胞疗法,尤其是间充质…' [sentence-length-zh]",
        "content/stem-cells-t2dm/zh-Hans.md:31:5: warning: a sentence of 43 Han characters, "
        "more than 40: '脐带来源或自体骨髓MSC…' [sentence-length-zh]",
        "content/stem-cells-t2dm/zh-Hans.md:41:1: warning: a sentence of 43 Han characters, "
        "more than 40: '干细胞疗法通过β细胞再生…' [sentence-length-zh]",
        "content/stem-cells-t2dm/zh-Hans.md:41:50: warning: a sentence of 45 Han characters, "
        "more than 40: '虽然仍需大规模随机对照试…' [sentence-length-zh]",
        "content/stem-cells-t2dm/zh-Hans.short.md:5:1: warning: a sentence of 56 Han characters, "
        "more than 40: '干细胞疗法,尤其是间充质…' [sentence-length-zh]",
        "content/stem-cells-t2dm/zh-Hans.short.md:21:1: warning: a sentence of 45 Han "
        "characters, more than 40: '虽然仍需大规模随机对照试…' [sentence-length-zh]",
    ]


# -- translation parity ---------------------------------------------------------

def test_a_section_missing_from_the_chinese_is_reported_at_the_english_heading(bundle):
    zh = (bundle / "zh-Hans.md").read_text(encoding="utf-8")
    _edit(bundle, "zh-Hans.md", zh[zh.index("## 临床研究证据"):zh.index("## 结论")], "")
    # Not 'Conclusion': the sections are paired on their citations and lists.
    assert _check(check_translation_parity, bundle) == [
        "content/stem-cells-t2dm/en.md:25:1: error: section 'Clinical Evidence' (3rd) has no "
        "counterpart in zh-Hans.md [translation-parity]"]


def test_an_extra_chinese_section_is_reported_at_its_heading(bundle):
    _edit(bundle, "zh-Hans.md", "## 结论\n", "## 费用\n\n费用因医院而异。\n\n## 结论\n")
    assert _check(check_translation_parity, bundle) == [
        "content/stem-cells-t2dm/zh-Hans.md:39:1: error: section '费用' (4th) has no "
        "counterpart in en.md [translation-parity]"]


def test_an_extra_english_section_is_reported_at_its_heading(bundle):
    _edit(bundle, "en.md", "improve metabolic health.\n",
          "improve metabolic health.\n\n## Questions\n\nAsk your doctor.\n")
    assert _check(check_translation_parity, bundle) == [
        "content/stem-cells-t2dm/en.md:41:1: error: section 'Questions' (5th) has no "
        "counterpart in zh-Hans.md [translation-parity]"]


def test_an_extra_citation_in_the_chinese_is_reported_where_it_stands(bundle):
    _edit(bundle, "zh-Hans.md", "改善代谢环境[@hu2016]", "改善代谢环境[@hu2016; @zhou2016]")
    assert _check(check_translation_parity, bundle) == [
        "content/stem-cells-t2dm/zh-Hans.md:17:45: error: section 2 'Mechanisms of Action': "
        "its 2nd citation is [@hu2016; @zhou2016] in zh-Hans.md, [@hu2016] in en.md "
        "[translation-parity]"]


def test_citations_are_compared_in_order_but_not_inside_brackets(bundle):
    _edit(bundle, "zh-Hans.md", "[@rangappa2003; @tang2013]", "[@tang2013; @rangappa2003]")
    assert _check(check_translation_parity, bundle) == []
    _edit(bundle, "zh-Hans.md", "信号通路活性[@zhou2016]", "信号通路活性")
    assert _check(check_translation_parity, bundle) == [
        "content/stem-cells-t2dm/zh-Hans.md:7:1: error: section 2 'Mechanisms of Action': "
        "its 3rd citation [@zhou2016] (en.md:19) has no counterpart in zh-Hans.md "
        "[translation-parity]"]


def test_a_list_with_fewer_numbered_steps_is_reported_at_the_chinese_list(bundle):
    _edit(bundle, "zh-Hans.md", "4. **血管生成与组织修复**\n\n"
          "   - MSCs分泌VEGF,促进胰腺微血管生成,支持β细胞存活。\n", "")
    assert _check(check_translation_parity, bundle) == [
        "content/stem-cells-t2dm/zh-Hans.md:9:1: error: section 2 'Mechanisms of Action': "
        "4 numbered items in en.md, 3 in zh-Hans.md [translation-parity]"]


def test_a_nested_list_with_an_item_less_is_reported_at_its_first_line(bundle):
    _edit(bundle, "zh-Hans.md", "  - 干细胞移植安全性良好,副作用少。\n", "")
    assert _check(check_translation_parity, bundle) == [
        "content/stem-cells-t2dm/zh-Hans.md:31:3: error: section 3 'Clinical Evidence': "
        "2 nested bulleted items in en.md, 1 in zh-Hans.md [translation-parity]"]


def test_the_shorter_texts_are_compared_too(bundle):
    _edit(bundle, "zh-Hans.short.md", "4. **血管生成", "- **血管生成")
    assert _check(check_translation_parity, bundle) == [
        "content/stem-cells-t2dm/zh-Hans.short.md:9:1: error: section 2 'Mechanisms of "
        "Action': 4 numbered items in en.short.md, 3 in zh-Hans.short.md [translation-parity]"]


# -- alt text -------------------------------------------------------------------

def test_an_image_without_alt_text_is_reported_at_its_place(bundle):
    _edit(bundle, "en.md", "## Conclusion\n", "![a chart](cover.svg)\n\n## Conclusion\n")
    _edit(bundle, "zh-Hans.md", "## 结论\n", "![](cover.svg)\n\n## 结论\n")
    _edit(bundle, "zh-Hans.md", "副作用少。", "副作用少。![ ](cover.svg)")
    assert _check(check_alt_text, bundle) == [
        "content/stem-cells-t2dm/zh-Hans.md:32:21: error: image 'cover.svg' has no alt text "
        "[alt-text]",
        "content/stem-cells-t2dm/zh-Hans.md:39:1: error: image 'cover.svg' has no alt text "
        "[alt-text]"]


# -- readability and sentence length --------------------------------------------

def test_plain_english_gets_no_readability_warning(bundle):
    _edit(bundle, "en.md", (bundle / "en.md").read_text(encoding="utf-8"),
          "## Introduction\n\nDiabetes is when your blood has too much sugar. "
          "Stem cells may help your body make insulin again. "
          "Ask your doctor if this is right for you [@hu2016].\n")
    text = plain_text(load_bundle(bundle, bundle.parents[1]).bodies["en"])
    assert flesch_kincaid_grade(text) <= MAX_GRADE
    assert _check(check_readability_en, bundle) == [
        "content/stem-cells-t2dm/en.short.md:1: warning: Flesch-Kincaid grade 16.6; "
        "patient materials aim at grades 6 to 8 [readability-en]"]


def test_a_long_chinese_sentence_is_reported_at_its_first_character(bundle):
    limit = "糖" * MAX_SENTENCE_HAN + "。"  # as long as allowed
    _edit(bundle, "zh-Hans.md", "副作用少。", f"副作用少。{limit}糖{limit}")
    # "  - 干细胞移植安全性良好,副作用少。" ends at column 20: the sentence of 40 starts at
    # 21 and is not reported, the one of 41 after it starts at 62.
    assert _check(check_sentence_length_zh, bundle)[:5] == [
        "content/stem-cells-t2dm/zh-Hans.md:5:1: warning: a sentence of 56 Han characters, "
        "more than 40: '干细胞疗法,尤其是间充质…' [sentence-length-zh]",
        "content/stem-cells-t2dm/zh-Hans.md:31:5: warning: a sentence of 43 Han characters, "
        "more than 40: '脐带来源或自体骨髓MSC…' [sentence-length-zh]",
        "content/stem-cells-t2dm/zh-Hans.md:32:62: warning: a sentence of 41 Han characters, "
        "more than 40: '糖糖糖糖糖糖糖糖糖糖糖糖…' [sentence-length-zh]",
        "content/stem-cells-t2dm/zh-Hans.md:41:1: warning: a sentence of 43 Han characters, "
        "more than 40: '干细胞疗法通过β细胞再生…' [sentence-length-zh]",
        "content/stem-cells-t2dm/zh-Hans.md:41:50: warning: a sentence of 45 Han characters, "
        "more than 40: '虽然仍需大规模随机对照试…' [sentence-length-zh]"]


def test_chinese_sentences_end_at_punctuation_and_at_each_block():
    loaded = load_bundle(SAMPLE, REPO)
    sentences = list(chinese_sentences(loaded.bodies["zh-Hans"]))
    assert sentences[:3] == [
        ("2型糖尿病(T2DM)以胰岛素抵抗、胰岛β细胞功能受损及慢性高血糖为特征。", 3, 1),
        ("长期并发症包括心血管疾病、神经病变、肾病及视网膜病变。", 3, 38),
        ("传统治疗(口服降糖药、胰岛素)只能控制血糖,却无法修复β细胞丢失或系统性代谢紊乱",
         3, 65)]
    assert ("**β细胞再生与替代**", 9, 4) in sentences  # a list item without 。 ends one
    assert ("MSCs和iPSCs可分化为胰岛素分泌细胞", 11, 6) in sentences


def test_check_bundle_runs_every_check_and_each_finding_has_a_hint(bundle):
    _edit(bundle, "zh-Hans.md", "改善代谢环境[@hu2016]", "改善代谢环境")
    _edit(bundle, "zh-Hans.md", "## 结论\n", "![](cover.svg)\n\n## 结论\n")
    root = bundle.parents[1]
    found = check_bundle(load_bundle(bundle, root), root)
    codes = [d.code for d in found]
    assert codes[:10] == ["translation-parity", "alt-text"] + [
        "readability-en"] * 2 + ["sentence-length-zh"] * 6
    assert set(codes[10:]) == {"zh-punctuation"}  # the seed's half-width marks
    assert found[0].format() == (
        "content/stem-cells-t2dm/zh-Hans.md:21:48: error: section 2 'Mechanisms of Action': "
        "its 2nd citation is [@zhou2016] in zh-Hans.md, [@hu2016] in en.md [translation-parity]\n"
        "  hint: cite the same references in the same order in both languages: the reference "
        "numbers follow the English text")
    assert found[1].format() == (
        "content/stem-cells-t2dm/zh-Hans.md:39:1: error: image 'cover.svg' has no alt text "
        "[alt-text]\n"
        "  hint: say what the image shows, for readers who cannot see it: "
        "![a chart of ...](cover.svg)")
    assert found[9].format().endswith(
        "\n  hint: split it into shorter sentences, one idea each, or make a list of its series")
    assert found[-1].format().endswith("\n  hint: handbill check --fix makes every such mark "
                                       "full-width")
