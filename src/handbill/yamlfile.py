"""Safe YAML loading that remembers on which line each key and item stood.

Schema errors must point at a line, so mappings load as :class:`Located`
dicts and sequences as :class:`LocatedList`, both carrying 1-based lines.
Only PyYAML's safe constructors are used: no Python tags, ever.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ContentError, Diagnostic, display_path
from .guard import Named, read_text

#: Refuse YAML files larger than this (bytes): metadata is small.
MAX_YAML_BYTES = 1_000_000
#: Refuse documents whose aliases, expanded, add more values than this.
MAX_EXPANDED_NODES = 100_000
#: Refuse documents nested deeper than this (a mapping in a list in a mapping...).
MAX_DEPTH = 100


class Located(dict):
    """A mapping that knows the line of itself and of each of its keys."""

    line: int = 1
    key_lines: dict

    def line_of(self, key, default: int | None = None) -> int:
        return self.key_lines.get(key, default if default is not None else self.line)


class LocatedList(list):
    """A sequence that knows its own line and each item's."""

    line: int = 1
    item_lines: list

    def line_of(self, index: int) -> int:
        try:
            return self.item_lines[index]
        except IndexError:
            return self.line


# libyaml's parser when PyYAML has it (ten times faster), PyYAML's own otherwise; both
# with the safe constructors only, and both keep each node's line.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    def construct_document(self, node):
        _check_shape(node)
        return super().construct_document(node)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:  # 2023-02-30: a date's shape, not a date
            raise _NotADate(None, None, f"'{node.value}' is not a date: {error}",
                            node.start_mark) from None


class _NotADate(yaml.constructor.ConstructorError):
    """A value written as a date that no calendar has (2026-02-30, 2026-13-01)."""


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _check_shape(root) -> None:
    """Refuse a document nested deeper than MAX_DEPTH, or that expands through its aliases
    to more than MAX_EXPANDED_NODES values; without recursion, so depth costs no stack."""
    depth = {id(root): 1}
    order, stack, seen = [], [root], set()
    while stack:  # each node once, parents before children
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        for child in _children(node):
            if id(child) not in depth:
                depth[id(child)] = depth[id(node)] + 1
                if depth[id(child)] > MAX_DEPTH:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"nested more than {MAX_DEPTH} levels deep", child.start_mark)
            stack.append(child)
    sizes: dict[int, int] = {}
    # Aliases may add at most MAX_EXPANDED_NODES values to those the file writes out: a
    # long file is fine, a short one that expands to billions is not.
    allowed = len(order) + MAX_EXPANDED_NODES
    for node in reversed(order):  # children before parents; an alias loop counts once
        sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in _children(node))
        if sizes[id(node)] > allowed:
            raise yaml.YAMLError(f"the document expands to more than {MAX_EXPANDED_NODES} values "
                                 "through its aliases (a billion-laughs document?)")


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    result = Located()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "unhashable key", key_node.start_mark) from None
        if key in result:  # PyYAML keeps the last silently; the writer meant one of them
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}' (first at line {result.key_lines[key]})",
                key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader, node):
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _tab_at(text: str, mark) -> tuple[int, int] | None:
    """The line and column of the tab that made the YAML error at MARK, if a tab did: one
    in the indentation of the line the parser stopped at, or the character it stopped at."""
    lines = text.split("\n")
    if not 0 <= mark.line < len(lines):
        return None
    row = lines[mark.line]
    indent = row[: len(row) - len(row.lstrip(" \t-?:"))]
    if "\t" in indent:
        return mark.line + 1, indent.index("\t") + 1
    if row[mark.column: mark.column + 1] == "\t":
        return mark.line + 1, mark.column + 1
    return None


def load_yaml(path: Path, root: Path, named: Named | None = None, *,
              limit: int = MAX_YAML_BYTES):
    """Load one YAML file safely; raise :class:`ContentError` located at the fault.

    The file is read through the guard (:mod:`handbill.guard`): inside the project
    (or handbill's own files), a regular file, at most LIMIT bytes.
    """
    shown = display_path(path, root)
    text = read_text(path, root, named, limit=limit, code="yaml")
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except _NotADate as error:
        mark = error.problem_mark
        raise ContentError(Diagnostic(shown, mark.line + 1, error.problem, column=mark.column + 1,
                                      code="yaml", hint="write a date that exists, as YYYY-MM-DD "
                                      "(2026-02-28)")) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        tab = _tab_at(text, mark) if mark else None
        if tab is not None:
            line, column = tab
            raise ContentError(Diagnostic(
                shown, line, "a tab character: YAML indents with spaces, never tabs",
                column=column, code="yaml",
                hint=f"replace the tab on line {line} with spaces (two for each level), and "
                     "set your editor to insert spaces for the Tab key")) from None
        problem = error.problem or error.context or "invalid YAML"
        raise ContentError(Diagnostic(shown, line, f"invalid YAML: {problem}", column=column,
                                      code="yaml")) from None
    except yaml.YAMLError as error:
        raise ContentError(Diagnostic(shown, None, f"invalid YAML: {error}", code="yaml")) from None
