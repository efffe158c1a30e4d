"""What the entity tagger's gazetteer costs per message, side by side with a tagger without it.

Two n-gram entity taggers are trained on SNIPS train_full, the same settings as
``bench.nlu``'s ``kefu`` system except ``gazetteer`` (and ``--epochs``: latency does not
depend on how well they are trained). Then, message by message on SNIPS validate (the
variants take turns, so the machine's noise hits them alike):

- the gazetteer's flags alone (:meth:`Gazetteer.features`);
- the tagger with and without the gazetteer (``EntityTagger.tag`` under the gold intent).

Accuracy with and without it: ``python -m bench.nlu --tasks snips --systems
kefu,kefu_no_gazetteer``.

    python -m bench.gazetteer [--data-dir ../shared/datasets] [--epochs 1] [--limit N]

Prints a table, then one JSON line of figures (the last line).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from bench.nlu import DEFAULT_DATA, snips_folder
from bench.nlu_serving import _interleaved, _summary, print_summaries

if TYPE_CHECKING:
    from dialogue.nlu.entity_tagger import EntityTagger


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--epochs", type=int, default=1, help="tagger epochs (default 1)")
    parser.add_argument("--limit", type=int, default=0, help="messages (0: all 700)")
    args = parser.parse_args(argv)
    from dialogue.nlu import EntityTaggerConfig
    from dialogue.nlu.entity_tagger import train_entity_tagger
    from dialogue.nlu.tokens import tokenize_with_offsets
    from dialogue.training_data.benchmarks import read_snips

    folder = snips_folder(args.data_dir)
    if folder is None:
        return 2
    torch.set_num_threads(1)
    train = read_snips(folder, split="train_full").intent_examples
    test = read_snips(folder, split="validate").intent_examples[: args.limit or None]
    config = EntityTaggerConfig(epochs=args.epochs, embedding_dim=64, hidden_dim=128)
    results: dict[str, Any] = {"messages": len(test)}
    taggers: dict[str, EntityTagger] = {}
    for name, on in (("with_gazetteer", True), ("without", False)):
        started = time.perf_counter()
        tagger = train_entity_tagger(train, replace(config, gazetteer=on))
        assert tagger is not None
        taggers[name] = tagger
        results[f"train_s_{name}"] = round(time.perf_counter() - started, 1)
    gazetteer = taggers["with_gazetteer"].gazetteer
    assert gazetteer is not None
    results["gazetteer"] = {
        "values": len(gazetteer.entries),
        "types": len(gazetteer.types),
        "longest_tokens": gazetteer.longest,
        "json_kb": round(len(json.dumps(gazetteer.to_json(), ensure_ascii=False)) / 1024, 1),
    }
    intents = {e.text: e.intent for e in test}
    texts = list(intents)
    for text in texts[:20]:  # warm-up: first calls allocate
        for tagger in taggers.values():
            tagger.tag(text, intents[text])

    def flags(text: str) -> torch.Tensor:
        return gazetteer.features([t.text for t in tokenize_with_offsets(text)])

    def tagging(tagger: EntityTagger) -> Callable[[str], Any]:
        return lambda text: tagger.tag(text, intents[text])

    variants = {"flags_alone": flags, **{f"tag_{n}": tagging(t) for n, t in taggers.items()}}
    run = _interleaved(variants, texts)
    figures = {name: _summary(times) for name, times in run["times"].items()}
    results.update(figures)
    ratio = figures["tag_with_gazetteer"]["p50_ms"] / figures["tag_without"]["p50_ms"]
    results["tag_p50_ratio"] = round(ratio, 3)

    print_summaries([("variant", 22)], [((name,), f) for name, f in figures.items()], digits=3)
    g = results["gazetteer"]
    print(
        f"tagger with gazetteer / without, p50: x{ratio:.2f}; gazetteer: {g['values']} values "
        f"of {g['types']} types, up to {g['longest_tokens']} tokens, {g['json_kb']} KB as JSON; "
        f"training {results['train_s_with_gazetteer']} s / {results['train_s_without']} s "
        f"({args.epochs} epoch(s))"
    )
    print(json.dumps({"gazetteer": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
