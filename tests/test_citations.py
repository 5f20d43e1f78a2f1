"""Citations: CSL styles, one numbering in both languages, each language's terms, errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest

from handbill.citations import find_style, resolve_citations
from handbill.cli import run
from handbill.content import load_bundle
from pdfcheck import all_text, squash

from conftest import REPO, SAMPLE

FIXTURE = Path(__file__).parent / "fixtures" / "citations"


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("&amp;", "&")


def _formatted(style: str):
    root = FIXTURE.parent
    bundle = load_bundle(FIXTURE, root)
    bibliography = resolve_citations(bundle, find_style(style, bundle, root), root)
    entries = {lang: {e.id: f"{e.label} {_plain(e.html)}".strip() for e in found}
               for lang, found in bibliography.entries.items()}
    citations = {key: _plain(html) for key, html in bibliography.citations.items()}
    return entries, citations


def test_vancouver_formats_each_kind_as_citing_medicine_says():
    entries, citations = _formatted("vancouver")
    en, zh = entries["en"], entries["zh-Hans"]
    # More than six authors: the first six, then "et al."; journal abbreviation; date; range.
    assert en["gerstein2008"] == (
        "1. Gerstein HC, Miller ME, Byington RP, Goff DC, Bigger JT, Buse JB, et al. Effects of "
        "intensive glucose lowering in type 2 diabetes. N Engl J Med. 2008 Jun 12;358(24):2545–59. "
        "doi:10.1056/NEJMoa0802743 PubMed PMID: 18539917.")
    # A web page's date of publication in full (Citing Medicine ch. 25; the style's own
    # text gives the year alone: handbill corrects it, see citations.STYLE_CORRECTIONS).
    assert en["who2023"] == (
        "3. World Health Organization. WHO fact sheets [Internet]. 2023 Apr 5 "
        "[cited 2024 Jan 15]. Diabetes. Available from: "
        "https://www.who.int/news-room/fact-sheets/detail/diabetes")
    assert en["li2024"] == (
        "4. Li W, Chen J. Mesenchymal stromal cells in early type 2 diabetes: a pilot study "
        "[Preprint]. medRxiv; 2024. doi:10.1101/2024.02.01.24302100")
    assert en["wang2019"] == ("5. 王明, 李华, 张伟, 刘洋. 间充质干细胞治疗2型糖尿病的临床研究. "
                              "中华糖尿病杂志. 2019;11(3):180–5.")
    # The Chinese section: the same numbers; a Chinese entry in Chinese terms, the others as in English.
    assert zh["gerstein2008"] == en["gerstein2008"]
    assert zh["wang2019"] == ("5. 王明, 李华, 张伟, 刘洋. 间充质干细胞治疗2型糖尿病的临床研究. "
                              "中华糖尿病杂志. 2019年;11(3):180～5.")
    # NLM's in-text citation is the number alone: a locator (p. 12) is not printed; a free
    # suffix (第 12 页, which is no English locator term) is.
    assert [citations[f"en-{i}"] for i in range(5)] == ["(1)", "(2)", "(3)", "(4)", "(5)"]
    assert [citations[f"zh-Hans-{i}"] for i in range(5)] == [
        "(1)", "(2, 第 12 页)", "(3)", "(4)", "(5)"]


def test_vancouver_edited_book():
    # Pandoc's citeproc put the label of a <names> without <name> first ("2. , editorsHolt
    # RIG"); handbill gives it an empty <name/> (citations._labels_after_names).
    entries, _ = _formatted("vancouver")
    assert entries["en"]["holt2017"] == ("2. Holt RIG, Flyvbjerg A, editors. Textbook of diabetes. "
                                         "5th ed. Chichester: Wiley-Blackwell; 2017.")


def test_ama_edited_book():
    entries, _ = _formatted("ama")
    assert entries["en"]["holt2017"] == ("2. Holt RIG, Flyvbjerg A, eds. Textbook of Diabetes. "
                                         "5th ed. Wiley-Blackwell; 2017.")


def test_apa_is_author_date_with_all_authors_up_to_twenty():
    entries, citations = _formatted("apa")
    en = entries["en"]
    assert en["gerstein2008"] == (
        "Gerstein, H. C., Miller, M. E., Byington, R. P., Goff, D. C., Bigger, J. T., Buse, J. B., "
        "Cushman, W. C., & Genuth, S. (2008). Effects of intensive glucose lowering in type 2 "
        "diabetes. The New England Journal of Medicine, 358(24), 2545–2559. "
        "https://doi.org/10.1056/NEJMoa0802743")
    assert en["holt2017"] == ("Holt, R. I. G., & Flyvbjerg, A. (Eds.). (2017). Textbook of "
                              "diabetes (5th ed.). Wiley-Blackwell.")
    assert en["who2023"] == ("World Health Organization. (2023, April 5). Diabetes. WHO Fact "
                             "Sheets. https://www.who.int/news-room/fact-sheets/detail/diabetes")
    assert en["li2024"] == ("Li, W., & Chen, J. (2024). Mesenchymal stromal cells in early type 2 "
                            "diabetes: a pilot study [Preprint]. medRxiv. "
                            "https://doi.org/10.1101/2024.02.01.24302100")
    assert list(en) == ["gerstein2008", "holt2017", "li2024", "who2023", "wang2019"]  # by author
    assert citations["en-0"] == "(Gerstein et al., 2008)"
    assert citations["en-1"] == "(Holt & Flyvbjerg, 2017, p. 12)"
    assert citations["en-4"] == "(王 et al., 2019)"  # English text: English terms
    assert citations["zh-Hans-4"] == "(王 等, 2019)"  # Chinese text, Chinese entry: 等
    assert citations["zh-Hans-0"] == "(Gerstein et al., 2008)"  # Chinese text, English entry


def test_gb_t_7714_numeric():
    entries, citations = _formatted("gb-t-7714")
    en, zh = entries["en"], entries["zh-Hans"]
    assert en["gerstein2008"] == (
        "[1] GERSTEIN H C, MILLER M E, BYINGTON R P, et al. Effects of intensive glucose lowering "
        "in type 2 diabetes[J/OL]. The New England Journal of Medicine, 2008, 358(24): 2545-2559. "
        "DOI:10.1056/NEJMoa0802743.")
    assert en["holt2017"] == ("[2] HOLT R I G, FLYVBJERG A. Textbook of diabetes[M]. 5th ed. "
                              "Chichester: Wiley-Blackwell, 2017.")
    # An organisation as written, not in capitals (GB/T 7714-2015's examples).
    assert en["who2023"] == ("[3] World Health Organization. Diabetes[EB/OL]. (2023-04-05)"
                             "[2024-01-15]. https://www.who.int/news-room/fact-sheets/detail/diabetes.")
    assert zh["wang2019"] == ("[5] 王明, 李华, 张伟, 等. 间充质干细胞治疗2型糖尿病的临床研究[J]. "
                              "中华糖尿病杂志, 2019, 11(3): 180-185.")
    assert zh["gerstein2008"] == en["gerstein2008"]  # an English entry keeps "et al."
    assert citations["zh-Hans-0"] == "[1]"


def test_sample_numbers_match_across_languages_and_link_to_entries(sample_build):
    pdf = sample_build / "stem-cells-t2dm" / "handout.pdf"
    text = all_text(pdf)
    for english, chinese in (("insulin secretion (1,2)", "胰岛素分泌(1,2)"),
                             ("metabolic environment (3)", "代谢环境(3)"),
                             ("receptor signaling (4)", "信号通路活性(4)"),
                             ("insulin therapy (3,5)", "停用胰岛素(3,5)")):
        assert squash(english) in squash(text) and squash(chinese) in squash(text)
    assert text.count("Rangappa S et al. Stem cell therapy for diabetes mellitus") == 2
    reader = pypdf.PdfReader(pdf)
    names = set(reader.named_destinations)
    for lang in ("en", "zh-Hans"):
        for key in ("rangappa2003", "tang2013", "hu2016", "zhou2016", "carlsson2020"):
            assert f"ref-{lang}-{key}" in names
    links = [annot.get_object() for page in reader.pages for annot in page.get("/Annots", [])]
    targets = [str(link.get("/Dest", "")) for link in links]
    assert sum(t.startswith("ref-en-") for t in targets) == 6  # (1,2) (3) (4) (3,5)
    assert sum(t.startswith("ref-zh-Hans-") for t in targets) == 6


def test_sample_in_apa(tmp_path):
    assert run(["--project", str(REPO), "build", str(SAMPLE), "--out", str(tmp_path),
                "--citation-style", "apa"]) == 0
    text = squash(all_text(tmp_path / "stem-cells-t2dm" / "handout.pdf"))
    assert squash("insulin secretion (Rangappa et al., 2003; Tang et al., 2013)") in text
    assert squash("胰岛素分泌(Rangappa et al., 2003; Tang et al., 2013)") in text
    assert squash("Carlsson, P. O. et al. (2020). Mesenchymal stem cells for diabetes "
                  "treatment: clinical trials overview. Diabetologia, 63, 2257–2267.") in text


def test_doi_prints_as_a_link(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "content" / "c")
    assert run(["--project", str(tmp_path), "build"]) == 0
    reader = pypdf.PdfReader(tmp_path / "out" / "c" / "handout.pdf")
    uris = {str(a.get_object()["/A"].get("/URI")) for page in reader.pages
            for a in page.get("/Annots", []) if "/URI" in a.get_object().get("/A", {})}
    assert "https://doi.org/10.1056/NEJMoa0802743" in uris
    assert "https://doi.org/10.1101/2024.02.01.24302100" in uris


# ---- errors and warnings ---------------------------------------------------------------

def _bundle(tmp_path) -> Path:
    bundle = tmp_path / "content" / "stem-cells-t2dm"
    shutil.copytree(SAMPLE, bundle)
    return bundle


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> tuple[int, int]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


def test_unknown_key_is_located_with_the_nearest_key(tmp_path, capsys):
    bundle = _bundle(tmp_path)
    _edit(bundle / "zh-Hans.md", "[@hu2016]", "[@hu2061]")
    assert run(["--project", str(tmp_path), "build"]) == 1
    err = capsys.readouterr().err
    line, column = _line_of(bundle / "zh-Hans.md", "@hu2061")
    assert (f"content/stem-cells-t2dm/zh-Hans.md:{line}:{column}: error: unknown citation key "
            "'hu2061' [citation]\n  hint: did you mean 'hu2016' or 'zhou2016'? Otherwise add an "
            "entry 'hu2061' to content/stem-cells-t2dm/references.yaml") in err
    assert not (tmp_path / "out").exists()


def test_second_item_of_a_cluster_is_located_too(tmp_path, capsys):
    bundle = _bundle(tmp_path)
    _edit(bundle / "en.md", "[@rangappa2003; @tang2013]", "[@rangappa2003; @tang2031]")
    assert run(["--project", str(tmp_path), "build"]) == 1
    line, column = _line_of(bundle / "en.md", "@tang2031")
    assert f"content/stem-cells-t2dm/en.md:{line}:{column}: error: unknown citation key 'tang2031'" \
        in capsys.readouterr().err


def test_uncited_reference_is_a_warning_and_the_pdf_is_built(tmp_path, capsys):
    bundle = _bundle(tmp_path)
    with (bundle / "references.yaml").open("a", encoding="utf-8") as file:
        file.write("- id: extra2020\n  type: book\n  title: Never cited\n"
                   "  issued: {date-parts: [[2020]]}\n")
    assert run(["--project", str(tmp_path), "build"]) == 0
    line, _ = _line_of(bundle / "references.yaml", "id: extra2020")
    assert (f"content/stem-cells-t2dm/references.yaml:{line}: warning: reference 'extra2020' is "
            "never cited, so it is not printed [citation-unused]") in capsys.readouterr().err
    assert (tmp_path / "out" / "stem-cells-t2dm" / "handout.pdf").is_file()


def _with_references(bundle: Path, name: str, text: str) -> None:
    """BUNDLE's references become the file NAME holding TEXT (after the sample's entries,
    for references.yaml), and meta.yaml names it."""
    (bundle / "references.yaml").unlink()
    _edit(bundle / "meta.yaml", "references: references.yaml", f"references: {name}")
    if name == "references.yaml":
        text = (SAMPLE / "references.yaml").read_text(encoding="utf-8") + text
    (bundle / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name,entry,needle", [
    ("references.yaml", "- id: notitle\n  type: book\n  issued: {date-parts: [[2020]]}\n",
     "id: notitle"),
    ("references.json", '[\n  {"id": "hu2016", "type": "book", "title": "T", "issued": 2016},\n'
     '  {\n    "id": "notitle",\n    "type": "book",\n    "issued": {"date-parts": [[2020]]}\n  }\n]\n',
     '"id": "notitle"'),
    ("references.bib", "@book{hu2016,\n  title = {T},\n  year = {2016}\n}\n\n"
     "@book{notitle,\n  year = {2020}\n}\n", "@book{notitle"),
])
def test_entry_without_title_is_an_error_at_its_line(tmp_path, capsys, name, entry, needle):
    bundle = _bundle(tmp_path)
    _with_references(bundle, name, entry)
    assert run(["--project", str(tmp_path), "build"]) == 1
    line, _ = _line_of(bundle / name, needle)
    err = capsys.readouterr().err
    assert f"content/stem-cells-t2dm/{name}:{line}: error: reference 'notitle' has no title" in err


def test_entry_without_year_is_an_error(tmp_path, capsys):
    bundle = _bundle(tmp_path)
    _edit(bundle / "references.yaml", "  issued: {date-parts: [[2016]]}\n", "")
    assert run(["--project", str(tmp_path), "build"]) == 1
    line, _ = _line_of(bundle / "references.yaml", "id: hu2016")
    assert (f"content/stem-cells-t2dm/references.yaml:{line}: error: reference 'hu2016' has no "
            "year ('issued')") in capsys.readouterr().err


def test_style_that_does_not_parse_is_named(tmp_path, capsys):
    bundle = _bundle(tmp_path)
    (bundle / "house.csl").write_text('<?xml version="1.0"?>\n<style>\n  <info>\n</style>\n')
    _edit(bundle / "meta.yaml", "layouts: [handout, parallel, trifold, booklet]",
          "layouts: [handout]\ncitation-style: house.csl")
    assert run(["--project", str(tmp_path), "build"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"content/stem-cells-t2dm/house\.csl:4:\d+: error: citation style does not "
                     r"parse: mismatched tag", err), err


def test_any_csl_file_can_be_the_style(tmp_path):
    bundle = _bundle(tmp_path)
    shutil.copy(REPO / "src" / "handbill" / "assets" / "csl" / "apa.csl", bundle / "mine.csl")
    assert run(["--project", str(tmp_path), "build", "--citation-style",
                str(bundle / "mine.csl")]) == 0
    text = all_text(tmp_path / "out" / "stem-cells-t2dm" / "handout.pdf")
    assert squash("(Hu et al., 2016)") in squash(text)


def test_unknown_style_name_is_an_error_at_meta(tmp_path, capsys):
    bundle = _bundle(tmp_path)
    _edit(bundle / "meta.yaml", "layouts: [handout, parallel, trifold, booklet]",
          "layouts: [handout]\ncitation-style: harvard9")
    assert run(["--project", str(tmp_path), "build"]) == 1
    line, _ = _line_of(bundle / "meta.yaml", "citation-style:")
    assert (f"content/stem-cells-t2dm/meta.yaml:{line}: error: unknown citation style 'harvard9'"
            in capsys.readouterr().err)


def test_numeric_styles_sort_a_citations_items_without_pandoc_sorting(tmp_path):
    # For Vancouver and GB/T 7714 handbill puts a citation's items in number order itself
    # and gives Pandoc the style without its sort (a third of Pandoc's memory); the
    # output must be what Pandoc's own sort gives: (1,2), not (2,1), for a citation
    # that names a later reference first.
    from handbill import citations

    bundle_dir = tmp_path / "content" / "stem-cells-t2dm"
    shutil.copytree(SAMPLE, bundle_dir)
    en = bundle_dir / "en.md"
    en.write_text(en.read_text(encoding="utf-8") + "\nBoth [@tang2013; @rangappa2003].\n",
                  encoding="utf-8")
    zh = bundle_dir / "zh-Hans.md"
    zh.write_text(zh.read_text(encoding="utf-8") + "\n两者[@tang2013; @rangappa2003]。\n",
                  encoding="utf-8")
    bundle = load_bundle(bundle_dir, tmp_path)
    for name in ("vancouver", "gb-t-7714"):
        style = find_style(name, bundle, tmp_path)
        assert citations._without_number_sort(style.read_text(encoding="utf-8")) is not None
        ours = resolve_citations(bundle, style, tmp_path)
        # Pandoc sorting, with the style as it is: the output to match.
        original = citations._without_number_sort
        citations._without_number_sort = lambda text: None
        try:
            pandocs = resolve_citations(bundle, style, tmp_path)
        finally:
            citations._without_number_sort = original
        assert ours == pandocs, name
        last = [k for k in ours.citations if k.startswith("en-")][-1]
        assert _plain(ours.citations[last]) in ("(1,2)", "[1-2]", "[1, 2]", "[1,2]"), \
            (name, ours.citations[last])
    # APA sorts by author: Pandoc keeps its sort.
    apa = find_style("apa", bundle, tmp_path)
    assert citations._without_number_sort(apa.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize("name,text,needle,message", [
    ("references.yaml", "- id: bad\n  type: article-journal\n  title: T\n  container-title: J\n"
     "  issued: {date-parts: [[2016, 99]]}\n", "issued:",
     "reference 'bad': 'issued' has month 99, which is no month (2016-99)"),
    ("references.yaml", "- id: bad\n  type: article-journal\n  title: T\n  container-title: J\n"
     "  issued:\n    date-parts: [[2023, 2, 30]]\n", "issued:",
     "reference 'bad': 'issued' is 2023-02-30, a day that does not exist (February has 28 days)"),
    ("references.yaml", "- id: bad\n  type: webpage\n  title: T\n  issued: 2020\n"
     "  accessed: {raw: '2024-04-31'}\n", "accessed:",
     "reference 'bad': 'accessed' is 2024-04-31, a day that does not exist (April has 30 days)"),
    ("references.yaml", "- id: bad\n  type: book\n  title: T\n  issued: '2016-99'\n", "issued:",
     "reference 'bad': 'issued' has month 99, which is no month (2016-99)"),
    ("references.json", '[\n  {"id": "bad", "type": "book", "title": "T",\n'
     '   "issued": {"date-parts": [[2016, 13, 2]]}}\n]\n', '"id": "bad"',
     "reference 'bad': 'issued' has month 13, which is no month (2016-13-2)"),
    ("references.bib", "@article{ok,\n  title = {T},\n  year = {2016}\n}\n\n"
     "@article{bad,\n  title = {T},\n  journal = {J},\n  year = {2016},\n  month = {99}\n}\n",
     "@article{bad", "reference 'bad': 'issued' has month 99, which is no month (2016-99)"),
])
def test_date_that_does_not_exist_is_an_error_at_its_line(tmp_path, capsys, name, text, needle,
                                                          message):
    bundle = _bundle(tmp_path)
    _with_references(bundle, name, text)
    (bundle / "en.md").write_text("# T\n\nA [@bad].\n", encoding="utf-8")
    assert run(["--project", str(tmp_path), "build"]) == 1
    err = capsys.readouterr().err
    if name == "references.yaml":  # the date's own line, after the bad entry's id
        lines = (bundle / name).read_text(encoding="utf-8").splitlines()
        line = next(i for i, text in enumerate(lines, 1)
                    if i > lines.index("- id: bad") and needle in text)
    else:
        line, _ = _line_of(bundle / name, needle)
    assert f"content/stem-cells-t2dm/{name}:{line}: error: {message} [references]" in err, err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_dates_that_exist_are_accepted():
    from handbill.references import _impossible

    for date in ([2016], [2016, 12], [2024, 2, 29], [2000, 2, 29], [2016, 13], [2016, 24],
                 ["2016", "4", "30"]):
        assert _impossible(date) is None, date
    for date in ([2023, 2, 29], [1900, 2, 29], [2016, 0], [2016, 6, 31], [2016, 13, 1],
                 [2016, 1, 0]):
        assert _impossible(date), date


@pytest.mark.parametrize("style,expected", [
    ("vancouver", "1. Saltzman JR, Li W, Doe BD. Gastric lavage. Gut. 2016;1:1–2."),
    ("apa", "Saltzman, J. R., Li, W., & Doe, B. D. (2016). Gastric lavage. Gut, 1, 1–2."),
    ("ama", "1. Saltzman JR, Li W, Doe BD. Gastric lavage. Gut. 2016;1:1-2."),
    ("gb-t-7714", "[1] SALTZMAN J R, LI W, DOE B D. Gastric lavage[J]. Gut, 2016, 1: 1-2."),
])
@pytest.mark.parametrize("source", ["yaml", "bib"])
def test_pubmed_initials_print_as_initials(tmp_path, style, expected, source):
    # PubMed writes given names as initials (JR): each style prints them as its initials,
    # never as a first name cut to "J". "Li" is a name, "Wei" too: untouched.
    bundle = tmp_path / "c"
    bundle.mkdir()
    (bundle / "meta.yaml").write_text("title: {en: T}\ndate: 2024-03-01\nlanguages: [en]\n",
                                      encoding="utf-8")
    (bundle / "en.md").write_text("A [@s2016].\n", encoding="utf-8")
    if source == "yaml":
        (bundle / "references.yaml").write_text(
            "- id: s2016\n  type: article-journal\n  author:\n    - {family: Saltzman, given: JR}\n"
            "    - {family: Li, given: Wei}\n    - {family: Doe, given: BD}\n"
            "  title: Gastric lavage\n  container-title: Gut\n  issued: 2016\n  volume: '1'\n"
            "  page: 1-2\n  language: en\n", encoding="utf-8")
    else:
        (bundle / "meta.yaml").write_text("title: {en: T}\ndate: 2024-03-01\nlanguages: [en]\n"
                                          "references: references.bib\n", encoding="utf-8")
        (bundle / "references.bib").write_text(
            "@article{s2016,\n  author = {Saltzman, JR and Li, Wei and Doe, BD},\n"
            "  title = {Gastric lavage},\n  journal = {Gut},\n  year = {2016},\n"
            "  volume = {1},\n  pages = {1--2},\n  langid = {english}\n}\n", encoding="utf-8")
    loaded = load_bundle(bundle, tmp_path)
    bibliography = resolve_citations(loaded, find_style(style, loaded, tmp_path), tmp_path)
    entry = bibliography.entries["en"][0]
    assert f"{entry.label} {_plain(entry.html)}".strip() == expected


def test_chinese_and_real_given_names_are_not_initials():
    from handbill.references import _initials

    for name in ({"family": "Li", "given": "Li"}, {"family": "王", "given": "明"},
                 {"family": "Ng", "given": "Wei"}, {"family": "Doe", "given": "JRRR"},
                 {"family": "Doe", "given": "J. R."}, {"literal": "WHO"}):
        assert _initials(name) == name
    assert _initials({"family": "Doe", "given": "JR"}) == {"family": "Doe", "given": "J. R."}


def test_apa_chinese_names_have_no_stray_full_stop():
    entries, citations = _formatted("apa")
    # APA 7: the names as written, separated by commas, the last after "&"; the author
    # element ends with one full stop before the year. Pandoc's citeproc added one after
    # each Han name ("王明., 李华., ...").
    expected = ("王明, 李华, 张伟, & 刘洋. (2019). 间充质干细胞治疗2型糖尿病的临床研究. "
                "中华糖尿病杂志, 11(3), 180–185.")
    assert entries["en"]["wang2019"] == expected
    assert entries["zh-Hans"]["wang2019"] == expected.replace("180–185", "180～185")


def _chars(pdf_path: Path):
    """Every character of each page with its box (left, bottom, right, top) and its font
    size, as PDFium reads them."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    pdf = pypdfium2.PdfDocument(str(pdf_path))
    for page in pdf:
        textpage = page.get_textpage()
        yield [(textpage.get_text_range(i, 1),
                (*textpage.get_charbox(i), pdfium_c.FPDFText_GetFontSize(textpage.raw, i)))
               for i in range(textpage.count_chars())]


