"""Fact-checking benchmark: raw model accuracy vs delivered accuracy after checking and repair.

``python -m bench.factcheck [--model NAME | --fake] [--limit N] [--quick]``

Runs every question of bench/data/factcheck/questions.jsonl through the knowledge-answer
pipeline on the demo graph. The generator is a real small model when
``model_runtime.load_chat_model`` exists (default smollm2-135m-instruct), else (or with
``--fake``) a deliberately noisy fake that restates the prompt's facts and corrupts some.
Reports raw and delivered factual accuracy, fallbacks, checking latency on the demo graph,
and checking latency on a synthetic catalogue of 100,000 facts. Last line: JSON figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "data" / "factcheck" / "questions.jsonl"
RESULTS = HERE / "results"
COLOR_WORDS = (
    "black",
    "white",
    "silver",
    "grey",
    "blue",
    "red",
    "green",
    "orange",
    "space grey",
    "黑色",
    "白色",
    "银色",
    "灰色",
    "蓝色",
    "红色",
)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def load_model(args: argparse.Namespace) -> tuple[Any, str]:
    from dialogue.knowledge import FactRestatingModel

    fake = FactRestatingModel(error_rate=args.error_rate, seed=args.seed, vocabulary=COLOR_WORDS)
    if args.fake:
        return fake, f"noisy fake generator (error rate {args.error_rate}; --fake)"
    try:
        from model_runtime import load_chat_model  # type: ignore[attr-defined]
    except ImportError:
        return (
            fake,
            f"noisy fake generator (error rate {args.error_rate}; model_runtime.load_chat_model not available)",
        )
    from app.settings import Settings

    settings = Settings()
    model = load_chat_model(
        args.model,
        device=settings.model_device,
        dtype=settings.model_dtype,
        cache_dir=settings.cache_dir,
    )
    return model, f"real model {args.model}"


async def run_questions(
    args: argparse.Namespace, graph: Any, questions: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], str]:
    from dialogue.knowledge import FactRestatingModel, KnowledgeAnswerer
    from knowledge_graph import ClaimStatus, Fact, analyse_question, check

    model, description = load_model(args)
    answerer = KnowledgeAnswerer(model, store_name="Acme Gadgets", timeout_s=args.timeout)
    gate = asyncio.Semaphore(args.concurrency)
    rows: list[dict[str, Any]] = []

    async def one(item: dict[str, Any]) -> None:
        async with gate:
            answer = await answerer.answer(graph, item["question"])
        context = analyse_question(graph, item["question"]).subjects
        # Without a draft (the model failed or timed out) there is no raw answer to judge.
        draft = answer.draft or ""
        draft_report = check(graph, draft, context=context)
        delivered_report = check(graph, answer.text, context=context)
        expected = {
            Fact(
                row[0],
                row[1],
                row[2],
                row[3],
                row[2].startswith(("color:", "status:", "cat:", "pay:")),
            )
            for row in item["expected"]
        }
        row = {
            "id": item["id"],
            "lang": item["lang"],
            "kind": item["kind"],
            "question": item["question"],
            "draft": draft,
            "text": answer.text,
            "fell_back": answer.fell_back,
            "model_answered": answer.draft is not None and bool(answer.draft.strip()),
            "raw_contradicted": len(draft_report.with_status(ClaimStatus.CONTRADICTED)),
            "raw_claims": len(draft_report.checks),
            "raw_unverifiable": len(draft_report.with_status(ClaimStatus.UNVERIFIABLE)),
            "context": list(context),
            "delivered_contradicted": len(delivered_report.with_status(ClaimStatus.CONTRADICTED)),
            "delivered_unverifiable": len(delivered_report.with_status(ClaimStatus.UNVERIFIABLE)),
            "answered": bool(expected & set(answer.sources)),
            "repairs": [r.kind.value for r in answer.repairs],
            "pipeline_ms": answer.latency_ms,
        }
        if isinstance(model, FactRestatingModel):
            injected = [p for p in model.perturbations if p.question == item["question"]]
            row["injected"] = len(injected)
            row["survived"] = any(p.sentence and p.sentence in answer.text for p in injected)
        rows.append(row)

    await asyncio.gather(*(one(item) for item in questions))
    close = getattr(model, "aclose", None)
    if close is not None:
        await close()
    rows.sort(key=lambda r: r["id"])
    # Checking latency, measured alone (not interleaved with generation), warm and without
    # the collector walking the long-lived graph: what one answer's check costs a server.
    gc.collect()
    gc.freeze()
    for row in rows:
        draft = row["draft"] or row["text"]  # composed text when the model gave none
        started, cpu = time.perf_counter(), time.process_time()
        check(graph, draft, context=row["context"])
        row["check_ms"] = (time.perf_counter() - started) * 1000
        row["check_cpu_ms"] = (time.process_time() - cpu) * 1000
    gc.unfreeze()
    return rows, description


def synthetic_latency(n_facts: int, answers: int, seed: int) -> dict[str, float]:
    from bench.data.factcheck.synthetic import synthetic_facts
    from knowledge_graph import build_graph, check, verbalise
    from knowledge_graph.index import graph_index
    from tests.knowledge_graph.perturb import perturb

    started = time.perf_counter()
    graph = build_graph(synthetic_facts(n_facts, seed))
    built = time.perf_counter()
    graph_index(graph)
    indexed = time.perf_counter()
    gc.collect()
    gc.freeze()  # the graph lives as long as the process; keep the collector off it
    rng = random.Random(seed)
    products = [n for n in graph if str(n).startswith("S-")]
    timings: list[float] = []
    cpu_timings: list[float] = []
    caught = total_wrong = 0
    for _ in range(answers):
        node = rng.choice(products)
        facts = [
            f for f in graph.nodes[node]["facts"] if f.predicate not in ("type", "name", "alias")
        ]
        chosen = rng.sample(facts, min(3, len(facts)))
        wrong = rng.random() < 0.3
        if wrong:
            changed = perturb(graph, chosen[0], rng.randint(1, 9))
            if changed is not None:
                chosen[0] = changed
        text = " ".join(verbalise(graph, chosen, rng.choice(["en", "zh"])))
        t0, cpu = time.perf_counter(), time.process_time()
        report = check(graph, text)
        timings.append((time.perf_counter() - t0) * 1000)
        cpu_timings.append((time.process_time() - cpu) * 1000)
        if wrong:
            total_wrong += 1
            caught += not report.ok
    return {
        "facts": float(sum(len(d["facts"]) for _, d in graph.nodes(data=True))),
        "build_s": built - started,
        "index_s": indexed - built,
        "p50_ms": percentile(timings, 50),
        "p99_ms": percentile(timings, 99),
        "max_ms": max(timings),
        "cpu_p50_ms": percentile(cpu_timings, 50),
        "cpu_p99_ms": percentile(cpu_timings, 99),
        "recall": caught / total_wrong if total_wrong else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model",
        default="smollm2-135m-instruct",
        help="model for the raw answers (default: %(default)s)",
    )
    parser.add_argument(
        "--fake", action="store_true", help="use the noisy fake generator instead of a model"
    )
    parser.add_argument(
        "--error-rate", type=float, default=0.25, help="fake generator: share of corrupted answers"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions (0: all)")
    parser.add_argument(
        "--quick", action="store_true", help="60 questions and a 20,000-fact synthetic graph"
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per model call")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--synthetic-facts", type=int, default=100_000)
    parser.add_argument("--synthetic-answers", type=int, default=1000)
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS / "factcheck.jsonl",
        help="per-question rows (JSON lines)",
    )
    args = parser.parse_args()
    if args.quick:
        args.limit = args.limit or 60
        args.synthetic_facts = min(args.synthetic_facts, 20_000)

    from assistants.acme.knowledge import load_demo_graph

    questions = [
        json.loads(line)
        for line in QUESTIONS.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if args.limit:
        # Spread a limited run over every kind of question rather than the first products only.
        step = max(1, len(questions) // args.limit)
        questions = questions[::step][: args.limit]
    graph = load_demo_graph()
    started = time.perf_counter()
    rows, generator = asyncio.run(run_questions(args, graph, questions))
    elapsed = time.perf_counter() - started
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )

    n = len(rows)
    drafted = [r for r in rows if r["model_answered"]]
    raw_ok = sum(r["raw_contradicted"] == 0 for r in drafted) / max(1, len(drafted))
    delivered_ok = (
        sum(r["delivered_contradicted"] == 0 and not r.get("survived", False) for r in rows) / n
    )
    figures: dict[str, Any] = {
        "generator": generator,
        "questions": n,
        "raw_accuracy": round(raw_ok, 4),
        "delivered_accuracy": round(delivered_ok, 4),
        "contradicted_delivered": sum(r["delivered_contradicted"] for r in rows),
        "fell_back_share": round(sum(r["fell_back"] for r in rows) / n, 4),
        "model_failed_share": round(1 - len(drafted) / n, 4),
        "fell_back_after_check_share": round(
            sum(r["fell_back"] and r["model_answered"] for r in rows) / n, 4
        ),
        "answered_share": round(sum(r["answered"] for r in rows) / n, 4),
        "repaired_share": round(sum(bool(r["repairs"]) for r in rows) / n, 4),
        "check_p50_ms": round(percentile([r["check_ms"] for r in rows], 50), 3),
        "check_p99_ms": round(percentile([r["check_ms"] for r in rows], 99), 3),
        "check_cpu_p99_ms": round(percentile([r["check_cpu_ms"] for r in rows], 99), 3),
        "pipeline_p50_ms": round(percentile([r["pipeline_ms"] for r in rows], 50), 1),
        "run_s": round(elapsed, 1),
    }
    if "injected" in rows[0]:
        corrupted = [r for r in rows if r["injected"]]
        figures["raw_accuracy_truth"] = round(1 - len(corrupted) / n, 4)
        figures["checker_recall"] = (
            round(sum(r["raw_contradicted"] > 0 for r in corrupted) / len(corrupted), 4)
            if corrupted
            else None
        )
        figures["checker_flagged"] = (
            round(
                sum(r["raw_contradicted"] + r["raw_unverifiable"] > 0 for r in corrupted)
                / len(corrupted),
                4,
            )
            if corrupted
            else None
        )
        figures["errors_survived"] = sum(r["survived"] for r in rows)
    by_lang = {
        lang: round(
            sum(r["delivered_contradicted"] == 0 for r in rows if r["lang"] == lang)
            / max(1, sum(r["lang"] == lang for r in rows)),
            4,
        )
        for lang in ("en", "zh")
    }
    if args.synthetic_facts:
        synthetic = synthetic_latency(args.synthetic_facts, args.synthetic_answers, args.seed)
        figures.update(
            {
                "synthetic_facts": int(synthetic["facts"]),
                "synthetic_check_p50_ms": round(synthetic["p50_ms"], 3),
                "synthetic_check_p99_ms": round(synthetic["p99_ms"], 3),
                "synthetic_check_cpu_p50_ms": round(synthetic["cpu_p50_ms"], 3),
                "synthetic_check_cpu_p99_ms": round(synthetic["cpu_p99_ms"], 3),
                "synthetic_recall": round(synthetic["recall"], 4),
                "synthetic_build_s": round(synthetic["build_s"] + synthetic["index_s"], 2),
            }
        )

    print(f"fact-check benchmark — {n} questions, generator: {generator}")
    print(f"(raw accuracy over the {len(drafted)} answers the model wrote; delivered over all {n})")
    print(f"{'':34}{'raw model':>12}{'delivered':>12}")
    print(f"{'answers with no wrong claim':34}{raw_ok:>12.1%}{delivered_ok:>12.1%}")
    if "raw_accuracy_truth" in figures:
        print(
            f"{'  (ground truth: not corrupted)':34}{figures['raw_accuracy_truth']:>12.1%}{'':>12}"
        )
        print(f"{'corruptions found contradicted':34}{figures['checker_recall'] or 0:>12.1%}")
        print(f"{'  ... contradicted or unverifiable':34}{figures['checker_flagged'] or 0:>12.1%}")
        print(f"{'corruptions that reached customer':34}{'':>12}{figures['errors_survived']:>12}")
    print(f"{'contradicted claims delivered':34}{'':>12}{figures['contradicted_delivered']:>12}")
    print(f"{'fell back to composed answers':34}{'':>12}{figures['fell_back_share']:>12.1%}")
    print(f"{'  ... model failed or timed out':34}{'':>12}{figures['model_failed_share']:>12.1%}")
    print(
        f"{'  ... draft unusable after checking':34}{'':>12}{figures['fell_back_after_check_share']:>12.1%}"
    )
    print(f"{'answers citing an expected fact':34}{'':>12}{figures['answered_share']:>12.1%}")
    print(f"{'delivered accuracy en / zh':34}{'':>12}{by_lang['en']:>6.1%} / {by_lang['zh']:.1%}")
    print(
        f"{'checking latency p50 / p99 (demo)':34}{figures['check_p50_ms']:>9.2f} ms / {figures['check_p99_ms']:.2f} ms wall, p99 {figures['check_cpu_p99_ms']:.2f} ms CPU"
    )
    if args.synthetic_facts:
        print(
            f"{'checking p50 / p99 (synthetic)':34}{figures['synthetic_check_p50_ms']:>9.2f} ms / "
            f"{figures['synthetic_check_p99_ms']:.2f} ms wall, p99 {figures['synthetic_check_cpu_p99_ms']:.2f} ms CPU, "
            f"on {figures['synthetic_facts']:,} facts (changed values caught {figures['synthetic_recall']:.1%})"
        )
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
