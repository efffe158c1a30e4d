"""Fixtures for the model runtime: a tiny random model, engines on it, a real HTTP server."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import torch
import uvicorn

from model_runtime.engine import Engine
from model_runtime.loading import LoadedModel, load_model
from model_runtime.prompting import render
from model_runtime.scheduler import BatchLimits
from model_runtime.server import create_server_app
from model_runtime.types import ChatMessage
from tests.servers import free_port


@pytest.fixture(scope="session")
def tiny() -> LoadedModel:
    """The tiny random model in float32 on the CPU, shared (inference only)."""
    return load_model("tiny-random", device="cpu", dtype="float32")


@pytest.fixture
async def engine(tiny: LoadedModel) -> AsyncIterator[Engine]:
    engine = Engine(tiny)
    try:
        yield engine
    finally:
        await engine.aclose()


def greedy_reference(
    loaded: LoadedModel, messages: list[ChatMessage], max_new_tokens: int, **generate_kwargs: object
) -> str:
    """What transformers' own sequential ``generate`` says, for equivalence checks."""
    ids = torch.tensor([render(loaded.tokenizer, messages)])
    model: Any = loaded.model
    with torch.inference_mode():
        out = model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=max_new_tokens,
            do_sample=False,
            **generate_kwargs,
        )
    return str(loaded.tokenizer.decode(out[0, ids.shape[1] :].tolist(), skip_special_tokens=True))


def user(text: str) -> list[ChatMessage]:
    return [ChatMessage("user", text)]


@dataclass
class RunningServer:
    engine: Engine
    url: str


def _serve(engine: Engine) -> Iterator[RunningServer]:
    port = free_port()
    config = uvicorn.Config(
        create_server_app(engine),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield RunningServer(engine, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def http_server(tiny: LoadedModel) -> Iterator[RunningServer]:
    """``create_server_app`` on a real uvicorn server on a loopback port."""
    engine = Engine(tiny, batch_limits=BatchLimits(max_batch_size=8, max_queued=64))
    try:
        yield from _serve(engine)
    finally:
        asyncio.run(engine.aclose())
