"""A pretrained transformer fine-tuned on the project's intents and entity tags.

Optional (``TransformerEncoder`` in config.yml; all-MiniLM-L6-v2 by default). One
fine-tuning run teaches the encoder both tasks at once: intent cross-entropy on the
mean-pooled states and BIO tag cross-entropy on the first word piece of every kefu token.
Afterwards the encoder is frozen and serves the cascade twice per message, from one
forward pass: its intent scores are pooled with the n-gram classifier's, and its token
states are an extra input of the entity tagger (the CRF still decides the tags, conditioned
on the intent).

Weights are read and written as safetensors only; the packaged model's hash is checked
before it is loaded (see :mod:`dialogue.nlu.embeddings`).
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from dialogue.exceptions import ModelError
from dialogue.nlu.bert_states import last_hidden_state
from dialogue.nlu.config import EncoderConfig
from dialogue.nlu.embeddings import MINILM_SHA256, load_transformer, mean_pool, packaged_minilm
from dialogue.nlu.tokens import tokenize_with_offsets

__all__ = ["Encoding", "TunedEncoder", "fine_tune_encoder", "uses_bfloat16"]

Progress = Callable[[str, int, int], None]
_HEAD = "intent_head.safetensors"
_CACHE = 8  # recent messages: parse() asks for the intent, then the entities


@dataclass(frozen=True)
class Encoding:
    """One message through the encoder: ``intent_logits`` (n_intents,) and
    ``token_states`` (n_tokens, dim), one row per token of ``tokenize_with_offsets``."""

    intent_logits: torch.Tensor
    token_states: torch.Tensor


class TunedEncoder:
    """A fine-tuned transformer with its intent head; :meth:`encode` messages."""

    def __init__(
        self,
        tokenizer: Any,
        model: Any,
        head: nn.Linear,
        intents: Sequence[str],
        max_length: int,
        *,
        quantize: bool = False,
    ) -> None:
        self.tokenizer = tokenizer
        self.model = model  # float weights: what is saved
        self.head = head
        self.intents = tuple(intents)
        self.max_length = max_length
        self.model.eval()
        self.head.eval()
        # What encodes messages: with ``quantize``, int8 Linear layers (about twice as fast
        # on a CPU); the tagger is trained on the states of this same module.
        self._serving: Any = _quantized(model) if quantize else model
        self._recent: OrderedDict[str, Encoding] = OrderedDict()

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, text: str) -> Encoding:
        """The message's encoding; the last few messages are remembered."""
        cached = self._recent.get(text)
        if cached is None:
            (cached,) = self.encode_batch([text])
            self._recent[text] = cached
            if len(self._recent) > _CACHE:
                self._recent.popitem(last=False)
        return cached

    def encode_batch(self, texts: Sequence[str], batch_size: int = 64) -> list[Encoding]:
        """Encodings of ``texts`` (in order), ``batch_size`` messages per forward pass."""
        result: list[Encoding] = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                chunk = list(texts[start : start + batch_size])
                batch = _tokenize(self.tokenizer, chunk, self.max_length)
                hidden = last_hidden_state(
                    self._serving, batch["input_ids"], batch["attention_mask"]
                )  # (b, p, d)
                logits = self.head(mean_pool(hidden, batch["attention_mask"]))  # (b, intents)
                for row, text in enumerate(chunk):
                    align = _alignment(text, batch["offset_mapping"][row])  # (tokens, p)
                    result.append(Encoding(logits[row].clone(), align @ hidden[row]))
        return result

    def quantized(self) -> TunedEncoder:
        """The same fine-tuned encoder served with int8 Linear layers."""
        return TunedEncoder(
            self.tokenizer, self.model, self.head, self.intents, self.max_length, quantize=True
        )

    # --- persistence -------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write the fine-tuned transformer, its tokenizer and the intent head."""
        from safetensors.torch import save_file

        directory.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(directory, safe_serialization=True)
        self.tokenizer.save_pretrained(directory)
        tensors = {k: v.detach().contiguous() for k, v in self.head.state_dict().items()}
        save_file(tensors, str(directory / _HEAD))

    @classmethod
    def load(
        cls, directory: Path, intents: Sequence[str], max_length: int, *, quantize: bool = False
    ) -> TunedEncoder:
        """Read what :meth:`save` wrote (safetensors only, no hub access)."""
        from safetensors.torch import load_file

        tokenizer, model = _load_transformer(directory)
        head = nn.Linear(int(model.config.hidden_size), len(intents))
        try:
            head.load_state_dict(load_file(str(directory / _HEAD)))
        except (OSError, RuntimeError) as exc:
            raise ModelError(
                f"cannot read the encoder's intent head in {directory}: {exc}"
            ) from exc
        return cls(tokenizer, model, head, intents, max_length, quantize=quantize)


