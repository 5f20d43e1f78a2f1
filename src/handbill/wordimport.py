"""``handbill import FILE.docx --lang LANG``: a Word document made a bundle's body.

mammoth turns the document into plain HTML (headings, lists nested as Word
nests them, bold and italic, tables, links, images with their alt text), and
markdownify turns that into Markdown. Word's headings move one level down
(Heading 1 is a section, ``##``: the bundle's title is meta.yaml's), its Title
paragraph becomes the title, and its characters are kept as they are (curly
quotes, non-breaking spaces, Chinese punctuation). Images are written into the
bundle beside the text; one without alt text gets a TODO that ``check``
reports. What the Markdown cannot hold (text boxes, comments, tracked changes,
embedded objects, fields mammoth does not read) is named in a warning, never
dropped without a word.

Nothing is written until the whole document has been converted, and nothing at
all with ``--dry-run``, which prints what would change.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .checks import TODO_ALT  # the alt text an image without one gets: check reports it
from .errors import ContentError, Diagnostic, UsageError, display_path

#: A .docx larger than this is refused (bytes).
MAX_BYTES = 50_000_000

_HINT = "save it from Word, without a password, as a Word Document (.docx)"
#: Word's Title and Subtitle paragraphs, kept apart from the body.
_STYLE_MAP = """
p[style-name='Title'] => h1.handbill-title:fresh
p[style-name='Subtitle'] => p.handbill-subtitle:fresh
"""
#: What the document's XML holds that a Markdown body cannot: (element, what to say).
_UNSUPPORTED = [
    ("w:txbxContent", "text boxes (their text is imported where the box is anchored, "
                      "if at all: check it)"),
    ("w:commentReference", "comments (not imported)"),
    ("w:ins ", "tracked insertions (imported as if accepted)"),
    ("w:del ", "tracked deletions (left out, as if accepted)"),
    ("w:object", "embedded objects (not imported)"),
    ("<c:chart", "charts (not imported)"),
    ("w:fldSimple", "fields (their last shown text is imported)"),
    ("<m:oMath", "equations (not imported)"),
]


@dataclass
class Imported:
    """A Word document as a bundle's body: the Markdown, its title, its images."""

    markdown: str
    title: str | None
    subtitle: str | None
    images: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read_docx(path: Path, shown: str) -> bytes:
    """PATH's bytes, if it is a .docx that may be read (else a ContentError at SHOWN)."""
    from .zipcheck import check_zip

    if path.suffix.lower() != ".docx":
        raise ContentError(Diagnostic(shown, None, f"handbill imports Word documents (.docx), "
                                      f"not '{path.suffix or path.name}'", code="file",
                                      hint=_HINT))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ContentError(Diagnostic(shown, None, f"the document has {size:,} bytes, more "
                                          f"than {MAX_BYTES:,}", code="file"))
        data = path.read_bytes()
    except OSError as error:
        raise ContentError(Diagnostic(shown, None, f"cannot read it: {error.strerror}",
                                      code="file")) from None
    check_zip(data, shown, "Word document", ".doc", _HINT, code="file")
    return data


def convert(data: bytes, shown: str) -> Imported:
    """The Word document DATA as Markdown (see the module's docstring)."""
    import io
    import zipfile

    import mammoth
    from bs4 import BeautifulSoup
    from markdownify import markdownify

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "word/document.xml" not in names:
            raise ContentError(Diagnostic(shown, None, "this zip file is not a Word document "
                                          "(it has no word/document.xml)", code="file",
                                          hint=_HINT))
        xml = archive.read("word/document.xml").decode("utf-8", "replace")
    warnings = [what for element, what in _UNSUPPORTED if element in xml]
    images: dict[str, bytes] = {}

    def image(element):
        extension = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
                     "image/svg+xml": "svg"}.get(element.content_type)
        if extension is None:
            warnings.append(f"an image of type {element.content_type} (not imported)")
            return {}
        with element.open() as stream:
            name = f"image-{len(images) + 1}.{extension}"
            images[name] = stream.read()
        alt = " ".join((element.alt_text or "").split())
        return {"src": name, "alt": alt or TODO_ALT}

    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=_STYLE_MAP,
                                         convert_image=mammoth.images.img_element(image))
    except Exception as error:  # noqa: BLE001 - mammoth's errors: a document it cannot read
        raise ContentError(Diagnostic(shown, None, f"the Word document cannot be read "
                                      f"({type(error).__name__}: {str(error)[:160]})",
                                      code="file", hint=_HINT)) from None
    for message in dict.fromkeys(m.message for m in result.messages):
        # A paragraph or run of a style mammoth has no rule for is still imported, as a
        # plain paragraph or run: nothing of the text is lost.
        if not re.search(r"^Unrecognised (paragraph|run) style|referenced but not defined",
                         message):
            warnings.append(message)
    soup = BeautifulSoup(result.value, "html.parser")
    title = _take(soup, "h1", "handbill-title")
    subtitle = _take(soup, "p", "handbill-subtitle")
    for level in range(6, 0, -1):  # Heading 1 is a section of the handout: ##
        for heading in soup.find_all(f"h{level}"):
            heading.name = f"h{min(level + 1, 6)}"
    if title is None:  # no Title paragraph: the first heading is the title
        first = soup.find(["h2", "h3", "h4", "h5", "h6"])
        if first is not None:
            title = " ".join(first.get_text().split())
            first.decompose()
    markdown = markdownify(str(soup), heading_style="ATX", bullets="-", strong_em_symbol="*",
                           table_infer_header=True, escape_misc=True)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    return Imported(markdown, title, subtitle, images, warnings)


