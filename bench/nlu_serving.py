"""Where an NLU parse with the fine-tuned transformer spends its time, old way against new.

Side by side in one run, message by message (the variants take turns on each SNIPS
validate message, so the machine's noise hits them alike):

- the transformer pass: Hugging Face's ``BertModel.forward`` against kefu's
  :func:`dialogue.nlu.bert_states.bert_states` (the same submodules without the per-call
  Python overhead), float32 and int8 weights; the states must be equal;
- the CRF of the entity tagger: the batched torch Viterbi + forward-backward
  (:meth:`CRF.decode`, :meth:`CRF.marginals`) against the numpy
  :class:`SequenceDecoder` that serves one message; tags and confidences must be equal;
- the whole ``parse`` as served (float32 and int8 transformer): p50/p99.

The model is a kefu NLU model folder (``--model``, e.g. ``models/<fingerprint>/nlu``
written by ``kefu train`` with a ``TransformerEncoder`` pipeline), or, without it, one
trained here on SNIPS train_full with one transformer epoch (latency does not depend on
how well it is trained; about three minutes on two cores).

    python -m bench.nlu_serving [--model DIR] [--data-dir ../shared/datasets] [--limit N]

Prints tables, then one JSON line of figures (the last line).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from bench.nlu import DEFAULT_DATA, _percentile, snips_folder

Variant = Callable[[str], Any]


def _trained(data_dir: Path) -> Any:
    from dialogue.nlu import EntityTaggerConfig, IntentClassifierConfig, NLUConfig, train_nlu
    from dialogue.nlu.config import EncoderConfig
    from dialogue.training_data.benchmarks import read_snips

    config = NLUConfig(
        intent=IntentClassifierConfig(epochs=2),
        entities=EntityTaggerConfig(epochs=1, embedding_dim=64, hidden_dim=128),
        encoder=EncoderConfig(epochs=1),
        training_threads=2,
    )
    return train_nlu(read_snips(data_dir / "snips", split="train_full"), config)


def _interleaved(variants: dict[str, Variant], texts: Sequence[str]) -> dict[str, Any]:
    """Run every variant on each text in turn; milliseconds and outputs per variant."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    outputs: dict[str, list[Any]] = {name: [] for name in variants}
    for text in texts:
        for name, variant in variants.items():
            start = time.perf_counter()
            outputs[name].append(variant(text))
            times[name].append((time.perf_counter() - start) * 1000)
    return {"times": times, "outputs": outputs}


def _summary(times: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(_percentile(times, 50), 3),
        "p99_ms": round(_percentile(times, 99), 3),
        "mean_ms": round(statistics.fmean(times), 3),
    }