def _find(chars, text: str):
    """The boxes (and font sizes) of TEXT's characters where it stands in CHARS (white
    space skipped)."""
    shown = [(c, box) for c, box in chars if c.strip()]
    letters = "".join(c for c, _ in shown)
    start = letters.find(text.replace(" ", ""))
    return None if start < 0 else [box for _, box in shown[start:start + len(text.replace(" ", ""))]]


def _ama_build(tmp_path) -> Path:
    bundle = tmp_path / "content" / "c"
    shutil.copytree(FIXTURE, bundle)
    with (bundle / "en.md").open("a", encoding="utf-8") as file:
        file.write("\nTissues [@gerstein2008]. Both [@gerstein2008; @holt2017], then "
                   "[@li2024]; and [@wang2019]: end. See [@holt2017].\n")
    with (bundle / "zh-Hans.md").open("a", encoding="utf-8") as file:  # the same citations
        file.write("\n组织[@gerstein2008]。两者[@gerstein2008; @holt2017]，然后[@li2024]；"
                   "以及[@wang2019]：完。见[@holt2017, 第 52 页]，结束。\n")
    assert run(["--project", str(tmp_path), "build", "--citation-style", "ama",
                "--layout", "handout"]) == 0
    return tmp_path / "out" / "c" / "handout.pdf"