def _quantized(model: Any) -> Any:
    """A copy of ``model`` with dynamic int8 Linear layers (weights int8, activations float).

    Weights get one scale per output row: with one scale per matrix, SNIPS entity F1 of
    int8 serving fell 0.9 points below float32; per row, 0.1 (same speed)."""
    import copy
    import warnings

    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():  # torch marks quantized tensors as deprecated
        warnings.simplefilter("ignore", UserWarning)
        return quantize_dynamic(
            copy.deepcopy(model), {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
        )


def _load_transformer(directory: Path, expected_sha256: str | None = None) -> tuple[Any, Any]:
    tokenizer, model = load_transformer(directory, expected_sha256)
    if not getattr(tokenizer, "is_fast", False):
        raise ModelError(f"{directory}: a fast tokenizer (tokenizer.json) is needed for offsets")
    return tokenizer, model


def _tokenize(tokenizer: Any, texts: list[str], max_length: int) -> Any:
    return tokenizer(
        texts,
        padding=True,
        truncation=True,
        max_length=max_length,
        return_offsets_mapping=True,
        return_tensors="pt",
    )


def _pieces(text: str, offsets: torch.Tensor) -> list[list[int]]:
    """For each kefu token of ``text``, the word pieces (positions) that overlap it."""
    tokens = tokenize_with_offsets(text)
    spans = offsets.tolist()  # [[start, end], ...] per piece; (0, 0) for special tokens
    return [
        [p for p, (s, e) in enumerate(spans) if e > s and s < token.end and e > token.start]
        for token in tokens
    ]


def _alignment(text: str, offsets: torch.Tensor) -> torch.Tensor:
    """(n_tokens, n_pieces) averaging matrix: a token's state is the mean of its pieces
    (zero for a token the transformer cut off at ``max_length``)."""
    pieces = _pieces(text, offsets)
    matrix = torch.zeros(len(pieces), offsets.shape[0])
    for row, positions in enumerate(pieces):
        if positions:
            matrix[row, positions] = 1.0 / len(positions)
    return matrix


def _piece_targets(text: str, offsets: torch.Tensor, tags: Sequence[int], ignore: int) -> list[int]:
    """Tag ids per word piece: the first piece of each token gets the token's tag."""
    targets = [ignore] * offsets.shape[0]
    for positions, tag in zip(_pieces(text, offsets), tags, strict=True):
        if positions and targets[positions[0]] == ignore:
            targets[positions[0]] = tag
    return targets


def fine_tune_encoder(
    texts: Sequence[str],
    intents: Sequence[str],
    tags: Sequence[Sequence[str]],
    config: EncoderConfig,
    *,
    progress: Progress | None = None,
) -> TunedEncoder:
    """Fine-tune the configured transformer on intents and (when ``tags`` has any entity)
    BIO tags, one list per text aligned with ``tokenize_with_offsets``. Deterministic for
    a given ``config.seed`` and torch thread count (the caller sets it)."""
    model_dir = Path(config.model_dir) if config.model_dir else packaged_minilm()
    pinned = MINILM_SHA256 if config.model_dir is None else None
    tokenizer, model = _load_transformer(model_dir, pinned)
    labels = tuple(sorted(set(intents)))
    tag_names = sorted({t for row in tags for t in row} - {"O"})
    tag_index = {t: i for i, t in enumerate(["O", *tag_names])}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        dim = int(model.config.hidden_size)
        head = nn.Linear(dim, len(labels))
        tag_head = nn.Linear(dim, len(tag_index)) if tag_names else None
        if config.freeze_embeddings:
            for parameter in model.embeddings.parameters():
                parameter.requires_grad_(False)
        heads: list[nn.Parameter] = [*head.parameters()]
        if tag_head is not None:
            heads.extend(tag_head.parameters())
        groups: list[dict[str, Any]] = [
            {"params": [p for p in model.parameters() if p.requires_grad]},
            {"params": heads, "lr": config.head_learning_rate},
        ]
        optimizer = torch.optim.AdamW(
            groups,
            lr=config.learning_rate,
            weight_decay=0.01,
        )
        batches = _length_batches(tokenizer, texts, config)
        total = sum(len(epoch) for epoch in batches)
        warmup = max(1, int(0.06 * total))
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: min(1.0, step / warmup) * max(0.0, (total - step) / total)
        )
        targets = torch.tensor([labels.index(i) for i in intents])
        bf16 = uses_bfloat16(config.precision)
        model.train()
        step = 0
        for epoch_batches in batches:
            for rows in epoch_batches:
                chunk = [texts[i] for i in rows]
                batch = _tokenize(tokenizer, chunk, config.max_length)
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    hidden = model(
                        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
                    ).last_hidden_state.float()
                pooled = mean_pool(hidden, batch["attention_mask"])
                loss = nn.functional.cross_entropy(
                    head(pooled), targets[rows], label_smoothing=config.label_smoothing
                )
                if tag_head is not None:
                    piece_tags = torch.tensor(
                        [
                            _piece_targets(
                                texts[i],
                                batch["offset_mapping"][b],
                                [tag_index[t] for t in tags[i]],
                                -100,
                            )
                            for b, i in enumerate(rows)
                        ]
                    )
                    tag_loss = nn.functional.cross_entropy(
                        tag_head(hidden).flatten(0, 1), piece_tags.flatten(), ignore_index=-100
                    )
                    if not torch.isnan(tag_loss):  # a batch without tokens has no tag loss
                        loss = loss + config.tag_loss_weight * tag_loss
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                step += 1
                if progress is not None:  # per batch: an epoch can take minutes
                    progress("transformer_encoder", step, total)
        model.eval()
    return TunedEncoder(tokenizer, model, head, labels, config.max_length, quantize=config.quantize)


def uses_bfloat16(precision: str) -> bool:
    """Whether fine-tuning with ``precision`` runs in bfloat16: asked for, or "auto" and
    oneDNN reports bfloat16 kernels for this CPU (AVX-512; native where the CPU has
    avx512_bf16 or AMX, about 1.45x faster than float32 there)."""
    if precision != "auto":
        return precision == "bfloat16"
    check = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
    return bool(check()) if check is not None else False


def _length_batches(
    tokenizer: Any, texts: Sequence[str], config: EncoderConfig
) -> list[list[list[int]]]:
    """Per epoch, batches of similar length (less padding), in shuffled order."""
    lengths = [len(ids) for ids in tokenizer(list(texts), truncation=True)["input_ids"]]
    rng = random.Random(config.seed)
    epochs = []
    window = config.batch_size * 50
    for _ in range(config.epochs):
        order = list(range(len(texts)))
        rng.shuffle(order)
        batches: list[list[int]] = []
        for start in range(0, len(order), window):
            chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
            batches.extend(
                chunk[i : i + config.batch_size] for i in range(0, len(chunk), config.batch_size)
            )
        rng.shuffle(batches)
        epochs.append(batches)
    return epochs
