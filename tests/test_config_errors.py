"""A project's configuration files, wrong the ways people get them wrong: site.yaml,
the languages table (layouts/languages.yaml), layout options (layouts/options.yaml, a
layout.yaml, site.yaml's and meta.yaml's options:) and conversions.yaml.

Each is read back as its user reads it: the exit code, every diagnostic at its
file:line, no traceback, no PDF on failure; and, where a setting changes what prints,
the PDF.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handbill.cli import run
from pdfcheck import page_sizes, reading_text

SITE = """\
# Riverside Family Clinic: who hands the leaflets out.
organisation:
  en: Riverside Family Clinic
  zh-Hans: 河滨家庭诊所
phone: 555-0142
"""

META = """\
title:
  en: Your Flu Jab
  zh-Hans: 流感疫苗
date: 2024-10-01
layouts: [handout]
"""

EN = """\
## Why get it

The flu jab lowers your chance of a hospital stay.
It is safe for most people older than six months.
It cannot give you the flu.

## When to get it

- Every year, before winter.
- Ask your nurse if you are pregnant.
- Tell us if you had a reaction before.
- Bring your card to each visit.
"""

ZH_HANS = """\
## 为什么要接种

流感疫苗可以降低住院的风险。
它对大多数六个月以上的人是安全的。
它不会让你得流感。

## 什么时候接种

- 每年冬天之前。
- 如果怀孕，请告诉护士。
- 如果以前有过反应，请告诉我们。
- 每次来诊所请带上你的卡。
"""

ZH_HANT = """\
## 為什麼要接種

流感疫苗可以降低住院的風險。
它對大多數六個月以上的人是安全的。
它不會讓你得流感。

## 什麼時候接種

- 每年冬天之前。
- 如果懷孕，請告訴護士。
- 如果以前有過反應，請告訴我們。
- 每次來診所請帶上你的卡。
"""


def clinic(root: Path, site: str | None = SITE, meta: str = META) -> Path:
    """ROOT made a clinic's project with one flu-jab handout (English and Chinese) that
    checks clean; SITE is its site.yaml (None: none)."""
    bundle = root / "content" / "flu-jab"
    bundle.mkdir(parents=True)
    if site is not None:
        (root / "site.yaml").write_text(site, encoding="utf-8")
    (bundle / "meta.yaml").write_text(meta, encoding="utf-8")
    (bundle / "en.md").write_text(EN, encoding="utf-8")
    (bundle / "zh-Hans.md").write_text(ZH_HANS, encoding="utf-8")
    return root


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def check(project: Path, capsys) -> tuple[int, str, str]:
    """handbill check of PROJECT: its exit code, its findings (on stdout) and its count
    of them (on stderr); each stream is searched whole, wherever a line went."""
    code = run(["--project", str(project), "check"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    both = captured.out + captured.err
    return code, both, both


def errors(err: str) -> list[str]:
    """Each error of ERR with its hint lines, in the order printed."""
    found: list[str] = []
    in_error = False
    for line in err.splitlines():
        if not line.startswith(" "):
            in_error = ": error: " in line
            if in_error:
                found.append(line)
        elif in_error and line.startswith("  hint: "):
            found[-1] += "\n" + line
    return found


def no_pdf(project: Path) -> None:
    out = project / "out"
    assert not out.exists() or not list(out.rglob("*.pdf")), list(out.rglob("*.pdf"))


def word_size(pdf: Path, word: str) -> float:
    """The size, in points, that the first WORD of PDF is set in."""
    import pypdfium2
    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(str(pdf))
    for page in document:
        textpage = page.get_textpage()
        at = textpage.get_text_range().find(word)
        if at >= 0:
            return raw.FPDFText_GetFontSize(textpage, at) * 0.75  # CSS px, read as pt
    raise AssertionError(f"{word!r} is not in {pdf}")


# ---------------------------------------------------------------- the languages table


def test_a_translators_rows_with_every_kind_of_mistake(tmp_path, capsys):
    project = clinic(tmp_path / "clinic")
    write(project / "layouts" / "languages.yaml", """\
# The languages our translators deliver.
es:
  name: 5
  script: Latn
  fonts: Handbill Text
  csl-locale: es-ES
  sentences: spanish
  typography: latin
