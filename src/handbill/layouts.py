"""Find layouts and make the Jinja2 environment that renders them.

A layout is a folder under ``layouts/`` with a ``layout.yaml`` manifest and
its templates and CSS. A project's own ``layouts/`` is searched before the
built-in one, so a file of the same name wins; a project template can also
``{% extends "!builtin/handout/handout.html.j2" %}`` instead of copying it
(Pelican's ``!simple`` trick).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

from .errors import Diagnostic, LayoutError, UsageError, display_path
from .layout_options import OptionSpec, ResolvedOptions, Source, resolve, spec_from_yaml
from .places import builtin_layouts_dir
from .yamlfile import Located, load_yaml

if TYPE_CHECKING:
    import jinja2

MANIFEST = "layout.yaml"
#: Options every layout takes (bleed, marks, large print, colour), found on the search path.
COMMON_OPTIONS = "options.yaml"


def search_path(root: Path) -> list[Path]:
    """Layout folders in the order they are searched: the project's, then the built-in ones."""
    return list(_search_path(root, (root / "layouts").is_dir()))


@lru_cache(maxsize=16)
def _search_path(root: Path, _has_layouts: bool) -> tuple[Path, ...]:
    from .guard import folder_refusal

    own = root / "layouts"
    if own.is_symlink() or own.exists() and not own.is_dir():
        refused = folder_refusal(own, root) if own.is_symlink() else Diagnostic(
            display_path(own, root), None, "layouts is a file, not a folder", code="layout")
        if refused is not None:  # never a silent fall back to the built-in layouts
            raise LayoutError(refused)
    dirs = [root / "layouts", builtin_layouts_dir()]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return tuple(unique)


#: An option a layout takes (typed: see handbill.layout_options).
Option = OptionSpec


@dataclass(frozen=True)
class Layout:
    """A layout's manifest and where it was found."""

    name: str
    path: Path
    template: str
    description: str = ""
    options: Mapping[str, Option] = field(default_factory=dict)
    #: Font families per language, replacing those of layouts/fonts.yaml.
    fonts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: The citation style this layout uses unless the bundle or the command names one.
    citation_style: str | None = None
    #: A fixed number of pages (a leaflet's sides); more is an overflow error.
    pages: int | None = None
    #: "short": use the bundle's shorter text (en.short.md...) when it has one.
    text: str = "full"
    #: "saddle-stitch": also write the pages imposed two-up for a folded booklet.
    impose: str | None = None
    #: Where the sheet folds, per page size: for each page in turn (cycling), the
    #: folds' distances from the trim's left edge in mm (fold marks are drawn there).
    folds: Mapping[str, tuple[tuple[float, ...], ...]] = field(default_factory=dict)
    #: True for a layout that sets its languages side by side (the parallel layout): it
    #: has no single-language form, so --lang is refused.
    bilingual: bool = False
    #: True for a layout whose template is rendered twice: once laid out to measure how
    #: many of each text's leading blocks fit its first column (``panels.fitted``), then
    #: with that count as ``fit`` (the tri-fold goes on with the rest in its flap).
    measure: bool = False
    #: The line of layout.yaml that names citation_style (where a problem of it is said).
    citation_style_line: int | None = None

    def resolve_options(self, given: Mapping[str, str]) -> ResolvedOptions:
        """Defaults overlaid with GIVEN (the command line's); an unknown key or value is a
        usage error. (A document's options, site.yaml's and meta.yaml's included, are
        resolved by handbill.document.)"""
        resolved, problems = resolve(self.name, self.options, [Source.of("usage", given)], set())
        if problems:
            raise UsageError(problems[0])
        return resolved


def find_layout(name: str, root: Path) -> Layout | None:
    """The layout NAME from the search path, or None when no folder has it."""
    for base in search_path(root):
        manifest = base / name / MANIFEST
        if manifest.exists() or manifest.is_symlink():  # whatever it is: the guard judges
            options = next((b / COMMON_OPTIONS for b in search_path(root)
                            if (b / COMMON_OPTIONS).is_file()), None)
            return _load_manifest_kept(name, manifest, root, _stamp(manifest), _stamp(options))
    return None