def test_ama_superscript_follows_the_full_stop_and_comma(tmp_path):
    # AMA 11 (3.6.1): superscript numerals outside periods and commas, inside colons and
    # semicolons, with no space before them: "…tissues.¹", "Both,¹˒² then", "then⁴;".
    from handbill.render import fill_citations

    entries, _ = _formatted("ama")
    bundle = load_bundle(FIXTURE, FIXTURE.parent)
    bibliography = resolve_citations(bundle, find_style("ama", bundle, FIXTURE.parent),
                                     FIXTURE.parent)
    html = fill_citations(bundle.bodies["en"].html, bibliography)
    assert re.search(r"A large trial\.<span class=\"citation\"><span [^>]*><sup><a [^>]*>1</a>"
                     r"</sup></span></span> A textbook\.<span", html), html
    pdf = _ama_build(tmp_path)
    text = squash(all_text(pdf))
    for written in ("Alargetrial.1Atextbook.2(p12)TheWHOfactsheet.3", "Tissues.1Both,1,2then4;",
                    "and5:end."):
        assert written in text, text
    assert "Tissues.1" in all_text(pdf)  # no space read between the stop and the number
    boxes = _find(next(_chars(pdf)), "Tissues.1Both")
    stop, one, b = boxes[7], boxes[8], boxes[9]
    assert one[1] > stop[1] + 1 and one[4] < 0.95 * b[4]  # raised, and smaller