def _take(soup, tag: str, css_class: str) -> str | None:
    """The text of the first TAG of CSS_CLASS, removed from SOUP (the others, if any, stay
    as ordinary paragraphs)."""
    found = soup.find(tag, class_=css_class)
    if found is None:
        return None
    text = " ".join(found.get_text().split())
    found.decompose()
    for other in soup.find_all(tag, class_=css_class):
        other.name, other["class"] = "p", []
    return text or None


@dataclass
class Plan:
    """What an import writes: path -> new bytes (and what each file held before)."""

    files: dict[Path, bytes]
    before: dict[Path, bytes | None]
    notes: list[str] = field(default_factory=list)


def plan_import(imported: Imported, bundle: Path, lang: str, root: Path) -> Plan:
    """The files importing IMPORTED as LANG into the bundle folder BUNDLE writes."""
    files: dict[Path, bytes] = {}
    notes: list[str] = []
    body = imported.markdown
    for name, data in imported.images.items():
        target = bundle / name
        if target.exists() and target.read_bytes() != data:  # another import's image
            stem, ext = name.rsplit(".", 1)
            target = bundle / f"{lang}-{stem}.{ext}"
            body = body.replace(f"]({name})", f"]({target.name})")
        files[target] = data
    files[bundle / f"{lang}.md"] = body.encode("utf-8")
    meta = bundle / "meta.yaml"
    title = imported.title or bundle.name.replace("-", " ").capitalize()
    if not meta.exists():
        import json

        text = (f"# Imported from Word with handbill import on {datetime.date.today()}; "
                "README.md, section \"Content\", lists every key.\n"
                f"languages: [{lang}]\ntitle:\n  {lang}: {json.dumps(title, ensure_ascii=False)}\n")
        if imported.subtitle:
            text += f"subtitle:\n  {lang}: {json.dumps(imported.subtitle, ensure_ascii=False)}\n"
        text += f"date: {datetime.date.today()}\nlayouts: [handout]\n"
        files[meta] = text.encode("utf-8")
    else:
        from .yamlfile import load_yaml

        text = meta.read_text(encoding="utf-8")
        edited, said = _add_language(text, load_yaml(meta, root) or {}, lang, title,
                                     imported.subtitle)
        if edited != text:
            files[meta] = edited.encode("utf-8")
        notes += said
    before = {path: (path.read_bytes() if path.is_file() else None) for path in files}
    return Plan(files, before, notes)


def _add_language(text: str, meta: dict, lang: str, title: str,
                  subtitle: str | None = None) -> tuple[str, list[str]]:
    """meta.yaml's TEXT (loaded: META) with LANG in its languages: list and its title:
    map (and subtitle: map, if the document has a subtitle and meta.yaml one), where they
    are written as handbill writes them; else TEXT, and what the author should add."""
    import json

    notes = []
    languages = meta.get("languages")
    if isinstance(languages, list) and lang not in languages:
        line = re.search(r"(?m)^languages:\s*\[([^\]\n]*)\]", text)
        if line:
            text = text[:line.start(1)] + line.group(1).rstrip() + f", {lang}" + \
                text[line.end(1):]
        else:
            notes.append(f"add {lang} to meta.yaml's languages:")
    for key, value in (("title", title), ("subtitle", subtitle)):
        mapping = meta.get(key)
        if value is None or not isinstance(mapping, dict) or lang in mapping:
            continue
        block = re.search(rf"(?m)^{key}:[ \t]*\n((?:[ \t]+\S.*\n)+)", text)
        if block:
            indent = re.match(r"[ \t]+", block.group(1)).group()
            text = text[:block.end()] + f"{indent}{lang}: " \
                f"{json.dumps(value, ensure_ascii=False)}\n" + text[block.end():]
        else:
            notes.append(f"add the {lang} {key} to meta.yaml's {key}: ({value})")
    return text, notes


