"""endpoints.yml, as Rasa writes it; kefu reads the action server's address from it::

action_endpoint:
  url: http://127.0.0.1:5055/webhook
  timeout: 10        # seconds; kefu's addition, default 10
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dialogue.actions.executors import DEFAULT_TIMEOUT
from dialogue.exceptions import SourceError
from dialogue.training_data.yaml_source import YamlMap, load_yaml

__all__ = ["ActionEndpoint", "read_action_endpoint"]


@dataclass(frozen=True)
class ActionEndpoint:
    url: str
    timeout: float = DEFAULT_TIMEOUT


def read_action_endpoint(path: Path) -> ActionEndpoint | None:
    """The ``action_endpoint`` of an endpoints.yml, or None when the file or the section
    is missing (then actions run in-process). Malformed content raises SourceError."""
    if not path.is_file():
        return None
    document = load_yaml(path.read_text(encoding="utf-8"), path=path)
    if not isinstance(document, YamlMap):
        return None
    section = document.get("action_endpoint")
    if section is None:
        return None
    line = document.line_of_key("action_endpoint")
    if not isinstance(section, YamlMap) or not isinstance(section.get("url"), str):
        raise SourceError(
            "action_endpoint needs a url: (http://host:port/webhook)", path=path, line=line
        )
    timeout = section.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise SourceError(
            "action_endpoint timeout: must be a number of seconds > 0", path=path, line=line
        )
    return ActionEndpoint(url=str(section["url"]), timeout=float(timeout))