pt BR:
  name: Português
  script: Latn
  fonts: []
  csl-locale: pt-BR
  typography:
    rules: latin
    hyphenation: 12
    line-height: 5
    spacing: wide
vi: Tiếng Việt
fr:
  name: Français
  script: Latn
  fonts: [Handbill Text]
  csl-locale: fr-FR
  checks: [readability-fr]
  placeholder-title: [Nouveau dépliant]
  convert-from: fr
  conversion: zh-Hant
""")
    code, err, out = check(project, capsys)
    assert code == 1
    at = "layouts/languages.yaml"
    assert errors(err) == [
        f"{at}:3: error: 'es.name' must be a text [layout]",
        f"{at}:7: error: 'es.sentences' must be one of: latin, han [layout]",
        f"{at}:8: error: 'es.typography' must map rules, hyphenation and line-height [layout]",
        f"{at}:9: error: 'pt BR' is not a language tag (letters, digits and '-', as BCP 47 "
        "writes them: es, zh-Hant) [layout]",
        f"{at}:12: error: 'pt BR.fonts' must list font family names, in fallback order [layout]",
        f"{at}:16: error: 'pt BR.typography.hyphenation' must be a language tag for the "
        "hyphenation patterns, or null [layout]",
        f"{at}:17: error: 'pt BR.typography.line-height' must be a number from 0.8 to 3 [layout]",
        f"{at}:18: error: 'pt BR.typography.spacing' is no typographic field (they are: rules, "
        "hyphenation, line-height) [layout]",
        f"{at}:19: error: language 'vi' must map its fields (name, script, fonts, ...) [layout]",
        f"{at}:25: error: 'fr.checks' must list some of: readability-en, sentence-length-zh, "
        "zh-punctuation [layout]",
        f"{at}:26: error: 'fr.placeholder-title' must be a text [layout]",
        f"{at}:27: error: 'fr.convert-from' must name another language of the table [layout]",
    ]
    assert "12 errors, 0 warnings" in out
    # es's one font written as a text, not a list, is no mistake: nothing at line 5
    assert f"{at}:5:" not in err


SPANISH_STRINGS = (Path(__file__).resolve().parent / "fixtures" / "spanish" / "layouts"
                   / "strings.yaml")
ES = """\
## Por qué vacunarse

La vacuna reduce el riesgo de ir al hospital.
Es segura para casi todas las personas.
No le puede dar la gripe.

## Cuándo vacunarse

- Cada año, antes del invierno.
- Diga a su enfermera si está embarazada.
- Díganos si tuvo una reacción antes.
- Traiga su tarjeta a cada visita.
"""


def spanish_clinic(root: Path) -> Path:
    """A clinic that adds Spanish: a row whose one font is written as a text, not a list."""
    project = clinic(root, site=SITE + "languages: [en, es]\n", meta=META.replace(
        "  zh-Hans: 流感疫苗\n", "  es: La vacuna de la gripe\n"))
    write(project / "layouts" / "languages.yaml", """\
es:
  name: Español
  script: Latn
  fonts: Handbill Text
  csl-locale: es-ES
