"""Resolve citations: check every key, then format citations and bibliographies with CSL.

Formatting is Pandoc's citeproc (a complete CSL 1.0.2 processor), fed the
bundle's citations in reading order, English first, so that reference 3 is
[3] in both languages. Each language section gets its own run: English in
en-US terms; Chinese in zh-CN terms, except that an entry (or a citation of
entries) whose ``language`` is not Chinese keeps English terms ("et al."),
as GB/T 7714-2015 prescribes for Western-language entries.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from . import guard
from .cache import Cache
from .errors import ContentError, Diagnostic, display_path
from .model import Bundle
from .styles import BUILT_IN_STYLES, DEFAULT_STYLE, PARENT_FOLDERS, STYLES  # noqa: F401

if TYPE_CHECKING:
    from concurrent.futures import Future

#: The cache of formatted citations (a verified handbill.cache.Cache) under .cache/handbill/.
CACHE_NAME = "citations"
# The CSL locale of each section's run, and the one entries in other languages are set
# in, are its language's row of the languages table (csl-locale, foreign-terms).


def styles_dir() -> Path:
    return Path(__file__).parent / "assets" / "csl"


@dataclass(frozen=True)
class Entry:
    """One formatted bibliography entry: its key, its label ("1.", "[1]", or none), its HTML."""

    id: str
    label: str
    html: str


@dataclass(frozen=True)
class Bibliography:
    """Formatted citations by cluster id, and each language's bibliography."""

    citations: Mapping[str, str] = field(default_factory=dict)
    entries: Mapping[str, tuple[Entry, ...]] = field(default_factory=dict)
    style: str = ""


def find_style(name: str, bundle: Bundle, root: Path, line: int | None = None,
               where: Path | None = None) -> Path:
    """A style by built-in name, or a .csl file relative to the file that names it (the
    bundle, or a layout's folder) or to the project.

    A file must lie inside the project (the guard's rule); it is named at WHERE:LINE
    (the bundle's meta.yaml and its 'citation-style' line, by default).
    """
    if name in STYLES:
        return styles_dir() / STYLES[name]
    where = where or bundle.meta_path
    if line is None and where == bundle.meta_path:
        line = bundle.meta.lines.get("citation-style")
    named = guard.Named(where, line, "citation style", name)
    first = bundle.path if where == bundle.meta_path else where.parent  # beside its naming
    for base in (first, root):
        candidate = base / name
        if candidate.exists() or candidate.is_symlink():
            return guard.check(candidate, root, named, code="citation")
    refused = guard.outside(first / name, root, named)
    if refused is not None:
        raise ContentError(refused)
    raise ContentError(Diagnostic(
        display_path(where, root), line,
        f"unknown citation style '{name}'", code="citation",
        hint=f"a built-in style ({', '.join(sorted(set(STYLES) - set(STYLES.values())))})"
             " or the path of a .csl file"))


def read_style(path: Path, root: Path) -> str:
    """A CSL style's text, read through the guard and checked to be a CSL style; a
    dependent style's is its parent's (see resolve_parent), found on this machine."""
    text, tree = _read_csl(path, root)
    link = _parent_link(tree)
    if link is not None:
        text, tree = resolve_parent(path, root, text, tree, link)
    if not any(isinstance(e.tag, str) and _local(e.tag) == "citation" for e in tree.getroot()):
        raise ContentError(Diagnostic(display_path(path, root), 1, "not a complete CSL style: "
                                      "it has no <citation>", code="citation"))
    # Pandoc is handed no <link> at all (they only describe the style): whatever attribute
    # spelling a parent link takes, Pandoc has nothing to follow.
    stripped = _LINK.sub("", text)
    if any(isinstance(e.tag, str) and _local(e.tag) == "link"
           for e in ET.fromstring(stripped.encode()).iter()):
        raise ContentError(Diagnostic(display_path(path, root), None, "a <link> in the style "
                                      "that handbill cannot take out", code="citation"))
    return stripped




