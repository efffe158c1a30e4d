"""kefu's model runtime: local LLM serving with continuous batching and dynamic temperature.

Usable on its own. Start with :func:`load_chat_model` (in-process), :class:`OpenAIClient`
(any OpenAI-compatible server) or :class:`ScriptedChatModel` (tests); all three are a
:class:`ChatModel`. :func:`create_server_app` serves any of them over HTTP.

Names that need torch, transformers or FastAPI are imported on first use, so that
``from model_runtime.types import ChatModel`` (or this package) stays cheap to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from model_runtime.exceptions import (
    ChecksumMismatchError,
    InvalidRequestError,
    ModelLoadError,
    ModelNotInstalledError,
    ModelRuntimeError,
    ModelUnavailableError,
    PromptTooLongError,
    QueueFullError,
    RemoteModelError,
)
from model_runtime.fake import ScriptedChatModel
from model_runtime.registry import (
    DEFAULT_MODEL,
    TINY_RANDOM_MODEL,
    ModelRegistry,
    PackagedModel,
    registry,
)
from model_runtime.response_cache import ResponseCache
from model_runtime.truncation import TruncatedPrompt, truncate_messages
from model_runtime.types import (
    ChatMessage,
    ChatModel,
    Completion,
    DynamicTemperature,
    SamplingParams,
)

if TYPE_CHECKING:
    from model_runtime.client import OpenAIClient
    from model_runtime.engine import Engine, EngineState, LoadOptions, load_chat_model
    from model_runtime.loading import LoadedModel, load_model
    from model_runtime.processors import (
        LogitsProcessor,
        MinPProcessor,
        RepetitionPenaltyProcessor,
        TemperatureProcessor,
        TopKProcessor,
        TopPProcessor,
        edt_temperature,
        minmax_temperature,
    )
    from model_runtime.prompting import PromptLimits
    from model_runtime.scheduler import BatchLimits, Finished, TextDelta
    from model_runtime.server import create_server_app

_LAZY = {
    "OpenAIClient": "model_runtime.client",
    "Engine": "model_runtime.engine",
    "EngineState": "model_runtime.engine",
    "LoadOptions": "model_runtime.engine",
    "load_chat_model": "model_runtime.engine",
    "LoadedModel": "model_runtime.loading",
    "load_model": "model_runtime.loading",
    "LogitsProcessor": "model_runtime.processors",
    "MinPProcessor": "model_runtime.processors",
    "RepetitionPenaltyProcessor": "model_runtime.processors",
    "TemperatureProcessor": "model_runtime.processors",
    "TopKProcessor": "model_runtime.processors",
    "TopPProcessor": "model_runtime.processors",
    "edt_temperature": "model_runtime.processors",
    "minmax_temperature": "model_runtime.processors",
    "PromptLimits": "model_runtime.prompting",
    "BatchLimits": "model_runtime.scheduler",
    "Finished": "model_runtime.scheduler",
    "TextDelta": "model_runtime.scheduler",
    "create_server_app": "model_runtime.server",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'model_runtime' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_MODEL",
    "TINY_RANDOM_MODEL",
    "BatchLimits",
    "ChatMessage",
    "ChatModel",
    "ChecksumMismatchError",
    "Completion",
    "DynamicTemperature",
    "Engine",
    "EngineState",
    "Finished",
    "InvalidRequestError",
    "LoadOptions",
    "LoadedModel",
    "LogitsProcessor",
    "MinPProcessor",
    "ModelLoadError",
    "ModelNotInstalledError",
    "ModelRegistry",
    "ModelRuntimeError",
    "ModelUnavailableError",
    "OpenAIClient",
    "PackagedModel",
    "PromptLimits",
    "PromptTooLongError",
    "QueueFullError",
    "RemoteModelError",
    "RepetitionPenaltyProcessor",
    "ResponseCache",
    "SamplingParams",
    "ScriptedChatModel",
    "TemperatureProcessor",
    "TextDelta",
    "TopKProcessor",
    "TopPProcessor",
    "TruncatedPrompt",
    "create_server_app",
    "edt_temperature",
    "load_chat_model",
    "load_model",
    "minmax_temperature",
    "registry",
    "truncate_messages",
]