""")
    (project / "content" / "flu-jab" / "zh-Hans.md").unlink()
    write(project / "content" / "flu-jab" / "es.md", ES)
    return project


def test_a_spanish_row_with_its_one_font_as_a_text_builds(tmp_path, capsys):
    project = spanish_clinic(tmp_path / "clinic")
    write(project / "layouts" / "strings.yaml", SPANISH_STRINGS.read_text(encoding="utf-8"))
    assert run(["--project", str(project), "build", "--layout", "handout"]) == 0
    text = reading_text(project / "out" / "flu-jab" / "handout.pdf")
    assert "La vacuna de la gripe" in text and "Cada año, antes del invierno." in text
    # organisation names no Spanish: the first one given serves it
    assert "Riverside Family Clinic · Tel. 555-0142" in text  # in both sections
    assert text.count("Riverside Family Clinic · Tel. 555-0142") == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_new_language_without_its_interface_texts_says_where_they_go(tmp_path, capsys):
    project = spanish_clinic(tmp_path / "clinic")
    code, err, out = check(project, capsys)
    assert code == 1
    assert "'dict object'" not in err
    found = errors(err)
    assert found == ["layouts/strings.yaml: error: no interface texts for language 'es' (the "
                     "headings and labels the layouts print) [layout]\n  hint: add "
                     "callout-caution, callout-important, callout-note, callout-tip, "
                     "callout-warning, date-format, online, page-number, phone, questions, "
                     "references under 'es:' in layouts/strings.yaml, as handbill's own "
                     "strings.yaml has them for 'en'"], found


def test_a_languages_file_that_is_a_list_is_an_error_at_line_1(tmp_path, capsys):
    project = clinic(tmp_path / "clinic")
    write(project / "layouts" / "languages.yaml", "- es\n- fr\n")
    code, err, out = check(project, capsys)
    assert code == 1
    assert errors(err) == ["layouts/languages.yaml:1: error: languages.yaml maps each "
                           "language's tag to its row [layout]"]
    assert run(["--project", str(project), "build", "--layout", "handout"]) == 1
    no_pdf(project)


def test_a_languages_file_of_comments_only_keeps_the_built_in_table(tmp_path, capsys):
    project = clinic(tmp_path / "clinic")
    write(project / "layouts" / "languages.yaml", "# Spanish comes next spring.\n")
    code, err, out = check(project, capsys)
    assert (code, errors(err)) == (0, [])
    assert "0 errors, 0 warnings" in out


def test_a_reference_in_a_language_the_document_does_not_write():
    """A French source in an English and Chinese handout is set as the English one's
    (its lang=); in a document that writes no English, as its first language's."""
    from handbill.languages import load_languages

    table = load_languages(Path(__file__).resolve().parents[1])
    assert table.for_reference("zh-CN", ("en", "zh-Hans")) == "zh-Hans"
    assert table.for_reference("fr", ("zh-Hans", "en")) == "en"
    assert table.for_reference("fr-FR", ("zh-Hant", "zh-Hans")) == "zh-Hant"


# ---------------------------------------------------------------- site.yaml


def test_a_site_file_with_many_mistakes_reports_each_at_its_line(tmp_path, capsys):
    project = clinic(tmp_path / "clinic", site="""\
organisation:
  en: Riverside Family Clinic
  zh-Hans: 河滨家庭诊所
languages: [en, zh-Hans, zh-Hant-TW]
logo: assets/logo.jpg
print-profile: assets/printshop.icc
colours:
  accent: "#0e6e75"
  Highlight: "#ffcc00"
  muted: grey
website: clinic.example.org
options: page-size=Letter
""")
    write(project / "assets" / "logo.jpg", "\xff\xd8 not an SVG")
    code, err, out = check(project, capsys)
    assert code == 1
    assert errors(err) == [
        "site.yaml:4: error: unknown language 'zh-Hant-TW' in 'languages:' [site]\n"
        "  hint: did you mean 'zh-Hant'? languages: en, zh-Hans, zh-Hant, zh-Hant-HK "
        "(a project adds one in layouts/languages.yaml)",
        "site.yaml:5: error: the logo must be an SVG or PNG file [site]",
        "site.yaml:6: error: print profile 'assets/printshop.icc' not found in the project [site]",
        "site.yaml:9: error: colour 'Highlight: #ffcc00' must be a lowercase name and a hex "
        "colour like #0e6e75 [site]",
        "site.yaml:10: error: colour 'muted: grey' must be a lowercase name and a hex colour "
        "like #0e6e75 [site]",
        "site.yaml:11: error: 'website' must be an http(s) address [site]",
        "site.yaml:12: error: 'options' must map layout options to values, like "
        "page-size: Letter [site]",
    ]
    assert "7 errors, 0 warnings" in out
    assert run(["--project", str(project), "build", "--layout", "handout"]) == 1
    no_pdf(project)


def test_a_site_file_that_is_a_list(tmp_path, capsys):
    project = clinic(tmp_path / "clinic", site="- Riverside Family Clinic\n- 555-0142\n")
    code, err, out = check(project, capsys)
    assert code == 1
    assert errors(err) == ["site.yaml:1: error: site.yaml must be a mapping [site]"]