def diff(plan: Plan, root: Path) -> str:
    """What PLAN changes, as a unified diff of its text files and a line for each image."""
    out = []
    for path, data in plan.files.items():
        old = plan.before[path]
        shown = display_path(path, root)
        if old == data:
            continue
        if path.suffix in (".md", ".yaml"):
            out += difflib.unified_diff(
                (old or b"").decode("utf-8", "replace").splitlines(keepends=True),
                data.decode("utf-8").splitlines(keepends=True),
                fromfile=shown if old is not None else "/dev/null", tofile=shown)
        else:
            out.append(f"{'replace' if old is not None else 'add'} {shown} "
                       f"({len(data):,} bytes)\n")
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def check_target(bundle: Path, root: Path) -> None:
    """--into names a folder inside the project's content/ (misuse otherwise, exit 2)."""
    from . import guard

    content = root / "content"
    bundle = Path(os.path.abspath(bundle))
    for folder in (*reversed(bundle.parents), bundle):  # links on the way: followable?
        if not folder.is_symlink() or not folder.is_relative_to(content):
            continue
        problem = guard.unusable(folder)
        if problem is None and not folder.exists():
            problem = "is a link to a folder that is not there"
        if problem is not None:
            raise UsageError(Diagnostic(display_path(folder, root), None, f"this folder {problem}",
                                        hint="point --into at a folder that is there, or "
                                             "mend the link"))
    if not Path(bundle).resolve().is_relative_to(content.resolve()) or \
            Path(bundle).resolve() == content.resolve():
        raise UsageError(Diagnostic("handbill", None, f"--into {display_path(bundle, root)}: a "
                                    "bundle is a folder under content/",
                                    hint="name it content/NAME"))
    refusal = guard.folder_refusal(bundle.parent, root)
    if refusal is not None:
        raise UsageError(refusal)


def import_docx(path: Path, lang: str, into: Path | None, root: Path, dry_run: bool,
                say) -> int:
    """The import command: PATH's text as LANG's body of the bundle INTO (default
    content/<the file's name as a slug>). SAY prints a line of its output (warnings go to
    stderr). Returns the exit code."""
    from .languages import load_languages
    from .writing import write_atomic

    table = load_languages(root)
    if lang not in table:
        raise UsageError(table.unknown("handbill", None, lang, "(--lang)", code="usage"))
    if not path.is_file():
        raise UsageError(Diagnostic("handbill", None, f"{display_path(path, root)}: no such "
                                    "file"))
    shown = display_path(path, root)
    bundle = into if into is not None else root / "content" / _slug(path.stem)
    check_target(bundle, root)
    imported = convert(read_docx(path, shown), shown)
    plan = plan_import(imported, bundle, lang, root)
    import sys

    for warning in imported.warnings:
        print(Diagnostic(shown, None, f"the document has {warning}" if warning[0].islower()
                         else warning, severity="warning", code="file").format(),
              file=sys.stderr)
    for note in plan.notes:
        print(Diagnostic(display_path(bundle / "meta.yaml", root), None, note,
                         severity="warning", code="meta").format(), file=sys.stderr)
    changes = diff(plan, root)
    replacing = plan.before.get(bundle / f"{lang}.md") is not None
    if dry_run or replacing:  # a language imported again: what changes, before it does
        say(changes.rstrip("\n") or f"{display_path(bundle, root)}: nothing would change")
    if dry_run:
        return 0
    try:
        bundle.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ContentError(Diagnostic(display_path(bundle, root), None, "cannot make this "
                                      f"folder: {error.strerror}", code="file")) from None
    for target, data in plan.files.items():
        if plan.before[target] != data:
            write_atomic(target, data)
    say(f"imported {shown} as {display_path(bundle / f'{lang}.md', root)}"
        + (f" ({len(imported.images)} image{'s' if len(imported.images) != 1 else ''})"
           if imported.images else "")
        + f"; next: handbill check {display_path(bundle, root)}")
    return 0


def _slug(name: str) -> str:
    """A bundle folder's name from a file's: lowercase ASCII words joined by hyphens."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "imported"
