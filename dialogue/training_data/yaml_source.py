"""YAML reading with line numbers, in the YAML 1.2 core schema that Rasa uses.

PyYAML speaks YAML 1.1, where ``yes``, ``no``, ``on`` and ``off`` are booleans, ``1:30``
is the integer 90 and ``2026-12-15`` a date; Rasa reads its files as YAML 1.2, where all
of those are strings. :func:`load_yaml` follows 1.2 so that real Rasa projects mean the
same here, and returns mappings, lists and strings that remember their source line so
that errors can name the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from dialogue.exceptions import SourceError

__all__ = ["YamlList", "YamlMap", "YamlStr", "line_of", "load_yaml"]


class YamlMap(dict[Any, Any]):
    """A mapping read from YAML; ``line`` and ``key_lines`` are 1-based source lines."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}

    def line_of_key(self, key: Any) -> int:
        """The line where ``key`` is written, or the mapping's own line."""
        return self.key_lines.get(key, self.line)


class YamlList(list[Any]):
    """A sequence read from YAML; ``item_lines[i]`` is the line of item ``i``."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.item_lines: list[int] = []


class YamlStr(str):
    """A string read from YAML; ``line`` is where it starts, ``style`` the scalar style.

    For block scalars (``style`` ``"|"`` or ``">"``) ``line`` is the line of the
    indicator, so the first content line is ``line + 1``.
    """

    line: int = 0
    style: str | None = None


def line_of(value: Any, default: int | None = None) -> int | None:
    """The 1-based source line of a value returned by :func:`load_yaml`, if it has one."""
    line = getattr(value, "line", 0)
    return line if isinstance(line, int) and line > 0 else default


class _Loader(yaml.SafeLoader):
    # Rebuilt below with the YAML 1.2 core schema instead of PyYAML's 1.1 rules.
    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level registry


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    body = text.lstrip("+-")
    # YAML 1.2: "010" is ten (1.1 read it as octal eight).
    value = int(body, 0) if body[:2] in ("0o", "0x") else int(body, 10)
    return -value if text.startswith("-") else value


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> YamlStr:
    value = YamlStr(loader.construct_scalar(node))
    value.line = node.start_mark.line + 1
    value.style = node.style
    return value


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    result = YamlMap()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                "found an unhashable key",
                key_node.start_mark,
            ) from None
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> YamlList:
    result = YamlList()
    result.line = node.start_mark.line + 1
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.item_lines.append(item.start_mark.line + 1)
    return result


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_list)


def load_yaml(
    text: str, *, path: Path | None = None, error: type[SourceError] = SourceError
) -> Any:
    """Parse one YAML document; syntax errors raise ``error`` naming ``path`` and the line.

    Returns :class:`YamlMap`, :class:`YamlList` and :class:`YamlStr` for mappings,
    sequences and strings (plain ``int``/``float``/``bool``/``None`` otherwise).
    """
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        raise error(f"invalid YAML: {reason}", path=path, line=line) from exc
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", path=path, line=None) from exc
