"""Simplified to Traditional Chinese: the prose converted (Taiwan, Hong Kong), nothing else,
line for line; the exceptions win; Handbill Sans TC prints the result."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from handbill.conversion import (ConversionError, canonical_variant, convert_markdown,
                                 convert_text)
from handbill.conversions import Exceptions, bundle_exceptions, load_exceptions
from handbill.errors import ContentError

# A handout's text, written for these tests: steps, doses, a warning, a table, code, a
# URL, a citation with a Chinese locator, a link, an image and an HTML tag.
SOURCE = textwrap.dedent("""\
    ## 用药须知

    请在饭后服用二甲双胍，每次 5 毫克，每天两次[@smith2020, 第 3 页]。
    如体温超过 38 ℃，或出现头晕、恶心、呕吐，请立即联系海港社区诊所。

    1. 早上 8:00 测量血糖，记录在软件里；
    2. 注射胰岛素前，查看信息 `dose-软件.yaml` 中的剂量；
    3. 低血糖时出汗、手抖，详见 ![低血糖示意图](图片/低血糖.png "示意图")。

    > 注意：他汀类药物与对乙酰氨基酚同服前，请先咨询医生 @lee2019 [第 5 页]。

    | 药物 | 剂量 |
    | ---- | ---- |
    | 阿司匹林 | 100 毫克 |
    | 司美格鲁肽 | 0.25 毫克 |

    ```yaml
    剂量: 5 毫克  # 代码不转换
    ```

    更多信息见[糖尿病网站](https://clinic.example.org/糖尿病/信息)，
    或访问 https://example.org/视频 了解，也可发邮件至 <info@example.org>。
    <span title="网络视频">网络视频</span>：{{ 诊所电话 }}
    """)

CODE_AND_ADDRESSES = ["`dose-软件.yaml`", '](图片/低血糖.png "示意图")', "剂量: 5 毫克  # 代码不转换",
                      "](https://clinic.example.org/糖尿病/信息)", "https://example.org/视频",
                      "<info@example.org>", '<span title="网络视频">', "{{ 诊所电话 }}",
                      "[@smith2020, 第 3 頁]", "@lee2019 [第 5 頁]"]

# Each word and what OpenCC's own command line (opencc -c s2twp.json / s2hk.json, the
# wheel's) prints for it: checked by test_expected_words_are_what_the_opencc_command_prints.
TAIWAN = {"用药须知": "用藥須知", "软件": "軟體", "信息": "資訊", "网络视频": "網路影片",
          "体温超过": "體溫超過", "饭后": "飯後", "联系": "聯絡", "头晕": "頭暈", "恶心": "噁心",
          "他汀类药物": "史他汀類藥物", "海港社区诊所": "海港社群診所",
          "对乙酰氨基酚": "對乙醯胺基酚", "阿司匹林": "阿斯匹靈", "里": "裡", "第 3 页": "第 3 頁",
          "对乙酰": "對乙醯", "酚": "酚",
          "司美格鲁肽": "司美格魯肽"}
HONG_KONG = {"用药须知": "用藥須知", "软件": "軟件", "信息": "信息", "网络视频": "網絡視頻",
             "体温超过": "體温超過", "饭后": "飯後", "联系": "聯繫", "头晕": "頭暈", "恶心": "噁心",
             "他汀类药物": "他汀類藥物", "海港社区诊所": "海港社區診所",
             "对乙酰氨基酚": "對乙酰氨基酚", "阿司匹林": "阿司匹林", "里": "裏", "第 3 页": "第 3 頁",
             "司美格鲁肽": "司美格魯肽"}


def _opencc_command() -> Path:
    import opencc

    return Path(opencc.__file__).parent / "clib" / "bin" / "opencc"


@pytest.mark.parametrize("config,words", [("s2twp", TAIWAN), ("s2hk", HONG_KONG)])
def test_expected_words_are_what_the_opencc_command_prints(config, words):
    command = _opencc_command()
    if not command.is_file():
        pytest.skip("the opencc wheel ships no command line here")
    share = command.parent.parent / "share" / "opencc"
    printed = subprocess.run([str(command), "-c", str(share / f"{config}.json")],
                             input="\n".join(words) + "\n", capture_output=True, text=True,
                             check=True).stdout.split("\n")
    assert dict(zip(words, printed)) == words


def test_taiwan_is_the_default_and_converts_phrases():
    result = convert_markdown(SOURCE, "zh-Hant")
    assert (result.variant, result.config) == ("zh-Hant", "s2twp")
    text = result.text
    assert text.startswith("## 用藥須知\n")
    assert "請在飯後服用二甲雙胍，每次 5 毫克，每天兩次[@smith2020, 第 3 頁]。" in text
    assert "如體溫超過 38 ℃，或出現頭暈、噁心、嘔吐，請立即聯絡海港社群診所。" in text
    assert "1. 早上 8:00 測量血糖，記錄在軟體裡；" in text
    assert "注射胰島素前，檢視資訊 `dose-软件.yaml` 中的劑量；" in text
    assert "> 注意：史他汀類藥物與對乙醯胺基酚同服前" in text
    assert "| 阿斯匹靈 | 100 毫克 |" in text
    assert "![低血糖示意圖](图片/低血糖.png \"示意图\")" in text  # the alt text is prose
    assert '<span title="网络视频">網路影片</span>' in text
    assert convert_markdown(SOURCE, "zh-Hant-TW").text == text


def test_hong_kong_on_request():
    result = convert_markdown(SOURCE, "zh-Hant-HK")
    assert result.config == "s2hk"
    text = result.text
    assert "如體温超過 38 ℃，或出現頭暈、噁心、嘔吐，請立即聯繫海港社區診所。" in text
    assert "記錄在軟件裏；" in text and "查看信息 `dose-软件.yaml`" in text
    assert "> 注意：他汀類藥物與對乙酰氨基酚同服前" in text
    assert "| 阿司匹林 | 100 毫克 |" in text
    assert '<span title="网络视频">網絡視頻</span>' in text


@pytest.mark.parametrize("variant", ["zh-Hant", "zh-Hant-HK"])
def test_lines_stay_lines_and_code_addresses_and_keys_stay_as_written(variant):
    text = convert_markdown(SOURCE, variant).text
    assert text.count("\n") == SOURCE.count("\n")
    assert len(text.splitlines()) == len(SOURCE.splitlines())
    for kept in CODE_AND_ADDRESSES:
        assert kept in text, kept
    # Each line converts to the same line: a location in the result is one in zh-Hans.md.
    for before, after in zip(SOURCE.splitlines(), text.splitlines()):
        assert (before == "") == (after == "")
        assert before.split(" ")[0].isascii() == after.split(" ")[0].isascii()


def test_changes_are_listed_where_they_stand_in_the_source():
    result = convert_markdown(SOURCE, "zh-Hant")
    lines = SOURCE.splitlines()
    assert result.changes
    for change in result.changes:
        assert lines[change.line - 1][change.column - 1:].startswith(change.before)
    first = result.changes[0]
    assert (first.line, first.column, first.before, first.after) == (1, 5, "药须", "藥須")
    assert any(c.line == 4 and "区" in c.before and "群" in c.after for c in result.changes)
    # The changes, made to the source, give the result: nothing else changed.
    rebuilt = list(lines)
    for change in sorted(result.changes, key=lambda c: (c.line, -c.column)):
        line, at = rebuilt[change.line - 1], change.column - 1
        rebuilt[change.line - 1] = line[:at] + change.after + line[at + len(change.before):]
    assert rebuilt == result.text.splitlines()
    notice = result.notice("zh-Hans.md")
    assert notice.startswith("converted from zh-Hans.md by OpenCC s2twp (Taiwan standard")
    assert notice.endswith("a reviewer must read it")


def test_exceptions_win_over_phrases_that_overlap_them():
    exceptions = Exceptions.of(keep=["他汀", "氨基", "二甲双胍"],
                               replace={"海港社区诊所": "海港社區診所"})
    result = convert_markdown(SOURCE, "zh-Hant", exceptions)
    text = result.text
    # s2twp's phrases: 他汀 -> 史他汀, 社区 -> 社群 (inside the clinic's name), and
    # 对乙酰氨基酚 -> 對乙醯胺基酚 (a longer phrase around the kept 氨基).
    assert "請在飯後服用二甲双胍" in text
    assert "請立即聯絡海港社區診所。" in text
    assert "> 注意：他汀類藥物與對乙醯氨基酚同服前" in text
    kinds = {(c.before, c.after, c.by) for c in result.changes if c.by != "opencc"}
    assert kinds == {("二甲双胍", "二甲双胍", "keep"), ("他汀", "他汀", "keep"),
                     ("氨基", "氨基", "keep"), ("海港社区诊所", "海港社區診所", "replace")}
    # Never inside code or an address.
    assert convert_markdown("`二甲双胍` 二甲双胍", "zh-Hant",
                            Exceptions.of(replace={"二甲双胍": "X"})).text == "`二甲双胍` X"


def test_the_longest_exception_wins_and_a_region_adds_its_own():
    exceptions = Exceptions.of(keep=["社区"], replace={"海港社区诊所": "海港社區診所"},
                               zh_Hant_HK=Exceptions.of(replace={"阿司匹林": "阿士匹靈"}).terms)
    assert convert_text("海港社区诊所的社区服务", "zh-Hant", exceptions).text == "海港社區診所的社区服務"
    assert convert_text("阿司匹林", "zh-Hant-HK", exceptions).text == "阿士匹靈"
    assert convert_text("阿司匹林", "zh-Hant", exceptions).text == "阿斯匹靈"


def test_convert_text_for_metadata():
    assert convert_text("干细胞为何对2型糖尿病有效", "zh-Hant").text == "幹細胞為何對2型糖尿病有效"
    assert convert_text("阅读约 2 分钟", "zh-Hant-HK").text == "閲讀約 2 分鐘"
    assert convert_text("", "zh-Hant").text == ""


def test_variants_are_tags_matched_without_case():
    assert canonical_variant("zh-hant-hk") == "zh-Hant-HK"
    assert canonical_variant("ZH-HANT") == "zh-Hant"
    with pytest.raises(ConversionError, match="zh-Hant-MO"):
        convert_text("软件", "zh-Hant-MO")


def test_deterministic_and_line_ends_and_controls_kept():
    first = convert_markdown(SOURCE, "zh-Hant")
    assert convert_markdown(SOURCE, "zh-Hant") == first
    crlf = "第一行软件\r\n第二行信息\r\n"
    assert convert_markdown(crlf, "zh-Hant").text == "第一行軟體\r\n第二行資訊\r\n"
    # OpenCC's binding stops at a NUL: a NUL is kept, and the text after it converted.
    assert convert_text("软件\x00信息", "zh-Hant").text == "軟體\x00資訊"


def test_front_matter_references_and_html_blocks_stay_as_written():
    source = textwrap.dedent("""\
        ---
        title: 软件信息
        ---
        见[参考]与[说明][ref]。

        [参考]: https://example.org/参考 "参考"
        [ref]: https://example.org/说明

        <div class="软件">
        网络视频
        </div>
        """)
    text = convert_markdown(source, "zh-Hant").text
    assert text == textwrap.dedent("""\
        ---
        title: 软件信息
        ---
        見[参考]與[說明][ref]。

        [参考]: https://example.org/参考 "参考"
        [ref]: https://example.org/说明

        <div class="软件">
        網路影片
        </div>
        """)


# --- conversions.yaml ----------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_exceptions_file_loads_and_a_bundle_adds_to_the_project(tmp_path):
    _write(tmp_path / "conversions.yaml", """\
        keep: [二甲双胍, 他汀]
        replace:
          海港社区诊所: 海港社區診所
        zh-Hant-HK:
          replace: {阿司匹林: 阿士匹靈}
        """)
    bundle = tmp_path / "content" / "diabetes"
    bundle.mkdir(parents=True)
    _write(bundle / "conversions.yaml", "replace:\n  他汀: 他汀（statin）\n")
    project = load_exceptions(tmp_path / "conversions.yaml", tmp_path)
    assert project.forms("zh-Hant") == {"二甲双胍": "二甲双胍", "他汀": "他汀",
                                        "海港社区诊所": "海港社區診所"}
    assert project.forms("zh-Hant-HK")["阿司匹林"] == "阿士匹靈"
    merged = bundle_exceptions(bundle, tmp_path)
    assert merged.forms("zh-Hant-TW")["他汀"] == "他汀（statin）"
    assert merged.sources == ("conversions.yaml", "content/diabetes/conversions.yaml")
    assert bundle_exceptions(tmp_path / "content", tmp_path / "content").forms("zh-Hant") == {}


def test_exceptions_file_errors_are_located(tmp_path):
    path = _write(tmp_path / "conversions.yaml", """\
        keep:
          - 二甲双胍
          - 42
        replace:
          海港社区诊所: true
          他汀: 他汀
        kept: [x]
        zh-Hant:
          keep: [y]
        zh-Hant-HK:
          keep: 阿司匹林
          replace: {他汀: ""}
        """)
    with pytest.raises(ContentError) as raised:
        load_exceptions(path, tmp_path)
    found = [d.format().split("\n")[0] for d in raised.value.diagnostics]
    assert found == [
        "conversions.yaml:7: error: unknown key 'kept' in the file [content]",
        "conversions.yaml:8: error: unknown key 'zh-Hant' in the file [content]",
        "conversions.yaml:3: error: a term of 'keep' must be a string, not a number [content]",
        "conversions.yaml:5: error: the form of '海港社区诊所' must be a string, not true or "
        "false [content]",
        "conversions.yaml:11: error: 'keep' must list terms [content]",
        "conversions.yaml:12: error: the form of '他汀' must be a non-empty term of one line "
        "[content]",
    ]
    hints = {d.line: d.hint for d in raised.value.diagnostics}
    assert "did you mean 'keep'?" in hints[7]
    assert "name a region" in hints[8]


def test_a_term_both_kept_and_replaced_and_bad_yaml_are_errors(tmp_path):
    path = _write(tmp_path / "conversions.yaml", "keep: [他汀]\nreplace: {他汀: 史他汀}\n")
    with pytest.raises(ContentError, match=r"conversions.yaml:2: error: '他汀' is both kept"):
        load_exceptions(path, tmp_path)
    path.write_text("keep: [他汀\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"conversions.yaml:2:1: error: invalid YAML"):
        load_exceptions(path, tmp_path)
    path.write_text("", encoding="utf-8")
    assert load_exceptions(path, tmp_path).forms("zh-Hant") == {}


# --- Handbill Sans TC ----------------------------------------------------------------


def _tc_faces():
    from handbill.fonts import plan_fonts

    from conftest import REPO

    plan = plan_fonts(REPO)
    # Made by `make setup` (tools/make_fonts.py --tc), which `make test` runs first.
    assert "Handbill Sans TC" in plan.faces, "Handbill Sans TC is not made: run `make setup`"
    assert plan.chains["zh-Hant"][0] == "Handbill Sans TC"
    return plan.faces["Handbill Sans TC"]


def _prose(source: str) -> str:
    """SOURCE without the pieces kept as written (code, addresses, keys, placeholders)."""
    from handbill.conversion import _prose_spans
    from handbill.mdspans import protected_spans

    spans, _ = protected_spans(source)
    lines = source.split("\n")
    for number, line in enumerate(lines):
        for start, end in _prose_spans(line, spans.get(number, [])):
            lines[number] = lines[number][:start] + " " * (end - start) + lines[number][end:]
    return "\n".join(lines)


@pytest.mark.parametrize("variant", ["zh-Hant", "zh-Hant-HK"])
def test_handbill_sans_tc_covers_every_converted_character(variant):
    from handbill.coverage import cmap

    faces = _tc_faces()
    assert {(f.weight, f.style) for f in faces} == {(400, "normal"), (700, "normal")}
    prose = convert_text(_prose(SOURCE), variant).text
    assert "軟" in prose and "软" not in prose  # the code span's 软件 is blanked
    wanted = {ord(c) for c in prose if not c.isspace()}
    for face in faces:
        missing = sorted(chr(c) for c in wanted - cmap(face))
        assert not missing, f"{face.path.name} lacks {''.join(missing)}"


def test_weasyprint_embeds_a_subset_of_handbill_sans_tc(tmp_path):
    from pdfcheck import all_text, fonts

    from handbill import engine

    regular = next(f for f in _tc_faces() if f.weight == 400)
    words = convert_text("请在饭后服用，体温超过 38 ℃ 请联系诊所。", "zh-Hant").text
    assert words == "請在飯後服用，體溫超過 38 ℃ 請聯絡診所。"
    html = ("<html lang='zh-Hant'><head><style>@font-face { font-family: 'Handbill Sans TC'; "
            f"src: url('{regular.path.resolve().as_uri()}'); }} body {{ font-family: "
            f"'Handbill Sans TC'; }}</style></head><body><p>{words}</p></body></html>")
    weasyprint = engine.load()
    pdf = tmp_path / "tc.pdf"
    weasyprint.HTML(string=html).write_pdf(pdf)
    found = fonts(pdf)
    assert len(found) == 1
    name, info = next(iter(found.items()))
    assert name.partition("+")[2] == "Handbill-Sans-TC" and info["embedded"] and info["subset"]
    assert pdf.stat().st_size < 200_000  # a subset (65 kB here): the face is 3.8 MB
    assert "".join(all_text(pdf).split()) == "".join(words.split())