def test_languages_as_one_tag_and_an_oversized_print_profile(tmp_path, capsys):
    project = clinic(tmp_path / "clinic", site="""\
organisation: Riverside Family Clinic
languages: en
print-profile: assets/printshop.icc
""")
    profile = project / "assets" / "printshop.icc"
    profile.parent.mkdir()
    with profile.open("wb") as file:  # sparse: 20 MB and a byte, on no disk
        file.truncate(20_000_001)
    code, err, out = check(project, capsys)
    assert code == 1
    assert errors(err) == [
        "site.yaml:2: error: 'languages' must list language tags (the languages a bundle "
        "prints when its meta.yaml names none) [site]",
        "site.yaml:3: error: print profile 'assets/printshop.icc' is 20000001 bytes, more "
        "than the 20000000 allowed [site]",
    ]


def test_a_print_profile_that_is_not_cmyk(tmp_path, capsys):
    project = clinic(tmp_path / "clinic", site=SITE + "print-profile: assets/screen.icc\n")
    (project / "assets").mkdir()
    # an ICC header whose colour space (bytes 16 to 20) is RGB: a screen's profile
    (project / "assets" / "screen.icc").write_bytes(b"\0" * 16 + b"RGB " + b"\0" * 108)
    code, err, out = check(project, capsys)
    assert code == 1
    assert errors(err) == ["site.yaml:6: error: the print profile must be a CMYK ICC "
                           "profile [site]"]


def test_an_empty_site_file_is_no_error(tmp_path, capsys):
    project = clinic(tmp_path / "clinic", site="# Fill in the clinic's details here.\n")
    code, err, out = check(project, capsys)
    assert (code, errors(err)) == (0, [])
    assert "0 errors, 0 warnings" in out


