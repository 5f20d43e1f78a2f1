"""The languages table (handbill.languages): a language is a row of data.

The proof: tests/fixtures/spanish adds Spanish in its own layouts/languages.yaml
(and its texts in layouts/strings.yaml), with no Python, and builds and checks a
handout in English and Spanish; the PDF is read back and its text compared.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
import pytest

from handbill.cli import run
from handbill.errors import LayoutError
from handbill.languages import load_languages
from pdfcheck import MM, fonts, lang_tags, markdown_blocks, reading_text, squash

REPO = Path(__file__).resolve().parents[1]
SPANISH = Path(__file__).resolve().parent / "fixtures" / "spanish"


@pytest.fixture
def spanish(tmp_path) -> Path:
    shutil.copytree(SPANISH, tmp_path / "project")
    return tmp_path / "project"


def test_the_built_in_table():
    table = load_languages(REPO)
    assert table.tags[:2] == ("en", "zh-Hans") == table.default_languages()
    assert table["zh-Hans"].name == "简体中文" and table["zh-Hans"].typography.han
    assert table["en"].typography.hyphenation == "en-US" and not table["en"].typography.han
    assert table["zh-Hans"].csl_locale == "zh-CN" and table["zh-Hans"].foreign_terms == "en-US"
    # planned: Traditional Chinese, with the Han rules and its own font
    hant = table["zh-Hant"]
    assert (hant.fonts[0], hant.csl_locale, hant.typography) == (
        "Handbill Sans TC", "zh-TW", table["zh-Hans"].typography)
    assert "es" not in table


def test_a_project_adds_spanish_without_python(spanish, capsys):
    table = load_languages(spanish)
    assert table.tags == ("en", "zh-Hans", "zh-Hant", "zh-Hant-HK", "es")
    assert table["es"].name == "Español" and table["es"].csl_locale == "es-ES"
    assert table["es"].foreign_terms == "es-ES"  # its own terms for every entry

    assert run(["--project", str(spanish), "check"]) == 0
    assert "0 errors, 0 warnings" in capsys.readouterr().err
    assert run(["--project", str(spanish), "build"]) == 0
    pdf = spanish / "out" / "vacunas-gripe" / "handout.pdf"
    bundle = spanish / "content" / "vacunas-gripe"

    text = reading_text(pdf)
    # every heading, paragraph and list item of both texts, in order, exactly
    expected = ["Harbourside Community Clinic · Tel. 555-0100", "VACCINES · 1 October 2024",
                "The Flu Vaccine",
                *markdown_blocks((bundle / "en.md").read_text(encoding="utf-8"),
                                 lambda keys: "(1)"),
                "References",
                "Clínica Comunitaria Harbourside · Tel. 555-0100",
                "VACUNAS · 1 de octubre de 2024", "La vacuna contra la gripe",
                *markdown_blocks((bundle / "es.md").read_text(encoding="utf-8"),
                                 lambda keys: "(1)"),
                "Referencias"]
    at = 0
    flat = squash(text)
    for block in expected:
        found = flat.find(squash(block), at)
        assert found >= 0, (block, text)
        at = found + len(squash(block))
    assert "Página 2 de 2" in text and "Page 1 of 2" in text
    # the Spanish section is tagged as Spanish, and set in the Latin font alone
    reader = pypdf.PdfReader(pdf)
    assert "es" in lang_tags(pdf)
    assert {name.split("+")[1] for name in fonts(pdf)} == {"Handbill-Text", "Handbill-Text-Bold"}
    assert [round(float(p.mediabox.width) / MM) for p in reader.pages] == [210, 210]


def test_one_language_of_a_project_row(spanish):
    assert run(["--project", str(spanish), "build", "--lang", "es"]) == 0
    text = reading_text(spanish / "out" / "vacunas-gripe" / "handout.es.pdf")
    assert "La vacuna contra la gripe" in text and "The Flu Vaccine" not in text


def test_an_unknown_language_is_an_error_at_its_line(spanish, capsys):
    meta = spanish / "content" / "vacunas-gripe" / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "languages: [en, esp]\n",
                    encoding="utf-8")
    assert run(["--project", str(spanish), "build"]) == 1
    err = capsys.readouterr().err
    assert ("content/vacunas-gripe/meta.yaml:7: error: unknown language 'esp' in "
            "'languages:' [meta]\n  hint: did you mean 'es'? languages: en, zh-Hans, zh-Hant, zh-Hant-HK, es"
            ) in err
    assert "Traceback" not in err
    # on the command line: a misuse, exit 2
    assert run(["--project", str(spanish), "build", "--lang", "ES-"]) == 2
    assert "unknown language 'ES-' (--lang) [usage]" in capsys.readouterr().err


def test_a_row_that_is_wrong_is_an_error_at_its_line(spanish, capsys):
    table = spanish / "layouts" / "languages.yaml"
    table.write_text(table.read_text(encoding="utf-8").replace("rules: latin", "rules: cyrillic")
                     .replace("csl-locale: es-ES", "csl-locle: es-ES"), encoding="utf-8")
    with pytest.raises(LayoutError) as error:
        load_languages(spanish)
    shown = [d.format().splitlines()[0] for d in error.value.diagnostics]
    assert shown == ["layouts/languages.yaml:6: error: 'es.csl-locle': no such field [layout]",
                     "layouts/languages.yaml:2: error: language 'es' needs 'csl-locale' [layout]",
                     "layouts/languages.yaml:9: error: 'es.typography.rules' must be one of: "
                     "latin, han [layout]"]
    assert run(["--project", str(spanish), "build"]) == 1
    assert "layouts/languages.yaml:9: error:" in capsys.readouterr().err


def test_font_chains_have_one_source(tmp_path, capsys):
    """fonts.yaml's old families: is an error pointing at the table, not a second source."""
    shutil.copytree(SPANISH, tmp_path / "p")
    (tmp_path / "p" / "layouts" / "fonts.yaml").write_text(
        "families:\n  en: [Handbill Text]\nsystem: []\n", encoding="utf-8")
    assert run(["--project", str(tmp_path / "p"), "build"]) == 1
    assert ("layouts/fonts.yaml:1: error: the font families of each language are no longer "
            "here: they are the 'fonts:' of its row in layouts/languages.yaml [layout]"
            ) in capsys.readouterr().err
