"""``load_yaml``: ``yaml.safe_load`` plus what a config file needs.

``${VAR}`` / ``${VAR:-default}`` come from the environment (``$${`` is a literal ``${``), duplicate
keys are errors, mappings remember their file and each key's line (``ConfigDict``), and every
problem is a ``ConfigError`` naming ``file:line``.

A config is data a person wrote, so its shape is bounded: nesting past ``MAX_DEPTH`` levels,
aliases that would expand to more than ``MAX_ALIAS_EXPANSION`` nodes (a "billion laughs" file of
1 KB expands to billions) and an alias inside the node it names (an endless structure) are
errors, found while the file is read, before anything walks the structure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Hashable, Iterator, Mapping
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import ConfigError
from .positions import ConfigDict

__all__ = ["MAX_ALIAS_EXPANSION", "MAX_DEPTH", "load_yaml", "substitute_env"]

MAX_DEPTH = 100
"""Levels of nested mappings and sequences a config file may have."""
MAX_ALIAS_EXPANSION = 10_000
"""Nodes the aliases (``*name``) of a config file may add, counted as if each were copied out."""

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VARIABLE = re.compile(r"\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def substitute_env(text: str, environ: Mapping[str, str], missing: list[str]) -> str:
    """Replace ``${VAR}`` and ``${VAR:-default}`` (default when unset or empty) in ``text``;
    names of unset variables without default are appended to ``missing``."""

    def replace(match: re.Match[str]) -> str:
        escaped, name, default = match.groups()
        if escaped:
            return match.group(0)[1:]
        value = environ.get(name)
        if value is None or (value == "" and default is not None):
            if default is None:
                missing.append(name)
                return ""
            return default
        return value

    return _VARIABLE.sub(replace, text)


class _ConfigLoader(yaml.SafeLoader):
    """SafeLoader that records positions, rejects duplicate keys and substitutes variables."""

    source: str
    environ: Mapping[str, str]
    problems: list[tuple[int, str]]
    depth: int = 0
    alias_expansion: int = 0
    sizes: dict[int, int]

    def _line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose as PyYAML does, refusing too deep a nesting and too large an alias expansion."""
        event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML: untyped
        line = int(event.start_mark.line) + 1
        if self.depth >= MAX_DEPTH:
            raise ConfigError(
                f"{self.source}:{line}: nested more than {MAX_DEPTH} levels deep; "
                "a config this deep is refused"
            )
        self.depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if node is None:
            return None
        if isinstance(event, AliasEvent):
            self._count_alias(node, line, str(event.anchor))
        else:
            self.sizes[id(node)] = 1 + sum(self.sizes[id(child)] for child in _children(node))
        return node

    def _count_alias(self, target: Node, line: int, anchor: str) -> None:
        size = self.sizes.get(id(target))
        if size is None:
            raise ConfigError(
                f"{self.source}:{line}: alias *{anchor} is inside the node &{anchor} it names "
                "(an endless structure)"
            )
        self.sizes[id(target)] = size
        self.alias_expansion += size
        if self.alias_expansion > MAX_ALIAS_EXPANSION:
            raise ConfigError(
                f"{self.source}:{line}: aliases expand to more than {MAX_ALIAS_EXPANSION} "
                f"nodes (at *{anchor}); write the values out or use fewer levels of aliases"
            )

    def construct_positioned_map(self, node: MappingNode) -> Iterator[ConfigDict]:
        data = ConfigDict(source=self.source, line=self._line(node))
        yield data
        self._check_duplicates(node)
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found unhashable key",
                    key_node.start_mark,
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = self._line(key_node)

    def _check_duplicates(self, node: MappingNode) -> None:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue
            line = self._line(key_node)
            if key in seen:
                first = seen[key]
                self.problems.append(
                    (line, f"{self.source}:{line}: duplicate key {key!r} (first on line {first})")
                )
            else:
                seen[key] = line

    def construct_env_str(self, node: ScalarNode) -> Any:
        value = self.construct_scalar(node)
        if "${" not in value:
            return value
        missing: list[str] = []
        text = substitute_env(value, self.environ, missing)
        line = self._line(node)
        for name in missing:
            self.problems.append(
                (
                    line,
                    f"{self.source}:{line}: environment variable {name!r} is not set "
                    f"(write ${{{name}:-default}} to give a default)",
                )
            )
        if node.style is not None:  # quoted: stays a string
            return text
        tag = self.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        if tag == _STR_TAG:
            return text
        return self.yaml_constructors[tag](
            self, ScalarNode(tag, text, node.start_mark, node.end_mark)
        )


def _children(node: Node) -> list[Node]:
    """The nodes directly inside `node` (keys and values of a mapping)."""
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


_ConfigLoader.add_constructor(_MAP_TAG, _ConfigLoader.construct_positioned_map)
_ConfigLoader.add_constructor(_STR_TAG, _ConfigLoader.construct_env_str)


def load_yaml(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> ConfigDict:
    """Load a YAML config file whose top level is a mapping; every problem is a ConfigError."""
    source = os.fspath(path)
    try:
        with open(source, encoding="utf-8-sig") as stream:
            text = stream.read()
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    loader = _ConfigLoader(text)
    loader.source = source
    loader.environ = os.environ if environ is None else environ
    loader.problems = []
    loader.sizes = {}
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise ConfigError(_syntax_problem(source, exc)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: invalid YAML: {_one_line(str(exc))}") from None
    finally:
        loader.dispose()
    if loader.problems:
        raise ConfigError(*(text for _, text in sorted(loader.problems, key=lambda p: p[0])))
    if data is None:
        raise ConfigError(f"{source}: the file is empty; expected a mapping of settings")
    if not isinstance(data, ConfigDict):
        raise ConfigError(
            f"{source}:1: expected a mapping of settings at the top level, "
            f"got {type(data).__name__}"
        )
    return data


def _syntax_problem(source: str, exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
    message = exc.problem or "invalid YAML"
    if exc.context:
        message = f"{message} ({exc.context})"
    return f"{where}: YAML syntax error: {_one_line(message)}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