def _stamp(path: Path | None) -> tuple | None:
    """What tells whether PATH changed (see fonts.file_stamp): its modification time and
    size, its change time and inode; None for no file, or one that cannot be read."""
    if path is None:
        return None
    try:
        stat = path.stat()
    except (OSError, ValueError):
        return None
    return (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns, stat.st_ino)


@lru_cache(maxsize=64)
def _load_manifest_kept(name: str, path: Path, root: Path, *_stamps) -> Layout:
    """_load_manifest, read again only when the manifest or options.yaml changes: a build
    asks for each bundle's layouts, so without this it parses them once per bundle."""
    return _load_manifest(name, path, root)


def list_layouts(root: Path) -> list[Layout]:
    """Every layout on the search path, a project's shadowing a built-in one of the same name."""
    seen: dict[str, Layout] = {}
    for base in search_path(root):
        for manifest in sorted(base.glob(f"*/{MANIFEST}")):
            name = manifest.parent.name
            if not name.startswith("_") and name not in seen:
                seen[name] = _load_manifest(name, manifest, root)
    return list(seen.values())


def _load_manifest(name: str, path: Path, root: Path) -> Layout:
    """A layout.yaml, checked key by key: every problem a LayoutError at its line."""
    data = load_yaml(path, root)
    shown = display_path(path, root)
    if not isinstance(data, Located) or not isinstance(data.get("template"), str):
        raise LayoutError(Diagnostic(shown, getattr(data, "line", 1),
                                     "a layout manifest needs 'template: FILE'"))
    problems: list[Diagnostic] = []

    def wrong(key: str, message: str) -> None:
        problems.append(Diagnostic(shown, data.line_of(key), message, code="layout"))

    options = _common_options(root)
    options.update(_options(data.get("options") or Located(), shown, options))
    fonts = {}
    given = data.get("fonts")
    if given is not None and not (isinstance(given, Located) and all(
            isinstance(chain, str) or (isinstance(chain, list) and chain and
                                       all(isinstance(f, str) for f in chain))
            for chain in given.values())):
        wrong("fonts", "'fonts' must map each language to its font families")
    elif given is not None:
        fonts = {lang: tuple([chain] if isinstance(chain, str) else chain)
                 for lang, chain in given.items()}
    pages = data.get("pages")
    if pages is not None and (not isinstance(pages, int) or isinstance(pages, bool) or pages < 1):
        wrong("pages", "'pages' must be a whole number")
    for key, allowed in (("text", ("full", "short")), ("impose", ("saddle-stitch",))):
        if data.get(key) is not None and data[key] not in allowed:
            wrong(key, f"'{key}' must be one of: {', '.join(allowed)}")
    for key in ("citation-style", "description"):
        if data.get(key) is not None and not isinstance(data[key], str):
            wrong(key, f"'{key}' must be a text")
    for key in ("bilingual", "measure"):
        if data.get(key) is not None and not isinstance(data[key], bool):
            wrong(key, f"'{key}' must be true or false")
    folds = {}
    given = data.get("folds")
    if given is not None:
        if isinstance(given, Located) and all(
                isinstance(per_page, list) and per_page and all(
                    isinstance(page, list) and all(
                        isinstance(mm, (int, float)) and not isinstance(mm, bool) and 0 < mm < 2000
                        for mm in page) for page in per_page)
                for per_page in given.values()):
            folds = {str(size): tuple(tuple(float(mm) for mm in page) for page in per_page)
                     for size, per_page in given.items()}
        else:
            wrong("folds", "'folds' must map each page size to a list of pages, each a list "
                           "of distances in mm from the left edge")
    if problems:
        raise LayoutError(problems)
    return Layout(name, path.parent, f"{name}/{data['template']}",
                  str(data.get("description", "")), MappingProxyType(options),
                  MappingProxyType(fonts), data.get("citation-style"), pages,
                  str(data.get("text", "full")), data.get("impose"), MappingProxyType(folds),
                  data.get("bilingual") is True, data.get("measure") is True,
                  data.line_of("citation-style") if "citation-style" in data else None)