@pytest.mark.parametrize("style,html", [
    ("ama", '<sup><a href="#ref-zh-Hans-holt2017" role="doc-biblioref">2</a></sup>第 12 页'),
    ("gb-t-7714", '<sup>[<a href="#ref-zh-Hans-holt2017" role="doc-biblioref">2</a>]</sup>'
                  '第 12 页'),
])
def test_chinese_locator_follows_a_superscript_number_in_text_size(style, html):
    root = FIXTURE.parent
    bundle = load_bundle(FIXTURE, root)
    bibliography = resolve_citations(bundle, find_style(style, bundle, root), root)
    assert bibliography.citations["zh-Hans-1"] == (
        f'<span class="citation" data-cites="holt2017">{html}</span>')


def test_chinese_locator_prints_in_text_size_in_the_pdf(tmp_path):
    pdf = _ama_build(tmp_path)
    text = squash(all_text(pdf))
    assert "见2第52页，结束。" in text and "组织1。" in text
    chinese = next(page for page in _chars(pdf) if any(c == "见" for c, _ in page))
    boxes = _find(chinese, "见2第52页")
    jian, two, di = boxes[0], boxes[1], boxes[2]
    assert two[4] < 0.95 * di[4] and di[4] == jian[4]  # the number small, 第 in the text's size


