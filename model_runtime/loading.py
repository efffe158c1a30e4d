"""Loading a model and its tokenizer from a name or a path.

What ``name_or_path`` may be, tried in this order:

* ``tiny-random``: a tiny random model built in-process (tests);
* a packaged model's name (``model_runtime.registry``): its GGUF file is assembled from the
  installed packages, its sha256 checked against the registry, converted once;
* a local Hugging Face directory (``config.json`` + safetensors);
* a local GGUF file: converted once to safetensors in ``cache_dir/gguf-<sha256>`` (transformers
  dequantizes GGUF on every load, about a minute for 0.5B parameters; safetensors takes seconds);
* a hub id (``org/name``), where a Hugging Face hub is reachable.

Weights are read with safetensors (or the GGUF reader for the one-time conversion), never
with pickle. Call :func:`load_model`; it raises :class:`ModelLoadError` saying what to do.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from model_runtime.devices import choose_device, choose_dtype, detect_hardware
from model_runtime.exceptions import (
    ChecksumMismatchError,
    ModelLoadError,
    ModelNotInstalledError,
)
from model_runtime.registry import TINY_RANDOM_MODEL, PackagedModel, registry

logger = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Path(".kefu") / "models"
_MARKER = "kefu-conversion.json"
# Used only when a model ships no chat template (base models): plain "role: text" lines.
PLAIN_CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['role'] | capitalize }}: "
    "{{ message['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}Assistant:{% endif %}"
)

Quantization = Literal["int8"]


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A model ready to run: eval mode, on its device, with a tokenizer that has a chat template."""

    name: str
    revision: str
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    device: torch.device
    dtype: torch.dtype
    quantization: Quantization | None = None
    # What it was loaded from (the argument of load_model), for reloading the same source.
    source: str = ""

    @property
    def max_positions(self) -> int:
        return int(getattr(self.model.config, "max_position_embeddings", 0) or 32768)


def load_model(
    name_or_path: str,
    *,
    device: str = "auto",
    dtype: str = "auto",
    cache_dir: Path | None = None,
    quantize: Quantization | None = None,
) -> LoadedModel:
    """Load ``name_or_path`` (see the module docstring) and prepare it for inference."""
    cache_dir = cache_dir or DEFAULT_CACHE_DIR
    hardware = detect_hardware()
    torch_device = choose_device(device, hardware)
    torch_dtype = choose_dtype(dtype, torch_device, hardware)
    if quantize is not None:
        if quantize != "int8":
            raise ModelLoadError(f"unknown quantization {quantize!r}; the only one is 'int8'")
        if torch_device.type != "cpu":
            raise ModelLoadError("int8 dynamic quantization runs on the CPU only; use device='cpu'")
        torch_dtype = torch.float32  # dynamic quantization wants float32 activations

    if name_or_path == TINY_RANDOM_MODEL:
        from model_runtime.tiny import build_tiny_model

        tiny_model, tiny_tokenizer = build_tiny_model(dtype=torch_dtype)
        return _prepare(
            name_or_path,
            "seed-0",
            tiny_model,
            tiny_tokenizer,
            torch_device,
            torch_dtype,
            quantize,
            source=name_or_path,
        )

    path = Path(name_or_path).expanduser()
    if name_or_path in registry:
        directory, revision = packaged_directory(registry[name_or_path], cache_dir)
        name = name_or_path
    elif path.is_dir():
        directory, revision, name = path, _directory_revision(path), path.name
    elif path.is_file() and path.suffix.lower() == ".gguf":
        digest = file_sha256([path])
        directory = convert_gguf(path, cache_dir=cache_dir, sha256=digest)
        revision, name = digest, path.stem
    elif path.exists():
        raise ModelLoadError(
            f"{path} is neither a model directory nor a .gguf file; point to a Hugging Face "
            "directory (config.json + safetensors) or a GGUF file"
        )
    elif _looks_like_hub_id(name_or_path):
        return _load_from_hub(name_or_path, cache_dir, torch_device, torch_dtype, quantize)
    else:
        known = ", ".join([*registry, TINY_RANDOM_MODEL])
        raise ModelLoadError(
            f"no model called {name_or_path!r}: not a packaged model ({known}), not a local "
            "directory or .gguf file, and not a hub id (org/name)"
        )
    model, tokenizer = _from_directory(directory, torch_dtype)
    return _prepare(
        name, revision, model, tokenizer, torch_device, torch_dtype, quantize, source=name_or_path
    )


def file_sha256(paths: Iterable[Path]) -> str:
    """sha256 of the files joined in order (the parts of a split GGUF need no joining)."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            while block := handle.read(4 * 1024 * 1024):
                digest.update(block)
    return digest.hexdigest()


def converted_directory(cache_dir: Path, sha256: str) -> Path:
    """Where the safetensors conversion of the GGUF file with this sha256 lives."""
    return cache_dir / f"gguf-{sha256[:24]}"


def is_converted(cache_dir: Path, sha256: str) -> bool:
    marker = converted_directory(cache_dir, sha256) / _MARKER
    try:
        return bool(json.loads(marker.read_text()).get("sha256") == sha256)
    except (OSError, ValueError):
        return False


def verify_packaged(model: PackagedModel) -> list[Path]:
    """The model's part files after checking their joined sha256 against the registry."""
    parts = model.part_paths()
    if parts is None:
        raise ModelNotInstalledError(
            f"the packages of {model.name} are not installed; run `kefu model pull {model.name}`"
        )
    digest = file_sha256(parts)
    if digest != model.sha256:
        raise ChecksumMismatchError(
            f"{model.name}: the installed weights have sha256 {digest}, the registry pins "
            f"{model.sha256}; reinstall with `kefu model pull {model.name}`"
        )
    return parts