def resolve_parent(path: Path, root: Path, text: str, tree: ET.ElementTree,
                   link: ET.Element) -> tuple[str, ET.ElementTree]:
    """The style a dependent style at PATH stands for: its parent (named by LINK's
    href, as http://www.zotero.org/styles/NAME), read from NAME.csl in the project's
    styles/ or csl/ folder, else among handbill's built-in styles; never fetched.
    As the CSL specification says, the parent's text with the dependent style's
    default-locale, if it sets one. A parent not found is an error at the link's line,
    saying what to download and where to put it."""
    shown = display_path(path, root)
    href = next((v for k, v in link.items() if _local(k) == "href"), "").strip()
    line = _line_of(text, r"<(?:[\w.-]+:)?link\b[^>]*independent-parent")
    name = re.sub(r"\.csl$", "", href.split("?")[0].split("#")[0].rstrip("/").rpartition("/")[2])
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) or ".." in name:
        raise ContentError(Diagnostic(
            shown, line, f"a dependent CSL style whose parent ('{href[:200]}') names no style "
            "file", code="citation", hint="its <link rel=\"independent-parent\"> should be "
            "the parent's address, such as http://www.zotero.org/styles/apa"))
    candidates = [(root / folder / f"{name}.csl", True) for folder in PARENT_FOLDERS]
    candidates.append((styles_dir() / f"{name}.csl", False))
    for candidate, in_project in candidates:
        if not (candidate.exists() or candidate.is_symlink()):
            continue
        named = guard.Named(path, line, "parent citation style", name) if in_project else None
        parent_text, parent_tree = _read_csl(candidate, root, named)
        if _parent_link(parent_tree) is not None:
            raise ContentError(Diagnostic(
                display_path(candidate, root), _line_of(parent_text, r"independent-parent"),
                f"the parent of {shown} is itself a dependent style", code="citation",
                hint="a parent must be an independent style (one with its own <citation>)"))
        locale = next((v for k, v in tree.getroot().items() if _local(k) == "default-locale"),
                      None)
        if locale:
            parent_text = _with_default_locale(parent_text, locale)
            parent_tree = ET.ElementTree(ET.fromstring(parent_text.encode("utf-8")))
        return parent_text, parent_tree
    target = display_path(root / "styles" / f"{name}.csl", root)
    raise ContentError(Diagnostic(
        shown, line, f"a dependent CSL style: its parent style '{name}' is not here "
        "(handbill never downloads it)", code="citation",
        hint=f"download {href} as {target}" if href.startswith(("http://", "https://")) else
        f"put the parent style in {target} (it is looked for there, in csl/ and among the "
        "built-in styles, never at the address the link gives)"))


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _line_of(text: str, pattern: str) -> int | None:
    found = re.search(pattern, text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _parent_link(tree: ET.ElementTree) -> ET.Element | None:
    """A style's <link rel="independent-parent">: it is a dependent style."""
    return next((e for e in tree.getroot().iter() if isinstance(e.tag, str)
                 and _local(e.tag) == "link" and any(
                     _local(k) == "rel" and v.strip() == "independent-parent"
                     for k, v in e.items())), None)


def _with_default_locale(text: str, locale: str) -> str:
    """TEXT with its <style>'s default-locale set to LOCALE."""
    tag = re.search(r"<(?:[\w.-]+:)?style(?=[\s>/])[^>]*>", text)
    if tag is None:
        return text
    value = escape(locale, quote=True)
    start = re.sub(r"\sdefault-locale\s*=\s*(?:\"[^\"]*\"|'[^']*')", "", tag.group())
    start = re.sub(r"^(<(?:[\w.-]+:)?style)", rf'\1 default-locale="{value}"', start)
    return text[:tag.start()] + start + text[tag.end():]


def _read_csl(path: Path, root: Path, named: guard.Named | None = None
              ) -> tuple[str, ET.ElementTree]:
    """A CSL file's text and tree, read through the guard: errors at the file's lines."""
    data = guard.read_bytes(path, root, named, limit=2_000_000, code="citation")
    try:
        tree = ET.ElementTree(ET.fromstring(data))
    except ET.ParseError as error:
        line, column = error.position
        raise ContentError(Diagnostic(display_path(path, root), line,
                                      f"citation style does not parse: {error}",
                                      column=column + 1, code="citation")) from None
    if not _local(tree.getroot().tag) == "style":
        raise ContentError(Diagnostic(display_path(path, root), 1,
                                      "not a CSL style (its root element is not <style>)",
                                      code="citation"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContentError(Diagnostic(display_path(path, root), None, "file is not valid UTF-8",
                                      code="citation")) from None
    return text, tree


_LINK = re.compile(r"<(?:[\w.-]+:)?link\b[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?link\s*>)", re.S)


def check_citations(bundle: Bundle, root: Path) -> list[Diagnostic]:
    """Errors for unknown keys (at the citation), warnings for references never cited."""
    known = {ref.id for ref in bundle.references}
    cited: set[str] = set()
    problems = []
    for body in (*bundle.bodies.values(), *bundle.short_bodies.values()):
        for cluster in body.clusters:
            for item in cluster.items:
                cited.add(item.key)
                if item.key not in known:
                    from .citesyntax import place

                    line, column = place(cluster.raw, cluster.line, cluster.column, item.offset)
                    problems.append(Diagnostic(
                        display_path(body.path, root), line,
                        f"unknown citation key '{item.key}'", column=column, code="citation",
                        hint=_unknown_key_hint(item.key, known, bundle, root)))
    for ref in bundle.references:
        if ref.id not in cited:
            path = bundle.reference_files.get(ref.id)
            if path is not None and path.parent.resolve() == bundle.path.resolve():
                problems.append(Diagnostic(
                    display_path(path, root), ref.line, f"reference '{ref.id}' is never cited, "
                    "so it is not printed", severity="warning", code="citation-unused"))
    return problems


def _unknown_key_hint(key: str, known: set[str], bundle: Bundle, root: Path) -> str:
    """The nearest keys, and the references file an entry for KEY belongs in: the
    bundle's own (whatever its format), else the project's shared one."""
    close = difflib.get_close_matches(key, sorted(known), n=3)
    if bundle.reference_sources:  # the bundle's own comes last
        where = f"add an entry '{key}' to {display_path(bundle.reference_sources[-1], root)}"
    else:
        where = (f"add an entry '{key}' to a references file: "
                 f"{display_path(bundle.path / 'references.yaml', root)} (or .json, .bib), "
                 "or the project's references.yaml for every bundle")
    if not close:
        return where
    names = [f"'{name}'" for name in close]
    spelled = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"did you mean {spelled}? Otherwise {where}"


def resolve_citations(bundle: Bundle, style: Path, root: Path) -> Bibliography:
    """Format every citation and each language's bibliography in STYLE."""
    return start_citations(bundle, style, root)()


def start_citations(bundle: Bundle, style: Path, root: Path) -> Callable[[], Bibliography]:
    """Start formatting BUNDLE's citations; the returned function waits for the Bibliography.

    Pandoc (when its output is not cached) runs meanwhile, so that the caller can
    get on with the rest of its preparation.
    """
    style_text = _corrected_style(_labels_after_names(read_style(style, root)))
    from .languages import load_languages

    table = load_languages(root)
    clusters = [c for lang in bundle.bodies for c in bundle.bodies[lang].clusters]
    if not clusters:
        return lambda: Bibliography(style=style.stem)
    languages = {ref.id: str(ref.csl.get("language") or "en") for ref in bundle.references}
    unsorted = _without_number_sort(style_text)
    if unsorted is not None:  # the same output, a third of Pandoc's memory (see there)
        style_text, raws = unsorted, _in_number_order(clusters)
    else:
        raws = [c.raw for c in clusters]
    source = "\n\n".join(f"::: {{#{c.id}}}\n{raw}\n:::" for c, raw in zip(clusters, raws))
    source += "\n\n::: {#refs}\n:::\n"
    references = json.dumps([{**ref.csl, "id": ref.id} for ref in bundle.references],
                            ensure_ascii=False, sort_keys=True)
    # A language's own terms serve only entries written in it when its row sets foreign
    # entries in other terms (Chinese: the policy above); without any, its run is not made.
    locales = set()
    for lang in bundle.bodies:
        profile = table[lang]
        locales.add(profile.foreign_terms)
        if profile.csl_locale == profile.foreign_terms or any(
                profile.writes(written) for written in languages.values()):
            locales.add(profile.csl_locale)
    # Where each entry of the JSON given to Pandoc came from, to place Pandoc's complaints.
    places = tuple((display_path(bundle.reference_files.get(ref.id, bundle.meta_path), root),
                    ref.line, ref.id) for ref in bundle.references)
    pending = {locale: _formatted(source, references, style_text, style, locale, root, places)
               for locale in sorted(locales)}
    ident = _style_id(style_text)
    return lambda: _bibliography(bundle, style, languages, table, {
        locale: _parse(html if isinstance(html, str) else html.result())
        for locale, html in pending.items()}, ident)


def _bibliography(bundle: Bundle, style: Path, languages: dict[str, str], table, runs,
                  ident: str = "") -> Bibliography:
    """Each section's citations and entries, from the runs of each locale (see the policy);
    IDENT is the style's <id>, which some corrections are keyed to."""
    citations, entries = {}, {}
    corrections = _corrections(bundle, ident)
    for lang in bundle.bodies:
        profile = table[lang]
        foreign = runs[profile.foreign_terms]
        own = runs.get(profile.csl_locale, foreign)
        locale = profile.csl_locale
        for cluster in bundle.bodies[lang].clusters:
            written_in = any(profile.writes(languages.get(item.key, "en")) for item in cluster.items)
            run = own if (profile.foreign_terms == locale or written_in) else foreign
            # data-cites lists the keys as written (items may have been put in number order)
            written = " ".join(escape(item.key) for item in cluster.items)
            html = _free_text_out_of_superscript(
                corrections(run[0].get(cluster.id, ""), locale), cluster)
            citations[cluster.id] = re.sub(r'data-cites="[^"]*"', f'data-cites="{written}"',
                                           _relink(html, lang), count=1)
        entries[lang] = tuple(
            foreign[1].get(key, entry) if not profile.writes(languages.get(key, "en")) else entry
            for key, entry in own[1].items())
        entries[lang] = tuple(Entry(e.id, e.label, _relink(corrections(e.html, locale, e.id), lang))
                              for e in entries[lang])
    return Bibliography(citations, entries, style.stem)


#: Han characters (the Unified Ideographs and their extensions, compatibility ideographs).
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"


#: The <id>s of the styles that some corrections are keyed to (a dependent style has
#: its parent's text, and so its parent's <id>).
NLM_ID = "http://www.zotero.org/styles/nlm-citation-sequence"
APA_ID = "http://www.zotero.org/styles/apa"
GBT_ID = "http://www.zotero.org/styles/china-national-standard-gb-t-7714-2015-numeric"

#: The zh-CN locale's month names, as Pandoc's citeproc prints them.
_ZH_MONTHS = {name: number for number, name in enumerate(
    ("一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"),
    start=1)}
#: APA's date, "(2023, 八月 1)" or "(2023, 八月)", as citeproc prints it in zh-CN terms.
_APA_ZH_DATE = re.compile(r"\((\d{4}), (" + "|".join(sorted(_ZH_MONTHS, key=len, reverse=True))
                          + r")(?: (\d{1,2}))?\)")


def _corrections(bundle: Bundle, ident: str = "") -> Callable[..., str]:
    """What handbill corrects in the HTML Pandoc's citeproc formats, as a function of it,
    the section's language and (for an entry) its key, for BUNDLE's names and references
    in the style whose <id> is IDENT:

    - the full stop Pandoc puts after a Chinese name in styles that initialise given
      names (APA's initialize-with=". "): "王明., 李华., & 刘洋. (2019)" is "王明, 李华,
      & 刘洋. (2019)". Pandoc prints a Han name whole (family and given name, no space)
      and then the initials' stop. The stop that ends the names (before the year) is
      the style's own and stays; one before a comma, a semicolon or a label ("张三
      (Ed.)") goes;
    - an organisation (a literal name) in capitals: GB/T 7714 puts Western surnames in
      capitals and an organisation as it is written ("World Health Organization.
      ...[R]. Geneva: WHO, 1970." in its examples), where Pandoc capitalises both;
    - "2 版" (a zh-CN edition: the number, a space, 版) is "2版", as GB/T 7714 writes it;
    - in APA, the publisher of an entry whose one author is that same organisation,
      written exactly alike, is left out (APA 7, 9.29: "World Health Organization.
      (2021). Title (Report No. 12). https://..."); CSL cannot compare two variables;
    - in APA's Chinese section, a date in zh-CN terms, "(2023, 八月 1)", is written as
      Chinese writes it, "(2023年8月1日)".
    """
    names, literals, publishers = set(), set(), {}
    for ref in bundle.references:
        for value in ref.csl.values():
            for name in value if isinstance(value, list) else ():
                if not isinstance(name, dict):
                    continue
                if name.get("given") and name.get("family") and re.fullmatch(
                        f"[{_HAN}]+", str(name["family"]) + str(name["given"])):
                    names.add(str(name["family"]) + str(name["given"]))
                literal = str(name.get("literal") or "")
                if literal and literal.upper() != literal:
                    literals.add(escape(literal, quote=False))
        author, publisher = ref.csl.get("author"), ref.csl.get("publisher")
        if (ident == APA_ID and isinstance(publisher, str) and publisher
                and isinstance(author, list) and len(author) == 1
                and isinstance(author[0], dict) and author[0].get("literal") == publisher):
            # " Publisher." after the stop of an earlier part (the author begins the entry)
            publishers[ref.id] = re.compile(r"(?<=\.) " + re.escape(escape(publisher, quote=False))
                                            + r"\.(?= |$)")
    stops = re.compile("(" + "|".join(re.escape(escape(n, quote=False))
                                      for n in sorted(names, key=len, reverse=True))
                       + r")\.(?=[,;，；]| \((?![\dn]))") if names else None
    capitals = {literal.upper(): literal for literal in literals}
    written = re.compile("|".join(re.escape(c) for c in sorted(capitals, key=len, reverse=True))
                         ) if capitals else None

    def corrected(html: str, locale: str = "en-US", key: str | None = None) -> str:
        if stops is not None:
            html = stops.sub(r"\1", html)
        if written is not None:
            html = written.sub(lambda match: capitals[match.group(0)], html)
        if key in publishers:
            found = list(publishers[key].finditer(html))
            if found:
                html = html[:found[-1].start()] + html[found[-1].end():]
        if ident == APA_ID and locale.split("-")[0] == "zh":  # citeproc's zh date
            html = _APA_ZH_DATE.sub(lambda m: f"({m.group(1)}年{_ZH_MONTHS[m.group(2)]}月"
                                    + (f"{int(m.group(3))}日)" if m.group(3) else ")"), html)
        return re.sub(r"(?<=\d) (?=版)", "", html)

    return corrected


#: A citation that is a superscript (AMA's, GB/T 7714's), inside its span.
_SUPERSCRIPT = re.compile(r'(<span class="citation"[^>]*>)<sup>(.*)</sup>(</span>)$', re.S)


def _free_text_out_of_superscript(html: str, cluster) -> str:
    """A superscript citation with its items' free text (a prefix, or a suffix that is
    no locator of the style: 第 52 页) printed before and after the superscript, in the
    text's size, as GB/T 7714 and Chinese publishers print it: "教科书<sup>[2]</sup>第 52 页",
    not the whole in superscript."""
    found = _SUPERSCRIPT.match(html)
    if found is None or cluster.narrative:
        return html
    inner, before, after = found.group(2), [], []
    for item in cluster.items:
        for text, out, where in ((item.prefix, before, "prefix"), (item.suffix, after, "suffix")):
            shown = escape(text.strip().lstrip(",").strip(), quote=False)
            if not shown:
                continue
            spaced = (rf"{re.escape(shown)}\s*" if where == "prefix" else
                      rf"\s*,?\s*{re.escape(shown)}")
            inner, count = re.subn(spaced, "", inner, count=1)
            if count:
                out.append(shown)
    if not before and not after:
        return html
    return (found.group(1) + "; ".join(before) + f"<sup>{inner}</sup>" + "; ".join(after)
            + found.group(3))


#: A <names> element (not self-closing) and its content up to its <substitute> or its end.
_NAMES = re.compile(r"(<names\b[^>]*?(?<!/)>)(.*?)(?=<substitute\b|</names\s*>)", re.S)


def _labels_after_names(style: str) -> str:
    """STYLE with an empty ``<name/>`` put before the ``<label>`` of each ``<names>`` that
    has a label and no ``<name>``: NLM's and AMA's author and editor macros.

    CSL renders a label after the names unless the style places it before a <name>;
    Pandoc's citeproc, given no <name> at all, puts it first: "2. , editorsHolt RIG,
    Flyvbjerg A. Textbook..." for an edited book. An empty <name/> takes the style's
    name options, as the missing one did, and fixes the order.
    """
    def fixed(match: re.Match) -> str:
        content = match.group(2)
        if re.search(r"<name\b", content) or not re.match(r"\s*<label\b", content):
            return match.group(0)
        return match.group(1) + "<name/>" + content

    return _NAMES.sub(fixed, style)


def _style_id(style: str) -> str:
    """The <id> in STYLE's <info>: which style it is, whatever its file is called."""
    info = re.search(r"<(?:[\w.-]+:)?info\b.*?</(?:[\w.-]+:)?info\s*>", style, re.S)
    found = re.search(r"<(?:[\w.-]+:)?id\s*>\s*([^<]*?)\s*</", info.group(0)) if info else None
    return found.group(1) if found else ""


def _edit_macro(style: str, name: str, edit: Callable[[ET.Element], bool]) -> str:
    """STYLE with its macro NAME changed by EDIT, which is given the macro as an element
    (parsed on its own: its tags have no namespace) and says whether it changed it.
    A style without that macro, or whose macro EDIT does not recognise, is unchanged."""
    found = re.search(r"<macro\b[^>]*\bname\s*=\s*([\"'])" + re.escape(name)
                      + r"\1[^>]*(?<!/)>.*?</macro\s*>", style, re.S)
    if found is None:
        return style
    try:
        macro = ET.fromstring(found.group(0))
    except ET.ParseError:
        return style
    if not edit(macro):
        return style
    return style[:found.start()] + ET.tostring(macro, encoding="unicode") + style[found.end():]


def _branches(choose: ET.Element) -> list[ET.Element]:
    return [e for e in choose if e.tag in ("if", "else-if", "else")]


def _types(branch: ET.Element) -> set[str]:
    return set((branch.get("type") or "").split())


def _nlm_web_date(macro: ET.Element) -> bool:
    """NLM's "date": a web page's date of publication in full ("2023 Jun 1", Citing
    Medicine ch. 25), where the style's last branch gives the year alone. The new
    branch is that one, with the whole date."""
    for choose in macro.iter("choose"):
        branches = _branches(choose)
        if not branches or branches[-1].tag != "else" or any(
                "webpage" in _types(b) for b in branches):
            continue
        last = branches[-1]
        years = [d for d in last.iter("date")
                 if d.get("variable") == "issued" and d.get("date-parts") == "year"]
        if not years:
            continue
        web = copy.deepcopy(last)
        web.tag = "else-if"
        web.set("type", "webpage")
        for date in web.iter("date"):
            if date.get("variable") == "issued" and date.get("date-parts") == "year":
                date.attrib.pop("date-parts")
                date.set("form", "text")
        choose.insert(list(choose).index(last), web)
        return True
    return False


def _nlm_report_number(macro: ET.Element) -> bool:
    """NLM's "report-number": "Report No.: 12", and "Report No.: WEO/NCD/21.4" for a
    number that is not numeric (Citing Medicine ch. 15), where the style's label
    macro prints "no." for a numeric number only. The label is the locale's short
    term for a number, capitalised; the rest of the macro is the style's."""
    for parent in macro.iter():
        for index, child in enumerate(list(parent)):
            if child.tag == "text" and child.get("macro") == "label-number":
                group = ET.Element("group", delimiter=": ")
                ET.SubElement(group, "text", term="number", form="short",
                              attrib={"text-case": "capitalize-first"})
                ET.SubElement(group, "text", variable="number")
                group.tail = child.tail
                parent.remove(child)
                parent.insert(index, group)
                return True
    return False


def _apa_report_number(macro: ET.Element) -> bool:
    """APA's "identifier-number": a report's numeric number as "Report No. 12" (APA 7,
    10.4), where the style prints "No. 12" when the report has no genre. A genre, and
    a number that is not numeric ("WEO/NCD/21.4"), print as the style prints them."""
    for choose in macro.iter("choose"):
        branches = _branches(choose)
        if not branches or any("report" in _types(b) for b in branches):
            continue
        genre = next((b for b in branches if b.tag == "else-if" and b.get("variable") == "number"
                      and any(t.get("variable") == "genre" for t in b.iter("text"))), None)
        if genre is None:
            continue
        report = ET.Element("else-if", type="report", attrib={"is-numeric": "number",
                                                               "match": "all"})
        inner = ET.SubElement(report, "choose")
        with_genre = ET.SubElement(inner, "if", variable="genre")
        with_genre.extend(copy.deepcopy(list(genre)))
        ET.SubElement(ET.SubElement(inner, "else"), "text", term="report",
                      attrib={"text-case": "capitalize-first"})
        choose.insert(list(choose).index(genre), report)
        return True
    return False


def _gbt_preprint_online(macro: ET.Element) -> bool:
    """GB/T 7714's "type-id": a preprint (CSL's ``article``) read online (a DOI or an
    address) is [EB/OL], as GB/T 7714-2015 has it, where the style marks every
    ``article`` [A] (archives). One not online keeps the style's mark."""
    for choose in macro.iter("choose"):
        branches = _branches(choose)
        marked = next((b for b in branches if "article" in _types(b)), None)
        electronic = next((b for b in branches if "webpage" in _types(b)), None)
        if marked is None or electronic is None or marked.get("variable"):
            continue
        article = ET.Element("if", type="article")
        inner = ET.SubElement(article, "choose")
        online = ET.SubElement(inner, "if", variable="URL DOI", match="any")
        online.extend(copy.deepcopy(list(electronic)))
        ET.SubElement(inner, "else").extend(copy.deepcopy(list(marked)))
        first = branches[0]
        first.tag = "else-if"
        choose.insert(list(choose).index(first), article)
        return True
    return False


#: Corrections to a style's text, by the style's <id>: (macro, edit) pairs. Each edit
#: finds its place by the macro's structure, not its wording, and leaves a macro it
#: does not recognise as it is.
STYLE_CORRECTIONS: dict[str, tuple[tuple[str, Callable[[ET.Element], bool]], ...]] = {
    NLM_ID: (("date", _nlm_web_date), ("report-number", _nlm_report_number)),
    APA_ID: (("identifier-number", _apa_report_number),),
    GBT_ID: (("type-id", _gbt_preprint_online),),
}


def _corrected_style(style: str) -> str:
    """STYLE with the corrections STYLE_CORRECTIONS has for it (none for other styles)."""
    for name, edit in STYLE_CORRECTIONS.get(_style_id(style), ()):
        style = _edit_macro(style, name, edit)
    return style


#: A citation's sort by citation number, and nothing else.
_NUMBER_SORT = re.compile(r'<sort>\s*<key\s+variable="citation-number"\s*/>\s*</sort>')


def _without_number_sort(style: str) -> str | None:
    """The text of STYLE without its citations' sort, when that sort is by citation
    number alone and the numbers follow the order of first citation (the bibliography
    is not sorted): Vancouver and GB/T 7714's numeric style. Else None.

    The caller then puts each citation's items in number order itself
    (_in_number_order), and Pandoc gives the same output: measured on the sample,
    a Pandoc run that sorts a citation's items peaks at 180 MiB resident, one that
    does not at 63 MiB (sorting touches its Unicode collation tables, 100 MB of its
    program).
    """
    citation = re.search(r"<citation\b.*?</citation>", style, re.S)
    bibliography = re.search(r"<bibliography\b.*?</bibliography>", style, re.S)
    if citation is None or (bibliography is not None and "<sort" in bibliography.group(0)):
        return None
    inner = citation.group(0)
    if inner.count("<sort") != 1 or not _NUMBER_SORT.search(inner):
        return None
    return style[:citation.start()] + _NUMBER_SORT.sub("", inner, count=1) + style[citation.end():]


def _in_number_order(clusters) -> list[str]:
    """Each cluster's raw text with its items in citation-number order: the order in
    which the references are first cited, over all clusters (English first)."""
    rank: dict[str, int] = {}
    for cluster in clusters:
        for item in cluster.items:
            rank.setdefault(item.key, len(rank))
    raws = []
    for cluster in clusters:
        parts = cluster.raw[1:-1].split(";")  # as citesyntax.parse_items splits them
        if cluster.narrative or len(parts) != len(cluster.items) or len(parts) < 2:
            raws.append(cluster.raw)
            continue
        ordered = sorted(zip(parts, cluster.items), key=lambda pair: rank[pair[1].key])
        raws.append("[" + "; ".join(part.strip() for part, _ in ordered) + "]")
    return raws


def _formatted(source: str, references: str, style_text: str, style: Path, locale: str,
               root: Path, places: tuple = ()) -> str | Future:
    """Pandoc's HTML for SOURCE's citations, from the project's cache when it made it
    before; otherwise a Future of it, Pandoc running in a thread of this process.

    Pandoc is a 150 MB program: not starting it when nothing changed keeps builds
    fast and small. The key is everything its output depends on.
    """
    from . import __version__
    from .pandoc import in_background

    key = hashlib.sha256("\0".join((__version__, source, references, locale,
                                     hashlib.sha256(style_text.encode()).hexdigest())).encode())
    cache = Cache(root, CACHE_NAME)
    cached = cache.read(key.hexdigest(), ".html")
    if cached is not None:
        return cached.decode("utf-8")
    return in_background(_format, source, references, style_text, style, locale, root, cache,
                         key.hexdigest(), places)


def _format(source: str, references: str, style_text: str, style: Path, locale: str,
            root: Path, cache: Cache, key: str, places: tuple = ()) -> str:
    from .pandoc import run_pandoc

    with tempfile.TemporaryDirectory(prefix="handbill-") as tmp:
        refs = Path(tmp) / "references.json"
        refs.write_text(references, encoding="utf-8")
        csl = Path(tmp) / style.name
        csl.write_text(style_text, encoding="utf-8")
        # Raw HTML and TeX in a citation's prefix or locator print as text, as they do in
        # the body; what Pandoc makes is cleaned again by _parse. No YAML metadata: the
        # text sets nothing (no other style, bibliography or abbreviations file).
        try:
            html = run_pandoc(["-f", "markdown-raw_html-raw_tex-raw_attribute"
                               "-yaml_metadata_block", "-t", "html",
                               "--wrap=none", "--citeproc",
                               "--csl", str(csl), "--bibliography", str(refs),
                               "-M", f"lang={_run_locale(locale, style_text)}",
                               "-M", "link-citations=true",
                               "-M", "link-bibliography=true"], source, display_path(style, root),
                              {str(csl): display_path(style, root),
                               str(refs): "the references"})
        except ContentError as error:
            raise ContentError([_placed(d, tmp, places) for d in error.diagnostics]) from None
    cache.put(key, ".html", html.encode("utf-8"))
    return html


def _run_locale(locale: str, style_text: str) -> str:
    """The locale of a run: LOCALE, except that the English run takes the style's own
    English default-locale (en-GB), a dependent style's included (see resolve_parent)."""
    found = re.search(r"<(?:[\w.-]+:)?style(?=[\s>/])[^>]*?\sdefault-locale\s*=\s*[\"']"
                      r"(en-[A-Za-z]{2})[\"']", style_text)
    return found.group(1) if found and locale.split("-")[0] == "en" else locale


def _placed(diagnostic: Diagnostic, tmp: str, places: tuple) -> Diagnostic:
    """Pandoc's complaint about the N-th entry it was given (``Error in $[N]``), at that
    entry's own file and line; its temporary folder out of the message."""
    from dataclasses import replace

    message = diagnostic.message.replace(f"{tmp}/", "").replace(tmp, "")
    found = re.search(r"Error in \$\[(\d+)\](.*)", message)
    if found and int(found.group(1)) < len(places):
        path, line, key = places[int(found.group(1))]
        return replace(diagnostic, path=path, line=line, code="references",
                       message=f"reference '{key}': Pandoc cannot read it: "
                               f"{found.group(2).strip()}")
    return replace(diagnostic, message=message)


def _relink(html: str, lang: str) -> str:
    """Point citation links at the bibliography of the section they stand in."""
    return re.sub(r'href="#ref-', f'href="#ref-{lang}-', html)


def _inner(element) -> str:
    text = escape(element.text or "", quote=False)
    return _clean(text + "".join(ET.tostring(child, encoding="unicode", method="html")
                                 for child in element))


#: What formatted citations and entries may hold: CSL's text styles, links to the
#: bibliography and http(s) links (DOIs, URLs), nothing else. A citation's prefix or
#: locator is the author's text and reaches Pandoc as Markdown: an image or a link to
#: a file there is dropped here, as raw HTML already is by Pandoc's reader.
_KEPT_TAGS = frozenset({"a", "span", "em", "i", "b", "strong", "sup", "sub", "small", "br"})


def _clean(html: str) -> str:
    import nh3

    return nh3.clean(html, tags=set(_KEPT_TAGS),
                     attributes={"a": {"href", "role"}, "span": {"class", "data-cites", "style"}},
                     url_schemes={"http", "https"}, link_rel=None, strip_comments=True,
                     url_relative=lambda url: url if url.startswith("#") else None,
                     filter_style_properties={"font-variant", "font-style", "font-weight",
                                              "text-decoration", "vertical-align"})


#: A citation's div: its language's tag and its number (handbill.markdown names them).
_CLUSTER_ID = re.compile(r"(?!ref-)[A-Za-z][A-Za-z0-9-]*-\d+$")


@lru_cache(maxsize=32)
def _parse(html: str) -> tuple[dict[str, str], dict[str, Entry]]:
    """Pandoc's HTML: each cluster div's citation, and each bibliography entry (read-only)."""
    import tinyhtml5

    document = tinyhtml5.parse(f"<body>{html}</body>", namespace_html_elements=False)
    citations, entries = {}, {}
    for div in document.iter("div"):
        ident = div.get("id") or ""
        if _CLUSTER_ID.match(ident):
            paragraph = div.find("p")
            citations[ident] = _inner(paragraph if paragraph is not None else div).strip()
        elif ident.startswith("ref-") and "csl-entry" in (div.get("class") or ""):
            label = div.find("div[@class='csl-left-margin']")
            body = div.find("div[@class='csl-right-inline']")
            if body is None:
                entries[ident[4:]] = Entry(ident[4:], "", _inner(div).strip())
            else:
                entries[ident[4:]] = Entry(ident[4:], (label.text or "").strip(),
                                           _inner(body).strip())
    return citations, entries
