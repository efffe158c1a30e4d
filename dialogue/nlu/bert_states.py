"""The forward pass of a BERT encoder as a few tensor functions, for serving.

Hugging Face's ``BertModel.forward`` spends more time in Python than in arithmetic on a
short message (attention-mask building, kwargs plumbing, output objects, a module call per
step): on one CPU thread, about 2.8 ms of a 5 ms int8 MiniLM pass. :func:`bert_states` walks
the same (possibly int8-quantized) submodules with plain tensor calls and returns the same
last hidden states, so serving pays for the matrix products only. Fine-tuning keeps using
the Hugging Face forward (dropout, gradients); models that are not a plain BERT encoder
(other position embeddings or activations, decoders) keep it too, see :func:`supports`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.nn import functional

__all__ = ["bert_states", "last_hidden_state", "supports"]


def supports(model: Any) -> bool:
    """True when :func:`bert_states` computes exactly what ``model`` computes: an encoder-only
    BERT with absolute positions and exact GELU."""
    config = getattr(model, "config", None)
    return (
        config is not None
        and getattr(config, "model_type", None) == "bert"
        and getattr(config, "position_embedding_type", "absolute") == "absolute"
        and getattr(config, "hidden_act", None) == "gelu"
        and not getattr(config, "is_decoder", False)
        and not getattr(config, "add_cross_attention", False)
    )


def last_hidden_state(
    model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor
) -> torch.Tensor:
    """(b, t, d) states of ``model`` in eval mode: :func:`bert_states` where it
    :func:`supports` the model, else Hugging Face's forward."""
    if supports(model):
        return bert_states(model, input_ids, attention_mask)
    return model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state  # type: ignore[no-any-return]


def bert_states(
    model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None
) -> torch.Tensor:
    """Last hidden states (b, t, d) of a BERT encoder in eval mode for input_ids (b, t);
    attention_mask (b, t) is 1 for real pieces (None: all real). No dropout, no gradients
    needed; call under ``torch.inference_mode()``."""
    config = model.config
    batch, time = input_ids.shape
    heads = int(config.num_attention_heads)
    embeddings = model.embeddings
    # Token type 0 for every piece, positions 0..t-1: what BertEmbeddings uses by default.
    hidden = embeddings.word_embeddings(input_ids) + embeddings.token_type_embeddings.weight[0]
    hidden = hidden + embeddings.position_embeddings.weight[:time]  # (b, t, d)
    hidden = _norm(hidden, embeddings.LayerNorm)
    mask = None  # a full mask changes nothing; None lets SDPA skip it
    if attention_mask is not None and not bool(attention_mask.all()):
        mask = attention_mask.bool()[:, None, None, :]  # (b, 1, 1, t): True attends
    for layer in model.encoder.layer:
        attention = layer.attention
        query = _heads(attention.self.query(hidden), heads)  # (b, h, t, d/h)
        key = _heads(attention.self.key(hidden), heads)
        value = _heads(attention.self.value(hidden), heads)
        context = functional.scaled_dot_product_attention(
            query, key, value, attn_mask=mask, scale=attention.self.scaling
        )  # (b, h, t, d/h)
        context = context.transpose(1, 2).reshape(batch, time, -1)  # (b, t, d)
        hidden = _norm(attention.output.dense(context) + hidden, attention.output.LayerNorm)
        inner = functional.gelu(layer.intermediate.dense(hidden))  # (b, t, d_ff)
        hidden = _norm(layer.output.dense(inner) + hidden, layer.output.LayerNorm)
    return hidden


def _heads(states: torch.Tensor, heads: int) -> torch.Tensor:
    """(b, t, d) -> (b, heads, t, d / heads)."""
    batch, time, _ = states.shape
    return states.view(batch, time, heads, -1).transpose(1, 2)


def _norm(states: torch.Tensor, norm: Any) -> torch.Tensor:
    return functional.layer_norm(states, norm.normalized_shape, norm.weight, norm.bias, norm.eps)
