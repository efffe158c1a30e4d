"""``/readyz``'s language-model check: what a local engine or a remote server is doing."""

from __future__ import annotations

from types import SimpleNamespace

from app.api.routes.health import model_state
from model_runtime.engine import EngineState
from model_runtime.exceptions import ModelUnavailableError


async def test_the_model_check_says_what_the_model_is_doing() -> None:
    assert await model_state(None, enabled=False) == "off"
    assert await model_state(None, enabled=True) == "unavailable"
    for state, said in [
        (EngineState.LOADING, "loading"),
        (EngineState.READY, "ok"),
        (EngineState.FAILED, "unavailable"),
        (EngineState.CLOSED, "unavailable"),
    ]:
        assert await model_state(SimpleNamespace(state=state), enabled=True) == said


async def test_a_remote_model_server_is_asked() -> None:
    async def listing() -> list[str]:
        return ["qwen2.5-0.5b-instruct"]

    async def gone() -> list[str]:
        raise ModelUnavailableError("cannot reach http://127.0.0.1:9")

    assert await model_state(SimpleNamespace(models=listing), enabled=True) == "ok"
    assert await model_state(SimpleNamespace(models=gone), enabled=True) == "unavailable"