def print_summaries(
    columns: Sequence[tuple[str, int]],
    rows: Sequence[tuple[Sequence[str], Mapping[str, float]]],
    digits: int = 2,
) -> None:
    """A table of :func:`_summary` figures: label columns (heading, width), then p50, p99
    and mean in milliseconds."""
    head = " ".join(f"{heading:<{width}}" for heading, width in columns)
    print(f"{head} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    print("-" * (len(head) + 27))
    for labels, f in rows:
        cells = " ".join(
            f"{label:<{width}}" for label, (_, width) in zip(labels, columns, strict=True)
        )
        figures = (f"{f[key]:>8.{digits}f}" for key in ("p50_ms", "p99_ms", "mean_ms"))
        print(cells, *figures)


def forward_variants(tuned: Any, int8: bool) -> dict[str, Variant]:
    from dialogue.nlu.bert_states import bert_states
    from dialogue.nlu.tuned_encoder import _quantized, _tokenize

    model = _quantized(tuned.model) if int8 else tuned.model

    def hugging_face(text: str) -> torch.Tensor:
        batch = _tokenize(tuned.tokenizer, [text], tuned.max_length)
        ids, mask = batch["input_ids"], batch["attention_mask"]
        return model(input_ids=ids, attention_mask=mask).last_hidden_state  # type: ignore[no-any-return]

    def lean(text: str) -> torch.Tensor:
        batch = _tokenize(tuned.tokenizer, [text], tuned.max_length)
        return bert_states(model, batch["input_ids"], batch["attention_mask"])

    return {"hugging_face": hugging_face, "bert_states": lean}


def crf_variants(pipeline: Any) -> tuple[dict[str, Variant], Callable[[str], torch.Tensor]]:
    tagger = pipeline.tagger
    crf = tagger.net.crf
    emissions: dict[str, torch.Tensor] = {}

    def prepare(text: str) -> torch.Tensor:
        """The tagger's scores (1, t, tags) for text under its predicted intent."""
        from dialogue.nlu.tokens import tokenize_with_offsets

        tuned = pipeline.classifier.tuned
        intent = pipeline.classifier.rank(text)[0][0]
        context = tuned.encode(text).token_states if tuned is not None else None
        scores = torch.from_numpy(tagger.scores(tokenize_with_offsets(text), intent, context))
        emissions[text] = scores.float().unsqueeze(0)  # what the torch CRF computed on
        return emissions[text]

    def batched_torch(text: str) -> tuple[list[int], list[float]]:
        scores = emissions[text]
        mask = torch.ones(scores.shape[:2], dtype=torch.bool)
        with torch.inference_mode():
            (path,) = crf.decode(scores, mask)
            marginals = crf.marginals(scores, mask)[0]
        return path, [float(marginals[t, i]) for t, i in enumerate(path)]

    def numpy_sequence(text: str) -> tuple[list[int], list[float]]:
        scores = emissions[text][0].double().numpy()
        decoder = crf.sequence_decoder()  # per message, as EntityTagger.tag does
        path = decoder.viterbi(scores)
        marginals = decoder.marginals(scores)
        return path, [float(marginals[t, i]) for t, i in enumerate(path)]

    return {"torch_batched": batched_torch, "numpy_sequence": numpy_sequence}, prepare


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, help="a kefu NLU model folder (nlu.json inside)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="messages (0: all 700)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", UserWarning)  # torch marks quantized tensors deprecated
    from dialogue.nlu import NLUPipeline
    from dialogue.training_data.benchmarks import read_snips

    if snips_folder(args.data_dir) is None:
        return 2
    torch.set_num_threads(1)
    started = time.perf_counter()
    pipeline = NLUPipeline.load(args.model) if args.model else _trained(args.data_dir)
    prepare_s = time.perf_counter() - started
    tuned = pipeline.classifier.tuned
    if tuned is None or pipeline.tagger is None:
        print("the model has no TransformerEncoder or no entity tagger", file=sys.stderr)
        return 2
    examples = read_snips(args.data_dir / "snips", split="validate").intent_examples
    texts = [e.text for e in examples][: args.limit or None]
    for text in texts[:20]:  # warm-up: first calls allocate
        pipeline.parse(text)

    results: dict[str, Any] = {"messages": len(texts), "model_s": round(prepare_s, 1)}
    rows: list[tuple[str, str, dict[str, float]]] = []
    with torch.inference_mode():
        for weights in ("float32", "int8"):
            run = _interleaved(forward_variants(tuned, weights == "int8"), texts)
            states = run["outputs"]
            equal = all(
                torch.allclose(a, b, atol=1e-5)
                for a, b in zip(states["hugging_face"], states["bert_states"], strict=True)
            )
            figures = {name: _summary(t) for name, t in run["times"].items()}
            ratio = figures["bert_states"]["p50_ms"] / figures["hugging_face"]["p50_ms"]
            results[f"forward_{weights}"] = {**figures, "equal": equal, "p50_ratio": ratio}
            rows += [(f"transformer pass, {weights}", n, f) for n, f in figures.items()]

    variants, prepare = crf_variants(pipeline)
    for text in texts:
        prepare(text)
    run = _interleaved(variants, texts)
    decoded = run["outputs"]
    equal = all(
        # torch computes in float32, numpy in float64: confidences agree to about 1e-4.
        a[0] == b[0] and all(abs(x - y) < 5e-4 for x, y in zip(a[1], b[1], strict=True))
        for a, b in zip(decoded["torch_batched"], decoded["numpy_sequence"], strict=True)
    )
    figures = {name: _summary(t) for name, t in run["times"].items()}
    ratio = figures["numpy_sequence"]["p50_ms"] / figures["torch_batched"]["p50_ms"]
    results["crf"] = {**figures, "equal": equal, "p50_ratio": ratio}
    rows += [("CRF decode + marginals", n, f) for n, f in figures.items()]

    int8_pipeline = copy.copy(pipeline)
    int8_pipeline.classifier = replace(pipeline.classifier, tuned=tuned.quantized())
    served = {"float32": pipeline.parse, "int8": int8_pipeline.parse}
    run = _interleaved(served, texts)
    figures = {name: _summary(t) for name, t in run["times"].items()}
    results["parse"] = figures
    rows += [("whole parse, as served", n, f) for n, f in figures.items()]

    print_summaries(
        [("stage", 26), ("variant", 16)], [((stage, name), f) for stage, name, f in rows]
    )
    for key in ("forward_float32", "forward_int8", "crf"):
        print(
            f"{key}: new/old p50 x{results[key]['p50_ratio']:.2f}, "
            f"same output: {results[key]['equal']}"
        )
    print(json.dumps({"nlu_serving": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
