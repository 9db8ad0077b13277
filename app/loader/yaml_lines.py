"""YAML reading that remembers the line of every key and list item, for `file:line` errors."""

import re
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict[str, Any]):
    """A mapping that knows the line it starts on and the line of each key."""

    line: int
    key_lines: dict[str, int]


class LineList(list[Any]):
    """A sequence that knows the line it starts on and the line of each item."""

    line: int
    item_lines: list[int]


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping repeats a key (plain PyYAML would keep the last value silently)."""


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings and records line numbers."""


# The same loader on libyaml's parser (PyYAML's C extension), when PyYAML was built with it:
# it reads the data files about ten times faster. Its nodes carry the same marks.
_FastLineLoader: type[Any] = _LineLoader
if hasattr(yaml, "CSafeLoader"):

    class _CLineLoader(yaml.CSafeLoader):
        """_LineLoader's rules on libyaml's parser."""

    _FastLineLoader = _CLineLoader


# Dates stay strings: the models parse partial dates ("2021-06") themselves. Booleans are
# only true/false (as in YAML 1.2), so a country code like NO is not read as False.
_LineLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise DuplicateKeyError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_loader: Any
for _loader in (_LineLoader, _FastLineLoader):
    _loader.yaml_implicit_resolvers = _LineLoader.yaml_implicit_resolvers
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path, fast: bool = True) -> Any:
    """Parse one YAML file into LineDict/LineList values; raises yaml.YAMLError.

    A file is read with libyaml's parser when there is one (`fast`); one it refuses is read
    again by PyYAML's own, so a curator gets its wording of the problem (app/loader/messages.py
    puts those words plainly) whichever parser PyYAML has.
    """
    text = path.read_text(encoding="utf-8")
    if fast and _FastLineLoader is not _LineLoader:
        try:
            return yaml.load(text, Loader=_FastLineLoader)
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=_LineLoader)


def line_of(node: Any, loc: tuple[int | str, ...], default: int) -> int:
    """The line of the deepest part of `loc` that can be found under `node`."""
    line = getattr(node, "line", default)
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(str(part), line)
            node = node[str(part)]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line
