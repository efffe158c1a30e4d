"""Dialogue-engine benchmark: the latency of one customer turn, engine alone.

Each turn is :meth:`dialogue.engine.Engine.handle` on the demo assistant: the NLU parse,
slot filling, the policies (rules, forms, memoized stories, fallback) and the actions
the turn needs, in-process (the order form's rasa-sdk validation, the order lookup in an
in-memory store, answers composed from the catalogue). No language model, no database,
no network. One thread (``torch.set_num_threads(1)``): figures are for one core.

Scripted conversations (English and Chinese: order status with a correction and an
interruption, a return, a cancellation, product and policy questions, small talk) are
replayed ``--rounds`` times; every turn is timed. The first round warms up and is not
counted.

    python -m bench.dialogue [--rounds 30] [--data-dir .kefu]

Prints a table, then one JSON line of figures (the last line).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

GOAL_P99_MS = 20.0

CONVERSATIONS: dict[str, list[str]] = {
    "order status": [
        "hi",
        "where is my order?",
        "A10003",
        "no, it's A10004",
        "how much does shipping cost?",
        "liam.smith@example.com",
        "thanks",
    ],
    "return": [
        "I want to return my order",
        "A10001",
        "mia.chen@example.com",
        "it's defective",
        "yes",
    ],
    "cancel (zh)": ["我想取消订单", "A10002", "mia.chen@example.com", "好的"],
    "products": [
        "how much is the Aurora X2?",
        "Aurora X2 有银色的吗?",
        "which is lighter, Vector 14 or Vector 16 Pro?",
        "is the Nimbus Smart Speaker in stock?",
    ],
    "policies and small talk": [
        "你们支持支付宝吗？",
        "do you ship to Japan?",
        "are you a bot?",
        "tell me a joke",
        "bye",
    ],
}


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def _run(data_dir: Path, rounds: int) -> dict[str, Any]:
    from app.settings import DEMO_PROJECT
    from dialogue.project import Project
    from dialogue.sandbox import sandbox_engine, trained_assistant

    project = Project.load(DEMO_PROJECT)
    trained = trained_assistant(project, data_dir / "models")
    per_turn: list[float] = []
    per_conversation: dict[str, list[float]] = {name: [] for name in CONVERSATIONS}
    nlu_times: list[float] = []
    actions = 0
    for round_number in range(rounds + 1):
        for name, lines in CONVERSATIONS.items():
            engine = sandbox_engine(project, trained)  # fresh orders for each conversation
            history: list[dict[str, Any]] = []
            for text in lines:
                start = time.perf_counter()
                outcome = await engine.handle(history=history, text=text)
                elapsed = (time.perf_counter() - start) * 1000
                history.extend(dict(e) for e in outcome.events)
                if round_number == 0:
                    continue  # warm-up
                per_turn.append(elapsed)
                per_conversation[name].append(elapsed)
                actions += sum(
                    1
                    for e in outcome.events
                    if e.get("event") == "action" and e.get("name") != "action_listen"
                )
                start = time.perf_counter()
                trained.nlu.parse(text)
                nlu_times.append((time.perf_counter() - start) * 1000)
    total_s = sum(per_turn) / 1000
    return {
        "turns": len(per_turn),
        "p50_ms": round(_percentile(per_turn, 50), 2),
        "p99_ms": round(_percentile(per_turn, 99), 2),
        "max_ms": round(max(per_turn), 2),
        "mean_ms": round(statistics.fmean(per_turn), 2),
        "turns_per_s": round(len(per_turn) / total_s, 1),
        "nlu_p50_ms": round(_percentile(nlu_times, 50), 2),
        "nlu_p99_ms": round(_percentile(nlu_times, 99), 2),
        "actions_per_turn": round(actions / len(per_turn), 2),
        "by_conversation_p50_ms": {
            name: round(_percentile(times, 50), 2) for name, times in per_conversation.items()
        },
        "goal_p99_ms": GOAL_P99_MS,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=30, help="Timed rounds (default 30).")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(".kefu"),
        help="kefu data folder holding (or receiving) the trained demo model.",
    )
    args = parser.parse_args(argv)
    import logging

    import torch

    torch.set_num_threads(1)
    logging.getLogger("rasa_sdk").setLevel(logging.ERROR)
    figures = asyncio.run(_run(args.data_dir, max(1, args.rounds)))
    print(
        f"{'turns':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'turns/s':>8}  (goal p99 < 20 ms)"
    )
    print(
        f"{figures['turns']:>8} {figures['p50_ms']:>8} {figures['p99_ms']:>8} "
        f"{figures['max_ms']:>8} {figures['turns_per_s']:>8}"
    )
    print(f"NLU alone: p50 {figures['nlu_p50_ms']} ms, p99 {figures['nlu_p99_ms']} ms")
    for name, p50 in figures["by_conversation_p50_ms"].items():
        print(f"  {name:<26} p50 {p50} ms")
    print(json.dumps({"dialogue": figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