def convert_gguf(gguf_file: Path, *, cache_dir: Path, sha256: str) -> Path:
    """The safetensors directory for ``gguf_file`` (sha256 given), converting it on first use."""
    target = converted_directory(cache_dir, sha256)
    if is_converted(cache_dir, sha256):
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils.quantization_config import GgufConfig

    logger.info("converting %s to safetensors in %s (once)", gguf_file, target)
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".convert-", dir=cache_dir))
    try:
        try:
            tokenizer = AutoTokenizer.from_pretrained(gguf_file.parent, gguf_file=gguf_file.name)
            model = AutoModelForCausalLM.from_pretrained(
                gguf_file.parent,
                gguf_file=gguf_file.name,
                dtype=torch.float32,
                quantization_config=GgufConfig(dequantize=True),
            )
        except Exception as error:  # the GGUF reader raises many kinds
            raise ModelLoadError(f"could not read GGUF file {gguf_file}: {error}") from error
        # transformers 5 keeps the GGUF quantizer and config on the model; saved as they are,
        # the directory would be read as GGUF again.
        setattr(model, "hf_quantizer", None)  # noqa: B010 (typed as a quantizer, never None)
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(work)
        tokenizer.save_pretrained(work)
        (work / _MARKER).write_text(
            json.dumps({"sha256": sha256, "source": str(gguf_file)}, indent=2)
        )
        if target.exists():  # a half-written earlier attempt (no marker)
            shutil.rmtree(target)
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def packaged_directory(model: PackagedModel, cache_dir: Path) -> tuple[Path, str]:
    """(safetensors directory, sha256) of an installed packaged model: its parts are
    checked and joined, the GGUF converted once (see :func:`convert_gguf`)."""
    if is_converted(cache_dir, model.sha256):
        # The conversion was made from a file whose sha256 matched the registry's.
        return converted_directory(cache_dir, model.sha256), model.sha256
    parts = verify_packaged(model)
    if len(parts) == 1:
        return convert_gguf(parts[0], cache_dir=cache_dir, sha256=model.sha256), model.sha256
    cache_dir.mkdir(parents=True, exist_ok=True)
    joined = cache_dir / f".{model.name}.gguf"
    try:
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 4 * 1024 * 1024)
        if file_sha256([joined]) != model.sha256:
            raise ChecksumMismatchError(
                f"{model.name}: the joined file changed while being written"
            )
        return convert_gguf(joined, cache_dir=cache_dir, sha256=model.sha256), model.sha256
    finally:
        joined.unlink(missing_ok=True)


def _directory_revision(path: Path) -> str:
    """A cheap identity for a local directory: its weight files' names, sizes and times."""
    digest = hashlib.sha256()
    for file in sorted(path.glob("*")):
        if file.is_file():
            stat = file.stat()
            digest.update(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def _from_directory(
    directory: Path, dtype: torch.dtype
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not (directory / "config.json").is_file():
        raise ModelLoadError(
            f"{directory} has no config.json; is it a Hugging Face model directory?"
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(directory)
        model = AutoModelForCausalLM.from_pretrained(directory, dtype=dtype, use_safetensors=True)
    except Exception as error:  # missing safetensors, unknown architecture, corrupt file
        raise ModelLoadError(f"could not load the model in {directory}: {error}") from error
    return model, tokenizer


def _looks_like_hub_id(text: str) -> bool:
    parts = text.split("/")
    return len(parts) == 2 and all(parts) and not text.startswith((".", "~"))


def _load_from_hub(
    hub_id: str,
    cache_dir: Path,
    device: torch.device,
    dtype: torch.dtype,
    quantize: Quantization | None,
) -> LoadedModel:
    import huggingface_hub
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        # One quick probe: transformers retries an unreachable hub for most of a minute.
        huggingface_hub.model_info(hub_id, timeout=10)
        tokenizer = AutoTokenizer.from_pretrained(hub_id, cache_dir=cache_dir / "hub")
        model = AutoModelForCausalLM.from_pretrained(
            hub_id, cache_dir=cache_dir / "hub", dtype=dtype, use_safetensors=True
        )
    except Exception as error:  # offline, unknown repo, no safetensors
        raise ModelLoadError(
            f"could not load {hub_id!r} from the Hugging Face hub ({type(error).__name__}: "
            f"{error}). Without a reachable hub, use a packaged model (`kefu model list`), a "
            "local Hugging Face directory or a .gguf file."
        ) from error
    return _prepare(hub_id, hub_id, model, tokenizer, device, dtype, quantize, source=hub_id)


def _prepare(
    name: str,
    revision: str,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    device: torch.device,
    dtype: torch.dtype,
    quantize: Quantization | None,
    *,
    source: str,
) -> LoadedModel:
    if not getattr(tokenizer, "chat_template", None):
        logger.warning("%s has no chat template; using plain 'Role: text' lines", name)
        tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    torch.nn.Module.to(model, device=device, dtype=dtype)
    model.eval()
    if quantize == "int8":
        model = _quantize_int8(model)
    return LoadedModel(name, revision, model, tokenizer, device, dtype, quantize, source)


def _quantize_int8(model: PreTrainedModel) -> PreTrainedModel:
    """Dynamic int8 quantization of every Linear layer (weights int8, activations float32)."""
    from torch.ao.quantization import quantize_dynamic

    quantized: Any = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return quantized  # type: ignore[no-any-return]
