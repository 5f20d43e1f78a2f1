"""The sample bundle is the seed article, faithfully; loading validates bundles."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from handbill.content import load_bundle
from pdfcheck import squash

from conftest import REPO, SAMPLE

SEED = Path(__file__).parent / "resources" / "seed.txt"

# The lines a web scrape left in the article: category, title again, date and
# reading time, and the cover image's alt text (twice). They become metadata.
SCRAPE_LEFTOVERS = {"DIABETES", "Stem Cells for Type 2 Diabetes", "6/29/20232 min read",
                    "an aerial view of a blue and green coral", "References:",
                    "Stem Cells for Type 2 Diabetes: Mechanisms and Clinical Evidence",
                    "中文版本 — 干细胞为何对2型糖尿病有效"}


SEED_CITATIONS = {
    "(Rangappa et al., 2003; Tang et al., 2013)": "[@rangappa2003; @tang2013]",
    "(Hu et al., 2016; Carlsson et al., 2020)": "[@hu2016; @carlsson2020]",
    "(Hu et al., 2016)": "[@hu2016]",
    "(Zhou et al., 2016)": "[@zhou2016]",
}


def _seed_lines():
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"^\s*(\d+\.|•)\s*", "", line).strip()
        if line and line not in SCRAPE_LEFTOVERS:
            yield line


def test_every_line_of_the_seed_is_in_the_bundle_word_for_word():
    bundle = load_bundle(SAMPLE, REPO)
    text = squash("".join(b.source for b in bundle.bodies.values()).replace("**", ""))
    references = bundle.references
    formatted = {r.id: r.csl for r in references}
    checked = 0
    for line in _seed_lines():
        if re.match(r"^[A-Z][a-z]+ [A-Z]{1,2}, et al\.", line):
            family = line.split()[0]
            entry = next(e for e in formatted.values() if e["author"][0]["family"] == family)
            given = entry["author"][0]["given"].replace(". ", "").rstrip(".")
            assert line.startswith(f"{family} {given}, et al.")
            assert entry["author"][1] == {"literal": "others"}  # "et al.", not invented names
            assert entry["title"] in line and entry["container-title"] in line
            assert f"{entry['issued']['date-parts'][0][0]};{entry['volume']}" in line
            assert entry["page"] in line
            checked += 1
            continue
        for written, keys in SEED_CITATIONS.items():  # the seed's author-year citations, as keys
            line = line.replace(written, keys)
        if line.startswith("Introduction "):
            line = line.removeprefix("Introduction ")  # a heading the scrape ran into its text
        assert squash(line) in text, line
        checked += 1
    assert checked == 49  # every non-leftover line of the seed, 5 of them references


def test_scrape_leftovers_became_metadata():
    meta = load_bundle(SAMPLE, REPO).meta
    assert meta.category["en"] == "Diabetes"
    assert meta.date == datetime.date(2023, 6, 29)
    assert meta.reading_time["en"] == "2 min read"
    assert meta.cover.alt["en"] == "an aerial view of a blue and green coral"
    assert meta.cover.path.name == "cover.svg" and meta.cover.path.is_file()
    assert meta.title == {"en": "Stem Cells for Type 2 Diabetes",
                          "zh-Hans": "干细胞为何对2型糖尿病有效"}
    assert meta.subtitle["en"] == "Mechanisms and Clinical Evidence"


def test_references_carry_no_invented_identifiers():
    bundle = load_bundle(SAMPLE, REPO)
    assert [r.id for r in bundle.references] == [
        "rangappa2003", "tang2013", "hu2016", "zhou2016", "carlsson2020"]
    for reference in bundle.references:
        assert not {"DOI", "PMID", "URL"} & set(reference.csl)
        assert reference.csl["author"][1:] == [{"literal": "others"}]


def test_headings_keep_their_source_lines():
    body = load_bundle(SAMPLE, REPO).bodies["zh-Hans"]
    lines = body.source.splitlines()
    assert [h.text for h in body.headings] == ["引言", "作用机制", "临床研究证据", "结论"]
    for heading in body.headings:
        assert lines[heading.line - 1] == f"## {heading.text}"
