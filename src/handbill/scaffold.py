"""Start a new content bundle from the templates in ``assets/scaffold/``.

Each file of that folder becomes a file of the new bundle: ``.md`` and
``.yaml`` files are Jinja2 templates (a designer may edit them, or add a file),
anything else is copied as it is. If writing fails, the half-made folder is
removed.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path

import jinja2

from .errors import Diagnostic, UsageError, display_path

#: A bundle's name: lowercase letters and digits, words joined by single hyphens.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# What a new bundle's titles say until the author writes their own: each language's
# placeholder-title in the languages table. (The scaffold's texts are written in English
# and Simplified Chinese; see new_bundle for the other languages.)
_RENDERED = {".md", ".yaml", ".yml"}


def template_dir() -> Path:
    """The folder holding the new bundle's templates (package data)."""
    return Path(__file__).parent / "assets" / "scaffold"


def new_bundle(root: Path, name: str, *, title_en: str | None = None,
               title_zh: str | None = None, languages: tuple[str, ...] | None = None) -> Path:
    """Create content/NAME/ under the project ROOT and return that folder.

    The bundle holds meta.yaml, a text per language (LANGUAGES: site.yaml's, else the
    table's first two) and references.yaml: it loads and builds as it is, and its texts
    tell the author what goes where. A language with no scaffold text of its own gets
    the one its row converts from, converted (zh-Hant), or else the English one, whose
    instructions the author replaces. Raise
    :class:`UsageError` for a NAME that is not a slug, a folder that exists, or
    a blank title.
    """
    _check_name(name)
    titles = {"en": title_en, "zh-Hans": title_zh}
    for lang, title in titles.items():
        if title is not None and not title.strip():
            raise UsageError(Diagnostic("handbill", None, f"the {lang} title is blank",
                                        hint="give a title, or leave it out for a placeholder"))
    if not Path(root).is_dir():
        raise UsageError(Diagnostic(display_path(root), None, "no such project folder"))
    content = Path(root) / "content"
    folder = content / name
    from . import guard

    refused = guard.folder_refusal(content, Path(root))
    if refused is not None:
        raise UsageError(refused)
    if content.exists() and not content.is_dir():
        raise UsageError(Diagnostic(display_path(content, root), None, "content/ is a file, "
                                    "not a folder", hint="move the file away: bundles go in "
                                    "the content/ folder"))
    from .languages import load_languages

    from .site import default_languages

    table = load_languages(Path(root))
    if languages is None:
        languages = default_languages(Path(root), table)
    for tag in languages:
        if tag not in table:
            raise UsageError(table.unknown("handbill", None, tag, "(--languages)", code="usage"))
    if not languages or len(set(languages)) != len(languages):
        raise UsageError(Diagnostic("handbill", None, "--languages lists each language once",
                                    hint="for example --languages en,zh-Hant"))
    given = {"en": title_en}
    for tag in languages:  # --title-zh: the title of the bundle's Chinese language
        if tag.startswith("zh"):
            given.setdefault(tag, title_zh)
    values = {
        "name": name,
        "date": datetime.date.today().isoformat(),
        "languages": list(languages),
        "titles": {tag: (given.get(tag) or table[tag].placeholder_title).strip()
                   for tag in languages},
    }
    content.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir()
    except FileExistsError:
        raise UsageError(Diagnostic(
            display_path(folder, root), None, f"a bundle named '{name}' already exists",
            hint="choose another name, or edit the bundle that is there")) from None
    try:
        _fill(folder, values, table)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


#: The longest bundle name: a folder name, and part of every output's path.
MAX_NAME = 100


def _check_name(name: str) -> None:
    if SLUG.fullmatch(name) and len(name) <= MAX_NAME:
        return
    if SLUG.fullmatch(name):
        raise UsageError(Diagnostic("handbill", None, f"a bundle name of {len(name)} characters "
                                    f"is too long (at most {MAX_NAME})",
                                    hint="a few words are enough: 'diabetes-diet'"))
    suggestion = slugify(name)
    hint = "use lowercase letters, digits and hyphens, as in 'diabetes-diet'"
    if suggestion:
        hint += f"; for example '{suggestion}'"
    raise UsageError(Diagnostic(
        "handbill", None, f"'{name}' is not a valid bundle name: a name is a single folder "
                          "name made of lowercase letters, digits and hyphens", hint=hint))


def slugify(text: str) -> str:
    """TEXT as a bundle name: 'My Handout' -> 'my-handout' (empty if nothing is left)."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def _fill(folder: Path, values: dict, table) -> None:
    """Write the templates of :func:`template_dir` into FOLDER, rendered with VALUES: the
    meta.yaml and references.yaml, and a text for each of VALUES' languages."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir()),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             autoescape=False)
    env.filters["yaml"] = _yaml_text
    texts = {source.stem for source in template_dir().glob("*.md")}
    for source in sorted(template_dir().iterdir()):
        if not source.is_file() or source.suffix == ".md":
            continue
        target = folder / source.name
        if source.suffix in _RENDERED:
            target.write_text(env.get_template(source.name).render(values), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
    for tag in values["languages"]:
        row = table[tag]
        if tag in texts:
            text = env.get_template(f"{tag}.md").render(values)
        elif row.convert_from in texts:
            from .conversion import convert_markdown

            text = convert_markdown(env.get_template(f"{row.convert_from}.md").render(values),
                                    row.conversion).text
        else:
            text = env.get_template("en.md").render(values)
        (folder / row.body_file).write_text(text, encoding="utf-8")


def _yaml_text(text: str) -> str:
    """TEXT as a double-quoted YAML string (JSON's syntax is YAML's), non-ASCII kept readable."""
    return json.dumps(str(text), ensure_ascii=False)
