"""Safe YAML loading that remembers on which line each key and item stood.

Schema errors must point at a line, so mappings load as :class:`Located`
dicts and sequences as :class:`LocatedList`, both carrying 1-based lines.
Only PyYAML's safe constructors are used: no Python tags, ever.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ContentError, Diagnostic, display_path

#: Refuse YAML files larger than this (bytes): metadata is small.
MAX_YAML_BYTES = 1_000_000
#: Refuse documents that, with their aliases expanded, hold more nodes than this.
MAX_EXPANDED_NODES = 100_000


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
        if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise yaml.YAMLError(f"the document expands to more than {MAX_EXPANDED_NODES} values "
                                 "through its aliases (a billion-laughs document?)")
        return super().construct_document(node)


def _expanded_size(node, sizes: dict) -> int:
    """How many nodes NODE stands for once every alias is expanded (memoised per node)."""
    key = id(node)
    if key not in sizes:
        sizes[key] = 1  # a recursive alias counts once
        if isinstance(node, yaml.SequenceNode):
            sizes[key] = 1 + sum(_expanded_size(child, sizes) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            sizes[key] = 1 + sum(_expanded_size(k, sizes) + _expanded_size(v, sizes)
                                 for k, v in node.value)
    return sizes[key]


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


def load_yaml(path: Path, root: Path | None = None):
    """Load one YAML file safely; raise :class:`ContentError` located at the fault."""
    shown = display_path(path, root)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ContentError(Diagnostic(shown, None, f"cannot read: {error.strerror}")) from None
    if len(data) > MAX_YAML_BYTES:
        raise ContentError(Diagnostic(
            shown, None, f"YAML file is {len(data)} bytes, more than the {MAX_YAML_BYTES} allowed"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContentError(Diagnostic(shown, line, "file is not valid UTF-8")) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = error.problem or error.context or "invalid YAML"
        raise ContentError(Diagnostic(shown, line, f"invalid YAML: {problem}", column=column)) from None
    except yaml.YAMLError as error:
        raise ContentError(Diagnostic(shown, None, f"invalid YAML: {error}")) from None
