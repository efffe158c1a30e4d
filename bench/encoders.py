"""What a larger pretrained encoder would cost kefu's NLU on this CPU.

kefu's NLU can fine-tune a transformer (``TransformerEncoder`` in config.yml;
all-MiniLM-L6-v2, 22M parameters, by default). The SNIPS goals of the NLU issue were
published with BERT-base (110M). This bench asks whether any model installable here
would fit kefu's budgets as that encoder: a p99 of 15 ms a message when serving, and ten
minutes to train on SNIPS train_full (fine-tuning runs several forward and backward passes
over it; one forward pass alone is measured here).

Models: MiniLM-L6 (kefu's encoder) and every packaged model of ``model_runtime`` that is
installed (``kefu model pull NAME``; converted once to safetensors in ``--cache-dir``),
plus any local Hugging Face folders given with ``--model``. Each is loaded as a bare
encoder (``AutoModel``: the last hidden states, no language-model head), in float32.

- **Latency:** one message at a time, SNIPS validate, the models taking turns on each
  message so the machine's noise hits them alike.
- **Throughput:** batches of 64 SNIPS train_full messages; ``pass_s`` is how long one
  forward pass over all of train_full would take at that rate.

    python -m bench.encoders [--data-dir ../shared/datasets] [--messages 100] [--batch-messages 256]
                             [--model DIR ...] [--cache-dir .kefu/models]

Prints a table, then one JSON line of figures (the last line).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from bench.nlu import DEFAULT_DATA, snips_folder
from bench.nlu_serving import _interleaved, _summary

SERVING_P99_MS = 15.0
TRAINING_BUDGET_S = 600.0
_BATCH = 64


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--messages", type=int, default=100, help="latency messages")
    parser.add_argument("--batch-messages", type=int, default=256, help="throughput messages")
    parser.add_argument("--model", type=Path, action="append", default=[], help="HF folder")
    parser.add_argument("--cache-dir", type=Path, default=Path(".kefu") / "models")
    args = parser.parse_args(argv)
    from dialogue.training_data.benchmarks import read_snips

    folder = snips_folder(args.data_dir)
    if folder is None:
        return 2
    missing = [str(path) for path in args.model if not (path / "config.json").is_file()]
    if missing:
        print(f"not a Hugging Face model folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    torch.set_num_threads(2)
    train = [e.text for e in read_snips(folder, split="train_full").intent_examples]
    validate = [e.text for e in read_snips(folder, split="validate").intent_examples]
    # Every k-th message, so that all seven intents are in the sample.
    texts = validate[:: max(1, len(validate) // args.messages)][: args.messages]
    batch_texts = train[:: max(1, len(train) // args.batch_messages)][: args.batch_messages]

    encoders = {name: _load(path) for name, path in _candidates(args).items()}
    results: dict[str, Any] = {"messages": len(texts), "train_full_messages": len(train)}
    for name, (tokenizer, model) in encoders.items():
        results[name] = {
            "params_m": round(sum(p.numel() for p in model.parameters()) / 1e6, 1),
            "sentences_per_s": round(_throughput(tokenizer, model, batch_texts), 1),
        }
        results[name]["pass_s"] = round(len(train) / results[name]["sentences_per_s"], 1)

    def forward(tokenizer: Any, model: Any) -> Any:
        def run(text: str) -> Any:
            with torch.inference_mode():
                return model(**tokenizer([text], return_tensors="pt")).last_hidden_state

        return run

    variants = {name: forward(*loaded) for name, loaded in encoders.items()}
    _interleaved(variants, texts[:5])  # warm-up: first calls allocate
    times = _interleaved(variants, texts)["times"]
    base = "all-MiniLM-L6-v2"
    for name, measured in times.items():
        results[name].update(_summary(measured))
    for name in encoders:
        results[name]["p50_vs_minilm"] = round(results[name]["p50_ms"] / results[base]["p50_ms"], 2)
    _print(results, list(encoders))
    print(json.dumps({"encoders": results}))
    return 0


def _candidates(args: argparse.Namespace) -> dict[str, Path]:
    """Name -> local Hugging Face folder of every model to measure."""
    from dialogue.nlu.embeddings import packaged_minilm
    from model_runtime.loading import packaged_directory
    from model_runtime.registry import registry

    found = {"all-MiniLM-L6-v2": packaged_minilm()}
    for name in registry:
        model = registry[name]
        if model.installed:
            found[name] = packaged_directory(model, args.cache_dir)[0]
        else:
            print(f"{name}: not installed (kefu model pull {name}); left out", file=sys.stderr)
    found.update({path.name: path for path in args.model})
    return found


def _load(path: Path) -> tuple[Any, Any]:
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()  # a causal LM's unused head weights are expected
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    if tokenizer.pad_token is None:  # decoder-only models ship none
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModel.from_pretrained(
        path, local_files_only=True, use_safetensors=True, dtype=torch.float32
    )
    return tokenizer, model.eval()


def _throughput(tokenizer: Any, model: Any, texts: Sequence[str]) -> float:
    """Sentences a second, forward only, in batches of 64."""
    started = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(texts), _BATCH):
            model(**tokenizer(list(texts[i : i + _BATCH]), return_tensors="pt", padding=True))
    return len(texts) / (time.perf_counter() - started)


def _print(results: dict[str, Any], names: Sequence[str]) -> None:
    print(
        f"{'encoder':<30} {'params M':>8} {'p50 ms':>8} {'p99 ms':>8} {'x MiniLM':>8} "
        f"{'sent/s':>8} {'pass s':>8}"
    )
    print("-" * 86)
    for name in names:
        r = results[name]
        print(
            f"{name:<30} {r['params_m']:>8.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
            f"{r['p50_vs_minilm']:>8.2f} {r['sentences_per_s']:>8.1f} {r['pass_s']:>8.1f}"
        )
    print(
        f"budgets: serving p99 <= {SERVING_P99_MS:.0f} ms a message; training <= "
        f"{TRAINING_BUDGET_S:.0f} s on SNIPS train_full ({results['train_full_messages']} "
        "messages), which fine-tuning spends on several forward and backward passes"
    )


if __name__ == "__main__":
    raise SystemExit(main())