def _options(specs, shown: str, common: Mapping[str, OptionSpec] | None = None
             ) -> dict[str, OptionSpec]:
    """The options SPECS declare; one named like a COMMON option narrows it (its choices,
    its default), keeping its type."""
    if not isinstance(specs, Located):
        raise LayoutError(Diagnostic(shown, getattr(specs, "line", 1), "options are a mapping of "
                                     "names to {type: ..., default: ..., choices: [...]}"))
    options = {}
    for key, spec in specs.items():
        base = (common or {}).get(key)
        if not isinstance(spec, Located) or ("default" not in spec and base is None):
            raise LayoutError(Diagnostic(shown, specs.line_of(key), f"option '{key}' needs a 'default'"))
        try:
            options[key] = spec_from_yaml(str(key), spec, base)
        except ValueError as error:
            raise LayoutError(Diagnostic(shown, specs.line_of(key), f"option '{key}': {error}"))
    return options


def _common_options(root: Path) -> dict[str, OptionSpec]:
    for base in search_path(root):
        path = base / COMMON_OPTIONS
        if path.exists() or path.is_symlink():
            return _options(load_yaml(path, root) or Located(), display_path(path, root))
    return {}


def option_names(root: Path) -> set[str]:
    """Every option name (and alias) some layout on the search path takes."""
    names = set(_common_options(root))
    for layout in list_layouts(root):
        for name, spec in layout.options.items():
            names.add(name)
            names.update(spec.aliases)
    return names


def _guarded_loader(folders: list[Path], root: Path) -> "jinja2.BaseLoader":
    """A Jinja2 loader over FOLDERS that reads each template through the guard."""
    import jinja2
    from jinja2.loaders import split_template_path

    from .guard import read_text

    class GuardedLoader(jinja2.BaseLoader):
        def get_source(self, environment, template):
            pieces = split_template_path(template)  # '..' is never a template's name
            for folder in folders:
                path = folder.joinpath(*pieces)
                if path.exists() or path.is_symlink():
                    source = read_text(path, root, limit=1_000_000, code="layout")
                    stamp = _stamp(path)
                    return source, str(path), lambda: path.exists() and _stamp(path) == stamp
            raise jinja2.TemplateNotFound(template)

    return GuardedLoader()


@lru_cache(maxsize=8)
def make_environment(root: Path) -> "jinja2.Environment":
    """Jinja2 over the layout search path: sandboxed (a template reaches no Python
    internals), strict about undefined names, autoescaping, and reading its files
    through the guard (a template linked from outside the project is refused)."""
    import jinja2  # here, not at the top: a build with nothing to do needs no templates
    from jinja2.sandbox import SandboxedEnvironment

    loader = jinja2.ChoiceLoader([
        _guarded_loader(search_path(root), root),
        jinja2.PrefixLoader({"!builtin": _guarded_loader([builtin_layouts_dir()], root)}),
    ])
    return SandboxedEnvironment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def find_asset(name: str, root: Path) -> Path | None:
    """A layout file (CSS, image) by its path under ``layouts/``, project first.

    NAME must stay inside a layouts folder (no '..', not absolute): LayoutError.
    """
    parts = Path(name).parts
    if not parts or Path(name).is_absolute() or ".." in parts:
        raise LayoutError(Diagnostic("layouts", None, f"layout asset '{name}' is outside the "
                                     "layouts; a layout may use only files in a layouts/ folder",
                                     code="outside"))
    for base in search_path(root):
        candidate = base / name
        if candidate.exists() or candidate.is_symlink():  # a folder there is an error, not
            return candidate                              # a fall back to the built-in file
    return None