def test_site_options_a_name_for_every_language_and_another_layouts_option(tmp_path, capsys):
    """site.yaml's organisation as one text prints in both sections; its options (a YAML
    true for large print, Letter paper) set the handout; 'sheet', the booklet's name for
    its page size, is no error for the handout."""
    project = clinic(tmp_path / "clinic", site="""\
organisation: Riverside Family Clinic
phone: 555-0142
options:
  large-print: true
  page-size: Letter
  sheet: Letter
""")
    assert run(["--project", str(project), "build", "--layout", "handout"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    pdf = project / "out" / "flu-jab" / "handout.pdf"
    assert page_sizes(pdf) == [(612.0, 792.0)] * len(page_sizes(pdf))
    assert word_size(pdf, "lowers") >= 14 - 0.01
    text = reading_text(pdf)
    assert "Riverside Family Clinic · Tel. 555-0142" in text
    assert "Riverside Family Clinic · 电话 555-0142" in text
    assert "河滨" not in text


def test_the_clinics_traditional_name_is_converted_only_when_asked_for(tmp_path):
    from handbill.site import load_site

    project = clinic(tmp_path / "clinic")
    write(project / "conversions.yaml", "replace:\n  河滨家庭诊所: 河濱家醫診所\n")
    names = load_site(project).organisation
    assert "zh-Hant" in names and "fr" not in names
    assert names.get("zh-Hant") == "河濱家醫診所"  # conversions.yaml's form, not OpenCC's
    assert names.get("fr", "none") == "none"
    with pytest.raises(KeyError):
        names["fr"]
    # a conversions.yaml that does not load: an error where it is, never OpenCC's own form
    write(project / "conversions.yaml", "replace:\n  河滨家庭诊所: 河濱家醫診所\nkeep:\n  -\n")
    from handbill.errors import ContentError

    with pytest.raises(ContentError, match="conversions.yaml:4: error: a term of 'keep'"):
        load_site(project).organisation["zh-Hant-HK"]


def test_a_broken_conversions_file_is_reported_when_only_the_clinics_name_is_converted(
        tmp_path, capsys):
    project = clinic(tmp_path / "clinic", meta=META.replace("zh-Hans: 流感疫苗", "zh-Hant: 流感疫苗")
                     .replace("layouts:", "languages: [en, zh-Hant]\nlayouts:"))
    (project / "content" / "flu-jab" / "zh-Hant.md").write_text(ZH_HANT, encoding="utf-8")
    write(project / "conversions.yaml", """\
replace:
  河滨家庭诊所: 河濱家醫診所
keep:
  - 二甲双胍
  -
""")
    code, err, out = check(project, capsys)
    assert code == 1
    assert "conversions.yaml:5: error: a term of 'keep' must be a string, not nothing" in err


# ---------------------------------------------------------------- layout options


def test_bad_option_values_in_site_and_meta_files(tmp_path, capsys):
    project = clinic(tmp_path / "clinic", site=SITE + "options:\n  sheat: Letter\n",
                     meta=META + "options:\n  bleed: 20mm\n  large-print: maybe\n")
    code, err, out = check(project, capsys)
    assert code == 1
    assert errors(err) == [
        "content/flu-jab/meta.yaml:7: error: option bleed=20mm is not a length from 0mm to "
        "10mm (layout 'handout') [meta]",
        "content/flu-jab/meta.yaml:8: error: option large-print=maybe is not yes or no "
        "(layout 'handout') [meta]",
        "site.yaml:7: error: no layout has an option 'sheat' [site]\n"
        "  hint: did you mean 'sheet'? the layouts' options: bleed, colour, hyphens, "
        "large-print, marks, page-size, pair, sheet ('handbill layouts' describes them)",
    ]
    assert run(["--project", str(project), "build", "--layout", "handout"]) == 1
    no_pdf(project)


@pytest.mark.parametrize("declared, message", [
    ("paper:\n  type: choice\n  default: A4\n",
     "option 'paper': 'type' must be one of: enum, length, boolean, text"),
    ("paper:\n  default: A4\n  choices: A4 A5\n", "option 'paper': 'choices' must be a list"),
    ("paper:\n  default: A4\n  choices: [A4, A5]\n  aliases: sheet\n",
     "option 'paper': 'aliases' must be a list of names"),
    ("bleed:\n  type: length\n  default: 0mm\n  min: 0\n  max: 10mm\n",
     "option 'bleed': 'min' must be a length, such as 3mm"),
    ("paper:\n  default: B5\n  choices: [A4, A5]\n",
     "option 'paper': its default 'B5' is not one of: A4, A5"),
], ids=["type", "choices", "aliases", "min", "default"])
def test_a_projects_option_declarations(tmp_path, capsys, declared, message):
    project = clinic(tmp_path / "clinic")
    write(project / "layouts" / "options.yaml", "# The clinic's own options.\n" + declared)
    code, err, out = check(project, capsys)
    assert code == 1
    assert errors(err) == [f"layouts/options.yaml:2: error: {message} [layout]"]


def handout_of_its_own(project: Path, options: str) -> None:
    write(project / "layouts" / "handout" / "layout.yaml", f"""\
name: handout
description: The clinic's handout, on US paper.
template: handout.html.j2
options:
{options}""")


def test_a_layout_that_narrows_the_paper_sizes_defaults_to_the_first(tmp_path, capsys):
    project = clinic(tmp_path / "clinic")
    handout_of_its_own(project, "  page-size:\n    choices: [Letter]\n")
    assert run(["--project", str(project), "layouts"]) == 0
    listed = capsys.readouterr().out
    assert "    page-size=Letter (enum: Letter)  paper size (a layout may take fewer)\n" in listed
    assert run(["--project", str(project), "build", "--layout", "handout"]) == 0
    pdf = project / "out" / "flu-jab" / "handout.pdf"
    assert page_sizes(pdf) == [(612.0, 792.0)] * len(page_sizes(pdf))
    # A4 is no longer this handout's
    assert run(["--project", str(project), "build", "--layout", "handout", "--page-size",
                "A4", "--out", str(tmp_path / "a4")]) == 2
    err = capsys.readouterr().err
    assert "option page-size=A4 is not one of: Letter" in err and "Traceback" not in err
    assert not (tmp_path / "a4").exists()


def test_a_layout_that_narrows_a_lengths_range_has_a_default_inside_it(tmp_path, capsys):
    project = clinic(tmp_path / "clinic")
    handout_of_its_own(project, "  bleed:\n    min: 3mm\n    max: 5mm\n")
    code = run(["--project", str(project), "layouts"])
    captured = capsys.readouterr()
    # Not the common default (0mm, no bleed), printed against the layout's own range.
    assert code != 0
    assert "layouts/handout/layout.yaml:5: error: option 'bleed'" in captured.err
    assert "the common default '0mm' is not " in captured.err
    assert "give it a 'default' inside its range" in captured.err, captured.err


def test_resolved_options_read_as_a_mapping(tmp_path):
    """What a template reads: every option's canonical text ('letter' is Letter)."""
    from handbill.layouts import find_layout

    project = clinic(tmp_path / "clinic")
    handout = find_layout("handout", project)
    letter = handout.resolve_options({"page-size": "letter", "large-print": False})
    assert dict(letter) == {"page-size": "Letter", "bleed": "0mm", "marks": "none",
                            "hyphens": "auto", "large-print": "no", "colour": "rgb"}
    assert len(letter) == 6 and letter.get("pair", "") == ""
    assert hash(letter) == hash(handout.resolve_options({"page-size": "Letter"}))
    with pytest.raises(KeyError):
        letter["pair"]


# ---------------------------------------------------------------- conversions.yaml


def test_conversions_files_of_the_project_and_the_bundle_report_every_problem(
        tmp_path, capsys):
    project = clinic(tmp_path / "clinic", meta=META.replace(
        "  zh-Hans: 流感疫苗\n", "  zh-Hans: 流感疫苗\n  zh-Hant: 流感疫苗\n").replace(
        "layouts:", "languages: [en, zh-Hant]\nlayouts:"))
    write(project / "conversions.yaml", """\
# Terms the Traditional Chinese conversion must leave alone.
keep:
  - 二甲双胍
  -
  - 2024-10-01
  - 12
replace: 海港社区诊所
zh-Hant-HK: [阿司匹林]
zh-Hant-TW:
  keep: 他汀
""")
    write(project / "content" / "flu-jab" / "conversions.yaml", """\
replace:
  流感疫苗: [流感疫苗, 流感針]
  河滨家庭诊所: {tw: 河濱家庭診所}
  诊所: true
""")
    code, err, out = check(project, capsys)
    assert code == 1
    quote = '\n  hint: quote it: "..."'
    at = "content/flu-jab/conversions.yaml"
    assert errors(err) == [
        f"{at}:2: error: the form of '流感疫苗' must be a string, not a list [content]" + quote,
        f"{at}:3: error: the form of '河滨家庭诊所' must be a string, not a mapping [content]"
        + quote,
        f"{at}:4: error: the form of '诊所' must be a string, not true or false [content]"
        + quote,
        "conversions.yaml:4: error: a term of 'keep' must be a string, not nothing [content]"
        + quote,
        "conversions.yaml:5: error: a term of 'keep' must be a string, not a date [content]"
        + quote,
        "conversions.yaml:6: error: a term of 'keep' must be a string, not a number [content]"
        + quote,
        "conversions.yaml:7: error: 'replace' must map each term to its form (term: form) "
        "[content]",
        "conversions.yaml:8: error: 'zh-Hant-HK' must be a mapping of 'keep' and 'replace' "
        "[content]",
        "conversions.yaml:10: error: 'keep' must list terms [content]",
    ]
    assert run(["--project", str(project), "build", "--layout", "handout"]) == 1
    no_pdf(project)


def test_a_conversions_file_that_is_a_list(tmp_path, capsys):
    project = clinic(tmp_path / "clinic", meta=META.replace(
        "  zh-Hans: 流感疫苗\n", "  zh-Hans: 流感疫苗\n  zh-Hant: 流感疫苗\n").replace(
        "layouts:", "languages: [en, zh-Hant]\nlayouts:"))
    write(project / "conversions.yaml", "- 二甲双胍\n- 他汀\n")
    code, err, out = check(project, capsys)
    assert code == 1
    assert errors(err) == ["conversions.yaml:1: error: the file must be a mapping of 'keep' "
                           "and 'replace' [content]"]


def test_a_broken_conversions_file_is_not_blamed_on_the_title(tmp_path, capsys):
    project = clinic(tmp_path / "clinic", meta=META.replace(
        "layouts:", "languages: [en, zh-Hant]\nlayouts:"))
    write(project / "conversions.yaml", "keep:\n  - 二甲双胍\n  -\n")
    code, err, out = check(project, capsys)
    assert code == 1
    assert errors(err) == ["conversions.yaml:3: error: a term of 'keep' must be a string, "
                           "not nothing [content]\n  hint: quote it: \"...\""]
