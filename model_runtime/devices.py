"""Choosing where the model runs and in which precision.

``auto`` picks CUDA when present, else the CPU; bfloat16 on GPUs that support it (else
float16) and on CPUs with native bf16 instructions (avx512_bf16 or AMX), else float32.
The choice functions are pure; :func:`detect_hardware` is the one that looks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import torch

from model_runtime.exceptions import ModelLoadError

_DTYPES = {
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
    "float16": torch.float16,
    "fp16": torch.float16,
    "half": torch.float16,
    "float32": torch.float32,
    "fp32": torch.float32,
    "float": torch.float32,
}
_CPU_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


@dataclass(frozen=True, slots=True)
class Hardware:
    """What the machine offers; build it with :func:`detect_hardware`."""

    cuda_available: bool
    cuda_bf16: bool
    cpu_flags: frozenset[str]


def detect_hardware() -> Hardware:
    cuda = torch.cuda.is_available()
    return Hardware(
        cuda_available=cuda,
        cuda_bf16=bool(cuda and torch.cuda.is_bf16_supported()),
        cpu_flags=_read_cpu_flags(),
    )


def _read_cpu_flags() -> frozenset[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:  # not Linux: no native bf16 assumed
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def prime_cpu_threads() -> None:
    """Run one parallel CPU op in this thread; call it from the main thread before serving.

    Measured with torch 2.13's CPU build (libgomp) on 2 cores: when the main thread has never
    entered a parallel region, the decoding loop in its worker thread ran 5-20x slower than
    ``model.generate`` on the main thread; one small matmul on the main thread first fixes it.
    """
    if threading.current_thread() is threading.main_thread():
        x = torch.ones((256, 256))
        _ = x @ x


def choose_device(requested: str, hardware: Hardware) -> torch.device:
    """``auto``, ``cpu``, ``cuda`` or ``cuda:N``; a GPU asked for but absent is an error."""
    if requested == "auto":
        return torch.device("cuda" if hardware.cuda_available else "cpu")
    try:
        device = torch.device(requested)
    except RuntimeError as error:
        raise ModelLoadError(
            f"unknown device {requested!r}; use auto, cpu, cuda or cuda:N"
        ) from error
    if device.type == "cuda" and not hardware.cuda_available:
        raise ModelLoadError(f"device {requested!r} asked for but no CUDA GPU is visible; use cpu")
    return device


def choose_dtype(requested: str, device: torch.device, hardware: Hardware) -> torch.dtype:
    """``auto`` or a dtype name (bfloat16, float16, float32)."""
    if requested != "auto":
        try:
            return _DTYPES[requested.removeprefix("torch.")]
        except KeyError:
            raise ModelLoadError(
                f"unknown dtype {requested!r}; use auto, bfloat16, float16 or float32"
            ) from None
    if device.type == "cuda":
        return torch.bfloat16 if hardware.cuda_bf16 else torch.float16
    if hardware.cpu_flags & _CPU_BF16_FLAGS:
        return torch.bfloat16
    return torch.float32
