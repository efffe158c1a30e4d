"""A tiny randomly initialised chat model built in-process, for tests.

It loads in milliseconds and runs the real code paths (chat template, byte-level tokenizer
that splits Chinese characters over several tokens, KV cache, batching) but its text is
noise. ``load_chat_model("tiny-random")`` serves it; :func:`save_tiny_model` writes it as a
Hugging Face directory so the directory loader can be tested too.
"""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedModel, PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

_CORPUS = [
    "Hello! How can I help you today? Thanks for contacting our store.",
    "The Aurora kettle costs 39 dollars and comes with a 24-month warranty.",
    "Orders ship within 2 business days; returns are accepted for 30 days.",
    "Your order has been shipped. You can track it with the tracking number.",
    "I am sorry to hear that. Let me connect you with a human agent.",
    "您好！请问有什么可以帮您？感谢您联系我们的商店。",
    "这款水壶的价格是39美元，保修期为24个月。",
    "订单将在两个工作日内发货，30天内可以退货。",
    "The quick brown fox jumps over the lazy dog. 0123456789 ,.;:!?'\"()[]{}-_/",
]


def build_tiny_tokenizer(vocab_size: int = 512) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer with a ChatML template, trained on a few sentences."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_CORPUS * 4, trainer=trainer)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        bos_token=None,
    )
    wrapped.chat_template = CHATML_TEMPLATE
    return wrapped


def build_tiny_model(
    *, seed: int = 0, dtype: torch.dtype = torch.float32, max_positions: int = 16384
) -> tuple[PreTrainedModel, PreTrainedTokenizerFast]:
    """A 2-layer Qwen2 model with random weights (fixed by ``seed``) and its tokenizer."""
    tokenizer = build_tiny_tokenizer()
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        tie_word_embeddings=True,
        # Spread-out logits: near-ties would make greedy decoding fragile in equivalence tests.
        initializer_range=0.2,
        eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    generator_state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        model = Qwen2ForCausalLM(config)
    finally:
        torch.random.set_rng_state(generator_state)
    model.generation_config.eos_token_id = config.eos_token_id
    model.generation_config.pad_token_id = config.pad_token_id
    torch.nn.Module.to(model, dtype=dtype)
    return model.eval(), tokenizer


def save_tiny_model(directory: Path, *, seed: int = 0) -> Path:
    """Write a tiny random model as a Hugging Face directory (safetensors) and return it."""
    model, tokenizer = build_tiny_model(seed=seed)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