_LONG_URL = ("https://www.example.org/patient-information/diabetes-mellitus-type-2/"
             "self-management.education-programme/leaflet-for-newly-diagnosed-adults-2024.html")
_LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff"


def _pdftotext(path: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("layout", ["handout", "trifold"])
def test_bibliography_breaks_only_at_spaces_and_after_slash_or_dot(tmp_path, layout):
    bundle = tmp_path / "content" / "c"
    bundle.mkdir(parents=True)
    (bundle / "meta.yaml").write_text("title: {en: Long addresses}\ndate: 2024-03-01\n"
                                      "languages: [en]\n", encoding="utf-8")
    (bundle / "en.md").write_text("## Long addresses\n\nA leaflet [@long2024]. A study "
                                  "[@name2020].\n", encoding="utf-8")
    (bundle / "references.yaml").write_text(
        "# Test fixtures: fictional works.\n"
        "- id: long2024\n  type: webpage\n  author: [{literal: Example Health Service}]\n"
        "  title: Newly diagnosed with type 2 diabetes\n  issued: 2024\n"
        "  accessed: {date-parts: [[2024, 3, 1]]}\n"
        f"  URL: {_LONG_URL}\n  language: en\n"
        "- id: name2020\n  type: article-journal\n"
        f"  author: [{{family: {_LONG_NAME}, given: Hubert}}, "
        "{family: Uvulaphalangeopharyngealis, given: Maximiliana}]\n"
        "  title: Characteristically uncomplicated multidisciplinary rehabilitation\n"
        "  container-title: Example Journal of Interdisciplinary Rehabilitation\n"
        "  issued: 2020\n  volume: '3'\n  page: 1-9\n  DOI: 10.5555/interdisciplinary.rehab-2020.0003\n"
        "  language: en\n", encoding="utf-8")
    assert run(["--project", str(tmp_path), "build", "--layout", layout]) == 0
    pdf = tmp_path / "out" / "c" / f"{layout}.pdf"
    for text in (all_text(pdf), _pdftotext(pdf)):
        assert "\u2010" not in text and "\u00ad" not in text and "\u200b" not in text
        lines = [line.strip() for line in text.replace("\r", "").splitlines()]
        joined = "".join(lines)
        assert _LONG_URL in joined and "10.5555/interdisciplinary.rehab-2020.0003" in joined
        assert _LONG_NAME in joined and "Uvulaphalangeopharyngealis" in joined
        for line in lines:  # a line inside an address ends after '/' or '.', never at '-'
            if line and (line in _LONG_URL or _LONG_URL.startswith(line)) and len(line) > 8:
                end = _LONG_URL.find(line) + len(line)
                assert end == len(_LONG_URL) or _LONG_URL[end - 1] in "/.", line
    # the address did break (over several lines): the test sees what it claims to
    assert _LONG_URL not in all_text(pdf).replace("\r", "")


def _references_as(bundle: Path, root: Path, name: str) -> Path:
    """The sample's references moved to NAME (a .json or .bib of the bundle, or the
    project's shared references.yaml when NAME is 'project'); the file's path."""
    import json

    import yaml

    entries = yaml.safe_load((bundle / "references.yaml").read_text(encoding="utf-8"))
    (bundle / "references.yaml").unlink()
    if name == "project":
        _edit(bundle / "meta.yaml", "references: references.yaml\n", "")
        target = root / "references.yaml"
        target.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
        return target
    _edit(bundle / "meta.yaml", "references: references.yaml", f"references: {name}")
    target = bundle / name
    text = json.dumps(entries, ensure_ascii=False, default=str)
    if name.endswith(".bib"):
        import subprocess

        from handbill.pandoc import pandoc_path

        text = subprocess.run([pandoc_path(), "-f", "csljson", "-t", "bibtex"], input=text,
                              capture_output=True, text=True, check=True).stdout
    target.write_text(text, encoding="utf-8")
    return target


@pytest.mark.parametrize("name", ["references.json", "references.bib", "project"])
def test_unknown_key_hint_names_the_references_file_read(tmp_path, capsys, name):
    bundle = _bundle(tmp_path)
    shown = _references_as(bundle, tmp_path, name).relative_to(tmp_path).as_posix()
    _edit(bundle / "en.md", "[@hu2016]", "[see @hu2061, p. 3]")
    _edit(bundle / "zh-Hans.md", "[@hu2016]", "[@nobody1999]")
    assert run(["--project", str(tmp_path), "build"]) == 1
    err = capsys.readouterr().err
    line, column = _line_of(bundle / "en.md", "@hu2061")
    assert (f"content/stem-cells-t2dm/en.md:{line}:{column}: error: unknown citation key 'hu2061' "
            f"[citation]\n  hint: did you mean 'hu2016' or 'zhou2016'? Otherwise add an entry "
            f"'hu2061' to {shown}\n") in err
    line, column = _line_of(bundle / "zh-Hans.md", "@nobody1999")
    assert (f"content/stem-cells-t2dm/zh-Hans.md:{line}:{column}: error: unknown citation key "
            f"'nobody1999' [citation]\n  hint: add an entry 'nobody1999' to {shown}\n") in err
    assert "references.yaml" not in err.replace(shown, "") or name == "project"
    assert not (tmp_path / "out").exists()


def test_unknown_key_without_any_references_file(tmp_path, capsys):
    bundle = _bundle(tmp_path)
    (bundle / "references.yaml").unlink()
    _edit(bundle / "meta.yaml", "references: references.yaml\n", "")
    assert run(["--project", str(tmp_path), "build"]) == 1
    assert ("hint: add an entry 'rangappa2003' to a references file: content/stem-cells-t2dm/"
            "references.yaml (or .json, .bib), or the project's references.yaml for every bundle"
            in capsys.readouterr().err)


@pytest.mark.parametrize("written,key", [
    ("[@url:https://www.who.int/x/y.pdf]", "url:https://www.who.int/x/y.pdf"),
    ("[see @{https://example.org/a,b}, p. 3]", "https://example.org/a,b"),
    ("@doi:10.1111/dom.14057.", "doi:10.1111/dom.14057"),
])
def test_unknown_url_and_doi_keys_are_located_at_their_at_sign(tmp_path, capsys, written, key):
    bundle = _bundle(tmp_path)
    _edit(bundle / "en.md", "[@hu2016]", "and " + written)
    assert run(["--project", str(tmp_path), "build"]) == 1
    line, column = _line_of(bundle / "en.md", "@" + written.split("@", 1)[1][:3])
    assert (f"content/stem-cells-t2dm/en.md:{line}:{column}: error: unknown citation key "
            f"'{key}' [citation]") in capsys.readouterr().err


def test_a_citation_in_anothers_locator_stops_the_build(tmp_path, capsys):
    bundle = _bundle(tmp_path)
    _edit(bundle / "en.md", "[@rangappa2003; @tang2013]", "[@rangappa2003, @tang2013]")
    assert run(["--project", str(tmp_path), "build", "--layout", "handout"]) == 1
    line, column = _line_of(bundle / "en.md", "@tang2013")
    assert (f"content/stem-cells-t2dm/en.md:{line}:{column}: error: '@tang2013' stands in the "
            "locator of '@rangappa2003'") in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ---- dependent styles, and Pandoc kept off the network -------------------------------

def _dependent(parent: str, locale: str = "") -> str:
    """A dependent CSL style (as the Zotero repository has thousands) whose parent is PARENT."""
    default = f' default-locale="{locale}"' if locale else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n'
            f'<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0"{default}>\n'
            "  <info>\n    <title>Journal of Testing</title>\n"
            "    <id>http://www.zotero.org/styles/journal-of-testing</id>\n"
            '    <link href="http://www.zotero.org/styles/journal-of-testing" rel="self"/>\n'
            f'    <link href="http://www.zotero.org/styles/{parent}" rel="independent-parent"/>\n'
            "    <updated>2024-01-01T00:00:00+00:00</updated>\n  </info>\n</style>\n")


