"""Custom actions through rasa-sdk: in-process (:class:`InProcessActions`) or on an action
server (:class:`RemoteActions`, configured by endpoints.yml), with Rasa's webhook JSON.
"""

from dialogue.actions.endpoints import ActionEndpoint, read_action_endpoint
from dialogue.actions.exceptions import (
    ActionError,
    ActionFailed,
    ActionNotFound,
    ActionRejected,
    ActionServerError,
    ActionTimeout,
)
from dialogue.actions.executors import (
    DEFAULT_TIMEOUT,
    ActionExecutor,
    InProcessActions,
    RemoteActions,
)
from dialogue.actions.webhook import (
    ActionResult,
    action_call,
    domain_digest,
    domain_json,
    tracker_json,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "ActionEndpoint",
    "ActionError",
    "ActionExecutor",
    "ActionFailed",
    "ActionNotFound",
    "ActionRejected",
    "ActionResult",
    "ActionServerError",
    "ActionTimeout",
    "InProcessActions",
    "RemoteActions",
    "action_call",
    "domain_digest",
    "domain_json",
    "read_action_endpoint",
    "tracker_json",
]
