"""NLU benchmarks: BANKING77 (train -> test) and SNIPS (train_full -> validate).

kefu's NLU and a TF-IDF + logistic-regression baseline (scikit-learn), side by side in
the same run. ``kefu`` is the default NLU (character and word n-grams);
``kefu_no_gazetteer`` is ``kefu`` with the entity tagger's gazetteer switched off
(``gazetteer: false``); ``kefu_minilm``
adds the optional all-MiniLM-L6-v2 sentence embeddings (``SentenceEmbeddings`` in
config.yml); ``kefu_tuned`` fine-tunes all-MiniLM-L6-v2 on the intents and entity tags
(``TransformerEncoder``) and pools it with the n-gram classifier (10 n-gram epochs instead
of 30, two training threads); ``kefu_tuned_int8`` is the same trained model served with
int8 Linear layers in the transformer (training time: that of ``kefu_tuned``);
``kefu_tuned_bf16`` fine-tunes in bfloat16 mixed precision (``precision: bfloat16``), the
rest as ``kefu_tuned``; ``kefu_tuned_quantized`` is ``kefu_tuned`` with ``quantize: true``
(served with int8 Linear layers, and the entity tagger learns from those int8 states).
Figures: accuracy, macro-F1, entity micro-F1 (SNIPS, exact spans), training time,
per-utterance inference latency p50/p99 (one message at a time) and peak memory (RSS of
a separate process per system and task, so the figures do not mix).

    python -m bench.nlu [--data-dir ../shared/datasets] [--tasks banking77,snips]
                        [--systems kefu,kefu_no_gazetteer,kefu_minilm,kefu_tuned,
                                   kefu_tuned_bf16,kefu_tuned_quantized,tfidf_logreg]

Prints a table, then one JSON line of figures (the last line).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "datasets"
TASKS = ("banking77", "snips")
SYSTEMS = (
    "kefu",
    "kefu_no_gazetteer",
    "kefu_minilm",
    "kefu_tuned",
    "kefu_tuned_bf16",
    "kefu_tuned_quantized",
    "tfidf_logreg",
)
GOALS = {
    "banking77": {"accuracy": 94.0},
    "snips": {"accuracy": 99.0, "entity_f1": 97.0},
    "train_s": 600.0,
    "p99_ms": 15.0,
}


def snips_folder(data_dir: Path) -> Path | None:
    """``data_dir``/snips, or None after saying on stderr that it is missing."""
    folder = data_dir / "snips"
    if not folder.is_dir():
        print(f"no snips/ in {data_dir}; pass --data-dir", file=sys.stderr)
        return None
    return folder


def _load(task: str, data_dir: Path) -> tuple[Any, Any]:
    from dialogue.training_data.benchmarks import read_banking77_csv, read_snips

    if task == "banking77":
        folder = data_dir / "banking77"
        return read_banking77_csv(folder / "train.csv"), read_banking77_csv(folder / "test.csv")
    folder = data_dir / "snips"
    return read_snips(folder, split="train_full"), read_snips(folder, split="validate")


def _latencies(parse: Callable[[str], Any], texts: Sequence[str]) -> tuple[list[Any], list[float]]:
    outputs, times = [], []
    for text in texts:
        start = time.perf_counter()
        outputs.append(parse(text))
        times.append((time.perf_counter() - start) * 1000)
    return outputs, times


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _config(system: str, task: str) -> Any:
    from dialogue.nlu import EntityTaggerConfig, IntentClassifierConfig, NLUConfig
    from dialogue.nlu.config import EncoderConfig

    entities = EntityTaggerConfig(
        epochs=15, embedding_dim=64, hidden_dim=128, gazetteer=system != "kefu_no_gazetteer"
    )
    if system.startswith("kefu_tuned"):
        # SNIPS has 30 % more examples: fewer epochs keep training within ten minutes.
        snips = task == "snips"
        return NLUConfig(
            intent=IntentClassifierConfig(epochs=5 if snips else 10),
            entities=replace(entities, epochs=3) if snips else entities,
            encoder=EncoderConfig(
                epochs=3,
                precision="bfloat16" if system == "kefu_tuned_bf16" else "float32",
                quantize=system == "kefu_tuned_quantized",
            ),
            training_threads=2,
        )
    return NLUConfig(
        intent=IntentClassifierConfig(sentence_embeddings=system == "kefu_minilm"),
        entities=entities,
    )


def run_kefu(task: str, train: Any, test: Any, system: str) -> dict[str, Any]:
    import torch

    from dialogue.nlu import train_nlu

    torch.set_num_threads(1)
    config = _config(system, task)
    start = time.perf_counter()
    stages: dict[str, float] = {}  # seconds from the start to each stage's last step

    def progress(stage: str, done: int, total: int) -> None:
        if done == total:
            stages[stage] = round(time.perf_counter() - start, 1)

    pipeline = train_nlu(train, config, progress=progress)
    train_s = time.perf_counter() - start
    figures = {"train_s": train_s, "stages_s": stages, **_evaluate(task, pipeline, test)}
    tuned = pipeline.classifier.tuned
    if tuned is not None and not config.encoder.quantize:
        # The same trained model served with int8 Linear layers in the transformer.
        pipeline.classifier = replace(pipeline.classifier, tuned=tuned.quantized())
        figures["int8"] = _evaluate(task, pipeline, test)
    return figures


def _evaluate(task: str, pipeline: Any, test: Any) -> dict[str, Any]:
    from dialogue.nlu.evaluation import Prediction, score

    examples = test.intent_examples
    parses, times = _latencies(pipeline.parse, [e.text for e in examples])
    report = score([Prediction(e, p) for e, p in zip(examples, parses, strict=True)])
    return {
        "accuracy": 100 * report.intent_accuracy,
        "macro_f1": 100 * report.intent_macro_f1,
        "entity_f1": 100 * report.entity_micro_f1 if task == "snips" else None,
        "p50_ms": _percentile(times, 50),
        "p99_ms": _percentile(times, 99),
    }


def run_baseline(task: str, train: Any, test: Any) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    from dialogue.nlu.evaluation import classification_scores

    model = make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
        ),
        LogisticRegression(C=20.0, max_iter=2000),
    )
    texts = [e.text for e in train.intent_examples]
    labels = [e.intent for e in train.intent_examples]
    start = time.perf_counter()
    model.fit(texts, labels)
    train_s = time.perf_counter() - start
    examples = test.intent_examples
    predicted, times = _latencies(lambda text: model.predict([text])[0], [e.text for e in examples])
    accuracy, macro, _ = classification_scores([str(e.intent) for e in examples], list(predicted))
    return {
        "accuracy": 100 * accuracy,
        "macro_f1": 100 * macro,
        "entity_f1": None,  # the baseline classifies intents only
        "train_s": train_s,
        "p50_ms": _percentile(times, 50),
        "p99_ms": _percentile(times, 99),
    }


def worker(task: str, system: str, data_dir: Path) -> dict[str, Any]:
    train, test = _load(task, data_dir)
    if system == "tfidf_logreg":
        figures = run_baseline(task, train, test)
    else:
        figures = run_kefu(task, train, test, system)
    # ru_maxrss is in KiB on Linux.
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["n_train"] = len(train.intent_examples)
    figures["n_test"] = len(test.intent_examples)
    return figures


def _fmt(value: Any, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--worker", nargs=2, metavar=("TASK", "SYSTEM"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data_dir: Path = args.data_dir.resolve()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], data_dir)))
        return 0
    tasks = [t for t in args.tasks.split(",") if t]
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        parser.error(f"unknown task(s) {unknown}; choose from {list(TASKS)}")
    chosen = [s for s in args.systems.split(",") if s]
    unknown = sorted(set(chosen) - set(SYSTEMS))
    if unknown:
        parser.error(f"unknown system(s) {unknown}; choose from {list(SYSTEMS)}")
    needed = {"banking77": ["banking77/train.csv", "banking77/test.csv"], "snips": ["snips"]}
    missing = [str(data_dir / p) for t in tasks for p in needed[t] if not (data_dir / p).exists()]
    if missing:
        print(
            f"benchmark data missing: {', '.join(missing)}\n"
            f"pass --data-dir pointing at a folder with banking77/ and snips/ "
            f"(see ../shared/datasets/README.md for the sources)",
            file=sys.stderr,
        )
        return 2
    results: dict[str, dict[str, Any]] = {}
    for task in tasks:
        for system in chosen:
            completed = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.nlu",
                    "--data-dir",
                    str(data_dir),
                    "--worker",
                    task,
                    system,
                ],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=False,
            )
            if completed.returncode != 0:
                print(completed.stderr, file=sys.stderr)
                return 1
            figures = json.loads(completed.stdout.strip().splitlines()[-1])
            int8 = figures.pop("int8", None)
            results.setdefault(task, {})[system] = figures
            if int8 is not None:
                results[task][f"{system}_int8"] = {**figures, **int8}
            print(f"{task} {system}: {json.dumps(figures)}", file=sys.stderr, flush=True)
    header = f"{'task':<10} {'system':<20} {'acc %':>7} {'macroF1':>8} {'entF1':>7} {'train s':>8} {'p50 ms':>7} {'p99 ms':>7} {'RSS MB':>7}"
    print(header)
    print("-" * len(header))
    for task, systems in results.items():
        for system, f in systems.items():
            print(
                f"{task:<10} {system:<20} {_fmt(f['accuracy']):>7} {_fmt(f['macro_f1']):>8} "
                f"{_fmt(f['entity_f1']):>7} {_fmt(f['train_s'], 1):>8} {_fmt(f['p50_ms']):>7} "
                f"{_fmt(f['p99_ms']):>7} {_fmt(f['peak_rss_mb'], 0):>7}"
            )
    print(
        "goals: BANKING77 acc >= 94.0; SNIPS acc >= 99.0 and entity F1 >= 97.0; "
        "training <= 600 s; p99 <= 15 ms"
    )
    print(json.dumps({"nlu": results, "goals": GOALS}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