def _with_style(bundle: Path, text: str) -> Path:
    (bundle / "journal.csl").write_text(text, encoding="utf-8")
    meta = bundle / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        "layouts: [handout, parallel, trifold, booklet]",
        "layouts: [handout]\ncitation-style: journal.csl"), encoding="utf-8")
    return bundle / "journal.csl"


def test_dependent_style_takes_its_built_in_parent(tmp_path):
    from handbill.citations import read_style

    bundle = _bundle(tmp_path)
    style = _with_style(bundle, _dependent("apa", locale="en-GB"))
    text = read_style(style, tmp_path)
    assert "<title>APA Style 7th edition</title>" in text and "<link" not in text
    assert re.search(r'<style default-locale="en-GB" xmlns=', text)  # the dependent's locale
    from handbill.citations import _run_locale

    assert (_run_locale("en-US", text), _run_locale("zh-CN", text)) == ("en-GB", "zh-CN")
    assert run(["--project", str(tmp_path), "build"]) == 0
    assert squash("(Hu et al., 2016)") in squash(
        all_text(tmp_path / "out" / "stem-cells-t2dm" / "handout.pdf"))


def _offline(command: list[str], cwd: Path):
    """COMMAND run with no network at all: in a network namespace of its own (only a
    loopback, down). Skipped where unshare cannot make one."""
    import os
    import subprocess
    import sys

    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare(1) is not installed: cannot run a build without network")
    probe = subprocess.run([unshare, "--net", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare --net is not permitted here ({probe.stderr.strip()[:100]})")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([unshare, "--net", sys.executable, "-m", "handbill", *command],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def test_dependent_style_with_a_project_parent_builds_without_network(tmp_path):
    # The parent is the project's styles/journal-parent.csl (here APA's text): the
    # build, with no network at all, prints the citations as the parent does.
    bundle = _bundle(tmp_path)
    _with_style(bundle, _dependent("journal-parent"))
    (tmp_path / "styles").mkdir()
    shutil.copy(REPO / "src" / "handbill" / "assets" / "csl" / "apa.csl",
                tmp_path / "styles" / "journal-parent.csl")
    result = _offline(["--project", str(tmp_path), "build"], tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "out" / "stem-cells-t2dm" / "handout.pdf"
    assert squash("(Hu et al., 2016)") in squash(all_text(pdf))


def test_dependent_style_whose_parent_is_absent_is_an_error_at_its_link(tmp_path):
    bundle = _bundle(tmp_path)
    style = _with_style(bundle, _dependent("council-of-science-editors"))
    result = _offline(["--project", str(tmp_path), "build"], tmp_path)
    assert result.returncode == 1
    line, _ = _line_of(style, 'rel="independent-parent"')
    assert (f"content/stem-cells-t2dm/journal.csl:{line}: error: a dependent CSL style: its "
            "parent style 'council-of-science-editors' is not here (handbill never downloads "
            "it) [citation]\n  hint: download http://www.zotero.org/styles/council-of-science-"
            "editors as styles/council-of-science-editors.csl") in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_parent_style_outside_the_project_is_refused(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    bundle = _bundle(project)
    _with_style(bundle, _dependent("secret"))
    (project / "styles").mkdir()
    (tmp_path / "secret.csl").write_text("<style/>", encoding="utf-8")
    (project / "styles" / "secret.csl").symlink_to(tmp_path / "secret.csl")
    from handbill.citations import read_style
    from handbill.errors import ContentError

    with pytest.raises(ContentError) as raised:
        read_style(bundle / "journal.csl", project)
    (problem,) = raised.value.diagnostics
    line, _ = _line_of(bundle / "journal.csl", 'rel="independent-parent"')
    assert (problem.path, problem.line) == ("content/stem-cells-t2dm/journal.csl", line)
    assert "outside the project" in problem.message


def test_pandoc_runs_sandboxed_without_proxies_and_data_folder(monkeypatch):
    # What Pandoc is started with: every run, whatever it does.
    import subprocess

    from handbill import pandoc

    seen = {}
    real = subprocess.run

    def spy(command, **kwargs):
        if command[0] == pandoc.pandoc_path() and "--version" not in command:
            seen.update(command=command, env=kwargs.get("env"), cwd=kwargs.get("cwd"))
        return real(command, **kwargs)

    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setattr(subprocess, "run", spy)
    pandoc.run_pandoc(["-f", "bibtex", "-t", "csljson"], "@book{a, title={T}, year={2016}}", "x.bib")
    assert "--sandbox" in seen["command"]
    assert any(a.startswith("--data-dir=") for a in seen["command"])
    assert any(a.startswith("--resource-path=") for a in seen["command"])
    assert not {"https_proxy", "HTTP_PROXY"} & set(seen["env"])


# ---- Pandoc's errors, located and in plain words ----------------------------------------

_HASKELL_WORDS = ("PandocParseError", "CiteprocParseError", "CallStack", "HasCallStack",
                  "user error", "Prelude.", "withBinaryFile", "Error at (")


def _no_haskell(text: str) -> None:
    assert not [word for word in _HASKELL_WORDS if word in text], text
    assert "Traceback" not in text


@pytest.mark.parametrize("bib,line,column,message", [
    ("@book{hu2016,\n  title = {T},\n  year = {2016\n}\n\n@book{tang2013, title={x}}\n", 6, 1,
     "BibTeX does not parse: unexpected '@'"),
    ("@book{hu2016,\n  title = {T}\n", 3, 1, "BibTeX does not parse: unexpected end of input"),
])
def test_bibtex_that_pandoc_cannot_parse_is_an_error_at_its_line(tmp_path, capsys, bib, line,
                                                                  column, message):
    bundle = _bundle(tmp_path)
    (bundle / "references.yaml").unlink()
    _edit(bundle / "meta.yaml", "references: references.yaml", "references: references.bib")
    (bundle / "references.bib").write_text(bib, encoding="utf-8")
    assert run(["--project", str(tmp_path), "build"]) == 1
    err = capsys.readouterr().err
    assert (f"content/stem-cells-t2dm/references.bib:{line}:{column}: error: {message} "
            "[references]") in err
    _no_haskell(err)
    assert not (tmp_path / "out").exists()


def test_style_citeproc_cannot_read_is_named_without_haskell(tmp_path, capsys):
    bundle = _bundle(tmp_path)
    _with_style(bundle, '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" '
                        'version="1.0">\n  <citation>\n  </citation>\n</style>\n')
    assert run(["--project", str(tmp_path), "build"]) == 1
    err = capsys.readouterr().err
    assert ("content/stem-cells-t2dm/journal.csl: error: Pandoc's citeproc cannot read the "
            "style: No layout element present in citation [citation]") in err
    _no_haskell(err)
    assert not (tmp_path / "out").exists()


def _pandoc_fails(args, text, source, files):
    from handbill.errors import ContentError
    from handbill.pandoc import run_pandoc

    with pytest.raises(ContentError) as raised:
        run_pandoc(args, text, source, files)
    (problem,) = raised.value.diagnostics
    _no_haskell(problem.message)
    return problem.path, problem.line, problem.column, problem.message


def test_pandoc_errors_on_its_files_are_located(tmp_path):
    # Each a real failure of the bundled Pandoc, on files given on its command line.
    style = REPO / "src" / "handbill" / "assets" / "csl" / "apa.csl"
    cite = ["-f", "markdown", "-t", "html", "--citeproc", "--csl"]
    refs = tmp_path / "refs.yaml"
    refs.write_text("- id: a\n  title: [unclosed\n", encoding="utf-8")
    assert _pandoc_fails([*cite, str(style), "--bibliography", str(refs)], "X [@a]", "apa.csl",
                         {str(refs): "content/b/references.yaml"}) == (
        "content/b/references.yaml", 3, 1,
        "YAML does not parse: while parsing a flow sequence; did not find expected ',' or ']'")
    bad = tmp_path / "refs.json"
    bad.write_text('[{"id": "a", "type": "book", "issued": {"date-parts": [["x"]]}}]')
    assert _pandoc_fails([*cite, str(style), "--bibliography", str(bad)], "X [@a]", "apa.csl",
                         {str(bad): "content/b/references.json"}) == (
        "content/b/references.json", None, None,
        "Pandoc cannot read the references: Error in $[0]['date-parts'][0]: not a number")
    missing = tmp_path / "gone.csl"
    assert _pandoc_fails([*cite, str(missing), "--bibliography", str(bad)], "X [@a]", "x.csl",
                         {str(missing): "content/b/x.csl"}) == (
        "x.csl", None, None, "Pandoc could not find the file content/b/x.csl")
    latin1 = tmp_path / "latin1.csl"
    latin1.write_bytes(style.read_bytes().replace(b"APA Style", b"APA \xe9 Style"))
    path, line, _, message = _pandoc_fails([*cite, str(latin1), "--bibliography", str(bad)],
                                           "X [@a]", "x.csl", {str(latin1): "content/b/x.csl"})
    assert (path, message.split(" (")[0]) == ("content/b/x.csl", "file is not valid UTF-8")
    # one handbill does not know: Pandoc's first line, plainly, naming the file
    assert _pandoc_fails(["-f", "markdown", "-t", "nosuchformat"], "X", "content/b/en.md",
                         {}) == ("content/b/en.md", None, None,
                                 "Pandoc failed (exit code 22): Unknown output format "
                                 "nosuchformat")


def test_haskell_words_are_taken_out_of_an_unknown_error():
    from handbill.pandoc import pandoc_error

    stderr = ("pandoc: user error (Prelude.head: empty list)\nCallStack (from HasCallStack):\n"
              "  error, called at libraries/base/GHC/List.hs:1646:3 in base:GHC.List\n")
    problem = pandoc_error(stderr, 1, "content/b/en.md", {})
    assert problem.message == "Pandoc failed (exit code 1): head: empty list"
    problem = pandoc_error("[WARNING] Citeproc: undefined macro x\nPandocSomeError: it broke\n"
                           "HasCallStack backtrace:\n  collectBacktraces, called at x\n", 63,
                           "content/b/en.md", {})
    assert problem.message == "Pandoc failed (exit code 63): it broke"


def _macros(text: str) -> dict[str, str]:
    return dict(re.findall(r'<macro name="([^"]+)">(.*?)</macro>', text, re.S))


def test_style_corrections_are_keyed_to_the_style_and_touch_only_their_macros():
    from handbill import citations

    edited = {"nlm-citation-sequence.csl": {"date", "report-number"},
              "apa.csl": {"identifier-number"},
              "china-national-standard-gb-t-7714-2015-numeric.csl": {"type-id"},
              "american-medical-association.csl": set()}
    for name, macros in edited.items():
        text = (citations.styles_dir() / name).read_text(encoding="utf-8")
        before, after = _macros(text), _macros(citations._corrected_style(text))
        assert {m for m in before if before[m] != after[m]} == macros, name
        # the same text under another <id> is another style: not corrected
        other = re.sub(r"<id>[^<]*</id>", "<id>http://example.org/styles/mine</id>", text, 1)
        assert citations._corrected_style(other) == other, name


def test_apa_publisher_is_left_out_only_when_it_is_the_author_exactly():
    from types import SimpleNamespace

    from handbill import citations

    def ref(key, author, publisher):
        return SimpleNamespace(id=key, csl={"author": [author], "publisher": publisher})

    bundle = SimpleNamespace(references=[
        ref("same", {"literal": "Example Agency"}, "Example Agency"),
        ref("near", {"literal": "Example Agency"}, "Example Agency Press"),
        ref("person", {"family": "Agency", "given": "Example"}, "Example Agency")])
    html = "Example Agency. (2020). <em>T</em> (Report No. 1). Example Agency. <a>x</a>"
    apa = citations._corrections(bundle, citations.APA_ID)
    assert apa(html, "en", "same") == "Example Agency. (2020). <em>T</em> (Report No. 1). <a>x</a>"
    assert apa(html, "en", "near") == apa(html, "en", "person") == html
    assert citations._corrections(bundle, citations.NLM_ID)(html, "en", "same") == html


def test_apa_chinese_date_only_in_the_chinese_section_of_apa():
    from types import SimpleNamespace

    from handbill import citations

    bundle = SimpleNamespace(references=[])
    html = "示例健康网. (2023, 八月 1). 题名. (2024, 十二月)."
    apa = citations._corrections(bundle, citations.APA_ID)
    assert apa(html, "zh-Hans") == "示例健康网. (2023年8月1日). 题名. (2024年12月)."
    assert apa(html, "en") == html
    assert citations._corrections(bundle, citations.GBT_ID)(html, "zh-Hans") == html
