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
    Check("usage", "error", "input", "the command line is misused (exit code 2)"),
    Check("site", "error", "input", "site.yaml: the clinic's name, logo, phone, print profile"),
    Check("yaml", "error", "input", "a YAML file does not parse"),
    Check("file", "error", "input", "a file cannot be read as text (not UTF-8, binary)"),
    Check("unread-file", "warning", "input", "an entry in a bundle that is not read (a link to "
          "nothing)"),
    Check("outside", "error", "input", "a file or folder is outside the project"),
    Check("limits", "error", "input", "a text, a file or a document larger than handbill's "
          "limits (--max-pages, nesting, size)"),
    Check("layout", "error", "input", "a layout, its layout.yaml or its templates"),
    Check("fonts", "error", "input", "a font file of the project's fonts/ folder"),
    # content: the loaded bundle
    Check("meta", "error", "load", "meta.yaml: required fields, types, dates, names"),
    Check("content", "error", "load", "the bundle's files (texts, languages)"),
    Check("text", "error", "load", "characters that cannot be printed (controls, "
          "references to no character)"),
    Check("markdown", "error", "load", "Markdown that cannot be printed as written "
          "(nesting too deep, dangerous raw HTML)"),
    Check("markdown-heading", "error", "load", "a body uses a level-1 heading"),
    Check("raw-html", "warning", "load", "dangerous raw HTML is removed (with allow-html: "
          "true in meta.yaml)"),
    Check("link", "error", "load", "a link to an address a PDF may not carry, or to no "
          "heading"),
    Check("image", "error", "load", "an image that is missing, outside the bundle or "
          "unsafe"),
    Check("alt-text", "error", "content", "an image without alt text"),
    Check("translation-parity", "error", "content", "the Chinese text has the English text's "
          "sections, citations, lists and callouts"),
    Check("readability-en", "warning", "content", "the English text's Flesch-Kincaid grade is "
          "at most 8", build=False),
    Check("sentence-length-zh", "warning", "content", "no Chinese sentence has more than 40 "
          "Han characters", build=False),
    Check("zh-punctuation", "warning", "content", "no half-width punctuation in Chinese text "
          "(check --fix makes it full-width)", build=False),
    # citations
    Check("references", "error", "load", "the references file: entries, fields, dates"),
    Check("citation", "error", "citations", "a citation key with no entry, or a citation "
          "style that cannot be used"),
    Check("citation-unused", "warning", "citations", "a reference that is never cited (not "
          "printed)"),
    # html: a layout's document, its characters and fonts
    Check("font-coverage", "error", "html", "every character printed has a glyph in the "
          "layout's fonts"),
    # pages
    Check("fetch", "error", "pages", "the document refers to a file it may not read"),
    Check("render", "error", "pages", "WeasyPrint reports a problem with the document"),
    Check("layout-fit", "error", "pages", "the text fits the layout's pages, panels and "
          "columns"),
    Check("type-size", "error", "pages", "running text is at least 11 pt (14 pt in large "
          "print)"),
    Check("page-fill", "warning", "pages", "no page holds only a few lines", build=False),
    Check("impose", "warning", "html", "an option the imposed booklet cannot honour"),
    # pdf
    Check("font-fallback", "error", "pdf", "every font in the PDF is one the layout names"),
    Check("output", "error", "pdf", "an output (a PDF, the report, a cache) cannot be written "
          "(build only: check writes none)"),
    Check("internal", "error", "input", "a bug in handbill (please report it)"),
)

#: The ids of the checks that only ``handbill check`` runs.
CHECK_ONLY = frozenset(c.id for c in CHECKS.values() if not c.build)


def known(check_id: str) -> bool:
    return check_id in CHECKS


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
