"""Where custom actions run: in this process through rasa-sdk's ``ActionExecutor``, or
on a rasa-sdk action server over HTTP. Both take the same action-call JSON
(:func:`dialogue.actions.webhook.action_call`) and give an :class:`ActionResult`.

In-process actions come from a Python package: if it defines
``build_actions(**dependencies) -> list[Action]`` (kefu's way, so actions receive an
order store and a clock), the instances it returns are registered; otherwise every
``rasa_sdk.Action`` subclass defined in the package is instantiated without arguments,
as ``python -m rasa_sdk --actions PACKAGE`` does.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import httpx

from dialogue.actions.exceptions import (
    ActionFailed,
    ActionNotFound,
    ActionRejected,
    ActionServerError,
    ActionTimeout,
)
from dialogue.actions.loading import import_actions
from dialogue.actions.webhook import ActionResult

__all__ = ["DEFAULT_TIMEOUT", "ActionExecutor", "InProcessActions", "RemoteActions"]

log = logging.getLogger(__name__)

#: Seconds an action may take before the customer gets an apology instead.
DEFAULT_TIMEOUT = 10.0


class ActionExecutor(Protocol):
    """Runs custom actions; raises an ActionError subclass when one gives no result."""

    async def run(self, call: Mapping[str, Any]) -> ActionResult: ...

    def knows(self, name: str) -> bool | None:
        """Whether ``name`` is registered; None when that cannot be known cheaply."""
        ...


def _json_copy(value: Any) -> Any:
    # The same bytes as over HTTP: nothing is shared between engine and action.
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


class InProcessActions:
    """rasa-sdk actions in this process, called with the webhook's JSON contract."""

    def __init__(self, actions: Iterable[Any] = (), *, timeout: float = DEFAULT_TIMEOUT) -> None:
        from rasa_sdk.executor import ActionExecutor as SdkExecutor

        if timeout <= 0:
            raise ValueError(f"timeout is {timeout}; give the seconds an action may take (> 0)")
        self.timeout = timeout
        self._executor = SdkExecutor()
        for action in actions:
            self._executor.register_action(action)

    @classmethod
    def from_package(
        cls,
        package: str | ModuleType,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        root: Path | None = None,
        **dependencies: Any,
    ) -> InProcessActions:
        """The actions of ``package`` (a dotted name or a module; ``root``: its project,
        named in import errors); ``dependencies`` go to its ``build_actions`` (only those
        it accepts). A package that cannot be imported raises ActionsImportError."""
        modules = import_actions(package, root)
        build = getattr(modules[0], "build_actions", None)
        if callable(build):
            accepted = inspect.signature(build).parameters
            takes_all = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
            kwargs = {k: v for k, v in dependencies.items() if takes_all or k in accepted}
            return cls(build(**kwargs), timeout=timeout)
        return cls(_action_classes(modules), timeout=timeout)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._executor.actions)

    def knows(self, name: str) -> bool | None:
        return name in self._executor.actions

    async def run(self, call: Mapping[str, Any]) -> ActionResult:
        from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

        name = str(call.get("next_action"))
        try:
            result = await asyncio.wait_for(self._executor.run(_json_copy(call)), self.timeout)
        except ActionNotFoundException as exc:
            raise ActionNotFound(name, exc.message) from exc
        except ActionExecutionRejection as exc:
            raise ActionRejected(name, exc.message) from exc
        except TimeoutError as exc:
            raise ActionTimeout(name, f"no result within {self.timeout:g} s") from exc
        except Exception as exc:
            raise ActionFailed(name, f"raised {type(exc).__name__}: {exc}") from exc
        return ActionResult.from_json(name, _json_copy(result.model_dump() if result else None))


def _action_classes(modules: list[ModuleType]) -> list[Any]:
    """The concrete ``rasa_sdk.Action`` subclasses defined in a package's ``modules`` (the
    package first)."""
    from rasa_sdk import Action

    module = modules[0]
    found: dict[str, Any] = {}
    for mod in modules:
        for _, value in inspect.getmembers(mod, inspect.isclass):
            if (
                issubclass(value, Action)
                and value.__module__.startswith(module.__name__)
                and not inspect.isabstract(value)
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


class RemoteActions:
    """A rasa-sdk action server at ``url`` (its ``/webhook``). The domain goes along only
    when the server asks for it (HTTP 449), as Rasa does."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout is {timeout}; give the seconds an action may take (> 0)")
        self.url = url
        self.timeout = timeout
        self._transport = transport

    def knows(self, name: str) -> bool | None:
        return None

    async def run(self, call: Mapping[str, Any]) -> ActionResult:
        name = str(call.get("next_action"))
        lean = {k: v for k, v in call.items() if k != "domain"}
        try:
            async with httpx.AsyncClient(timeout=self.timeout, transport=self._transport) as client:
                response = await client.post(self.url, json=lean)
                if response.status_code == 449:
                    log.debug("action server %s asked for the domain", self.url)
                    response = await client.post(self.url, json=dict(call))
        except httpx.TimeoutException as exc:
            raise ActionTimeout(
                name, f"no answer from {self.url} within {self.timeout:g} s"
            ) from exc
        except httpx.HTTPError as exc:
            raise ActionServerError(name, f"cannot reach {self.url}: {exc}") from exc
        body = _body(response)
        if response.status_code == 404:
            raise ActionNotFound(name, f"the action server at {self.url} has no such action")
        if response.status_code == 400 and isinstance(body, Mapping) and "action_name" in body:
            raise ActionRejected(name, str(body.get("error", "rejected")))
        if response.status_code != 200:
            detail = body.get("error") if isinstance(body, Mapping) else response.text[:200]
            raise ActionServerError(name, f"HTTP {response.status_code} from {self.url}: {detail}")
        return ActionResult.from_json(name, body)


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text
