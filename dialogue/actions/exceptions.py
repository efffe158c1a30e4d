"""Errors of running custom actions (rasa-sdk, in-process or over HTTP).

The engine catches :class:`ActionError`, logs it and tells the customer politely
(``utter_action_failed``); a form treats :class:`ActionRejected` as "this message does
not fill me". The tree::

    ActionError                 a custom action could not give a result
    ├── ActionNotFound          no action of that name is registered (in-process or server: 404)
    ├── ActionRejected          the action raised ActionExecutionRejection (server: 400)
    ├── ActionTimeout           it took longer than the configured timeout
    ├── ActionFailed            it raised, or answered something that is not the contract
    └── ActionServerError       the action server is unreachable or answered an HTTP error
"""

from __future__ import annotations

__all__ = [
    "ActionError",
    "ActionFailed",
    "ActionNotFound",
    "ActionRejected",
    "ActionServerError",
    "ActionTimeout",
]


class ActionError(Exception):
    """A custom action gave no result; ``action`` names it. Log it and apologise."""

    def __init__(self, action: str, message: str) -> None:
        self.action = action
        super().__init__(f"{action}: {message}")


class ActionNotFound(ActionError):
    """Register the action in the actions package (or on the action server)."""


class ActionRejected(ActionError):
    """The action declined to run for this message; another policy should decide."""


class ActionTimeout(ActionError):
    """Make the action faster or raise the timeout (``action_endpoint.timeout``)."""


class ActionFailed(ActionError):
    """The action raised or broke the webhook contract; its traceback is in the log."""


class ActionServerError(ActionError):
    """Check that the action server runs at the configured URL and look at its log."""
