"""Every check handbill runs, in one table: its id, its severity, what it needs, whether
it stops a build.

``handbill check`` and ``handbill build`` read this table, and so do the JSON schemas
(``docs/check.schema.json``, ``docs/report.schema.json``: the ``check`` field's
values), the CLI's help and the README's list: a new check is one entry here.

What a check needs is the step of the pipeline it looks at:

- ``input``: the command line, site.yaml, the files of a bundle, as read;
- ``load``: loading a bundle (its metadata, texts, links, images and references);
- ``content``: the loaded bundle;
- ``citations``: the citations, formatted by the citation style;
- ``html``: the document rendered from a layout's templates (its characters, its fonts);
- ``pages``: the pages WeasyPrint lays out;
- ``pdf``: the PDF written from them.

A check runs when the step it needs could be done: an unknown citation key stops
the steps after ``citations`` for that bundle, and ``check`` names the checks that
could not run (``skipped``). Every error stops a build; a warning never does.
Warnings a build does not run (``build=False``) are ``check``'s alone: they judge
the writing, not whether the PDF is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

#: The steps, in pipeline order.
STEPS = ("input", "load", "content", "citations", "html", "pages", "pdf")


@dataclass(frozen=True)
class Check:
    id: str
    severity: str  # "error" or "warning"
    needs: str  # one of STEPS
    summary: str
    #: Whether ``handbill build`` runs it too (every error check does).
    build: bool = True

    @property
    def blocks_build(self) -> bool:
        return self.severity == "error"


def _table(*checks: Check):
    return MappingProxyType({c.id: c for c in checks})


CHECKS = _table(
    # input: the command and the files as read
    Check("usage", "error", "input", "a misused command: an unknown option, layout or language "
          "(exit code 2)"),
    Check("site", "error", "input", "site.yaml: the clinic's name, logo, phone, colours, print "
          "profile"),
    Check("yaml", "error", "input", "a YAML file that does not parse: syntax, a tab in the "
          "indentation, a duplicate key, too deep or too large"),
    Check("file", "error", "input", "a file that is not a regular file, too large, or not UTF-8 "
          "text"),
    Check("unread-file", "warning", "input", "an entry in a bundle that cannot even be followed (a link "
          "that loops): it is not read"),
    Check("outside", "error", "input", "a file or folder that leads outside the project and "
          "handbill's own files"),
    Check("limits", "error", "input", "a document over --max-pages (or sure to be), over --timeout,"
          " or nested too deeply to lay out"),
    Check("layout", "error", "input", "a layout's files: layout.yaml, templates, strings.yaml, "
          "fonts.yaml, assets"),
    Check("fonts", "error", "input", "a file in the project's fonts/ folder that is no font"),
    # load: a bundle's metadata, texts, links, images and references
    Check("meta", "error", "load", "meta.yaml: required fields, types, an impossible date, "
          "unknown keys and layouts"),
    Check("content", "error", "load", "a problem that names no check (none does today)"),
    Check("text", "error", "load", "a control character, or a character reference to no "
          "character, in a text"),
    Check("markdown", "error", "load", "lists or quotes nested more than 8 deep, emphasis more than "
          "20"),
    Check("markdown-heading", "error", "load", "a level-1 heading in a body (the title comes from meta.yaml)"),
    Check("raw-html", "warning", "load", "a dangerous raw HTML element removed (with allow-html: true "
          "in meta.yaml)"),
    Check("link", "error", "load", "a link that is not http(s), mailto, tel or #a-heading of its"
          " own text"),
    Check("image", "error", "load", "an image missing, outside the bundle, over the limits, or "
          "damaged"),
    # content: the loaded bundle
    Check("alt-text", "error", "content", "an image without alt text"),
    Check("translation-parity", "error", "content", "every English section has its Chinese counterpart, in the "
          "same order, with the same citations, lists and callouts"),
    Check("readability-en", "warning", "content", "Flesch-Kincaid grade of the English above 8 (patient "
          "materials aim at grades 6 to 8)", build=False),
    Check("sentence-length-zh", "warning", "content", "a Chinese sentence of more than 40 Han characters", build=False),
    Check("zh-punctuation", "warning", "content", "a half-width , ; : ? ! ( ) touching Chinese text (check "
          "--fix makes it full-width)", build=False),
    Check("converted-text", "warning", "content", "a text converted by OpenCC from another "
          "language's (Traditional Chinese from zh-Hans.md, no zh-Hant.md): a reviewer must "
          "read it"),
    Check("placeholder", "error", "content", "a {{ placeholder }} built without --data rows to "
          "fill it, or one outside the text (in a link, code or HTML), which no value fills"),
    # load: a bundle's metadata, texts, links, images and references
    Check("references", "error", "load", "the references file: an entry without a title or a year, a "
          "date that does not exist, a bad URL"),
    # citations
    Check("citation", "error", "citations", "a citation key with no entry, or a citation style that "
          "cannot be used"),
    Check("citation-unused", "warning", "citations", "a reference that is never cited (it is not printed)"),
    # data: the rows of a personalised batch (--data)
    Check("data", "error", "load", "a row of --data that cannot be built: no id or not a safe file "
          "name, an id twice, a field the text uses missing or empty, a value too long or "
          "with a control character, a file that is not CSV, JSON or an Excel workbook, a "
          "cell that is a date"),
    # html: a layout's document, its characters and fonts
    Check("font-coverage", "error", "html", "a character that no font of its language's chain has"),
    # pages: laid out by WeasyPrint
    Check("fetch", "error", "pages", "the document refers to a file it may not read"),
    Check("render", "error", "pages", "WeasyPrint refused or warned of something while laying the "
          "document out"),
    Check("layout-fit", "error", "pages", "text past a layout's last page (the tri-fold's two sides), "
          "cut off by a panel, or wider than its column, at the first "
          "line that does not fit"),
    Check("type-size", "error", "pages", "running text (paragraphs and list items of the bodies) under"
          " 11 pt, 14 pt in large print"),
    Check("page-fill", "warning", "pages", "a page that holds fewer than 6 lines of text (covers aside)", build=False),
    # html: a layout's document, its characters and fonts
    Check("impose", "warning", "html", "an option the imposed booklet cannot honour (bleed, marks, "
          "PDF/UA)"),
    # pdf: written
    Check("font-fallback", "error", "pdf", "text set in a font the layout does not name"),
    Check("output", "error", "pdf", "an output (a PDF, the report, a cache) that cannot be "
          "written (build only: check writes none)"),
    Check("internal", "error", "input", "a failure of handbill itself on one document (please report "
          "it)"),
)

#: The ids of the checks that only ``handbill check`` runs.
CHECK_ONLY = frozenset(c.id for c in CHECKS.values() if not c.build)


def skippable(ids: list[str]) -> frozenset[str]:
    """The check ids ``check --skip`` names, each a warning; a misuse raises UsageError."""
    import difflib

    from .errors import Diagnostic, UsageError

    warnings = [c.id for c in CHECKS.values() if c.severity == "warning"]
    hint = f"the warnings that can be skipped: {', '.join(warnings)}"
    for check_id in ids:
        if check_id not in CHECKS:
            near = difflib.get_close_matches(check_id, list(CHECKS), n=1)
            raise UsageError(Diagnostic(
                "handbill", None, f"--skip {check_id}: no check of that id"
                + (f"; did you mean '{near[0]}'?" if near else ""), hint=hint))
        if CHECKS[check_id].severity == "error":
            raise UsageError(Diagnostic(
                "handbill", None, f"--skip {check_id}: an error cannot be skipped (build "
                "refuses it too)", hint=hint))
    return frozenset(ids)


def help_text() -> str:
    """The checks, one a line, for ``handbill check --help``."""
    width = max(map(len, CHECKS))
    return "\n".join(f"  {c.id:<{width}}  {c.severity:<7}  {c.summary}" for c in CHECKS.values())


def finding_schema() -> dict:
    """The JSON schema of one finding, the same in ``check --format json`` and ``--report``."""
    return {
        "type": "object",
        "required": ["path", "line", "column", "severity", "check", "message", "hint"],
        "additionalProperties": False,
        "properties": {
            "path": {"type": "string", "description": "relative to the project"},
            "line": {"type": ["integer", "null"], "minimum": 1},
            "column": {"type": ["integer", "null"], "minimum": 1},
            "severity": {"enum": ["error", "warning", "note"]},
            "check": {"enum": sorted(CHECKS) + ["skipped"],
                      "description": "the check id (handbill check --help lists them)"},
            "message": {"type": "string"},
            "hint": {"type": ["string", "null"]},
        },
    }
