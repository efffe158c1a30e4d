"""Model runtime benchmark: continuous batching vs sequential generate, INT8, dynamic temperature.

    python -m bench.runtime                                  # the default model (qwen2.5-0.5b-instruct)
    python -m bench.runtime --model smollm2-135m-instruct --quick

Measures, on this machine: tokens/s and time to first token at several concurrencies; the
scheduler's throughput against sequential ``model.generate`` calls in the same run (ratio);
peak memory; INT8 dynamic quantization against the default dtype (speed, agreement of
greedy tokens, factual accuracy); dynamic against fixed temperature, cold and warm
(factual accuracy on grounded store questions, distinct-2 on small-talk prompts).
Prints a table and, last, one JSON line of figures.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import itertools
import json
import os
import re
import resource
import statistics
import time
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from model_runtime import (
    DEFAULT_MODEL,
    ChatMessage,
    DynamicTemperature,
    Engine,
    Finished,
    SamplingParams,
    TextDelta,
    load_chat_model,
)
from model_runtime.prompting import render

SYSTEM = (
    "You are the customer-service assistant of Acme Gadgets, an online electronics store. "
    "Answer briefly and politely."
)
CUSTOMER_QUESTIONS = [
    "Hi, my order hasn't arrived yet. What can I do?",
    "Can I return headphones I bought three weeks ago?",
    "Do you ship to Canada, and how long does it take?",
    "My smart watch stopped charging. Is that covered by the warranty?",
    "What's the difference between standard and express shipping?",
    "How do I cancel an order I placed this morning?",
    "I received the wrong color. Can I exchange it?",
    "Is the laptop available in silver?",
    "你好，我的订单什么时候发货？",
    "请问可以退货吗？",
    "Could you recommend earbuds for running?",
    "How long does a refund take after you receive my return?",
]
SMALL_TALK = [
    "Hi there! How are you today?",
    "Thanks a lot, you've been really helpful!",
    "Good morning! Any plans for the weekend?",
    "I'm just browsing, tell me something fun.",
    "What's your favourite gadget?",
    "Have a nice day!",
    "你好！今天过得怎么样？",
    "谢谢你的帮助！",
]
COLD_FIXED = SamplingParams(temperature=0.2)
COLD_DYNAMIC = SamplingParams(dynamic_temperature=DynamicTemperature("minmax", 0.0, 0.3, 1.0))
WARM_FIXED = SamplingParams(temperature=0.9)
WARM_DYNAMIC = SamplingParams(dynamic_temperature=DynamicTemperature("minmax", 0.5, 1.0, 1.0))
SAMPLERS = {
    "fixed cold T=0.2": COLD_FIXED,
    "dynamic cold 0-0.3": COLD_DYNAMIC,
    "fixed warm T=0.9": WARM_FIXED,
    "dynamic warm 0.5-1.0": WARM_DYNAMIC,
}
PRODUCTS = Path(__file__).resolve().parents[1] / "assistants" / "acme" / "store" / "products.csv"
FACTCHECK = Path(__file__).resolve().parent / "data" / "factcheck" / "questions.jsonl"


@dataclass(frozen=True, slots=True)
class FactQuestion:
    messages: tuple[ChatMessage, ...]
    expected: tuple[str, ...]  # numbers that must all appear in the answer


@dataclass(frozen=True, slots=True)
class LoadRun:
    concurrency: int
    tokens: int
    wall_s: float
    ttft_p50_s: float
    ttft_p95_s: float

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.wall_s


def fact_questions(limit: int) -> tuple[list[FactQuestion], str]:
    """Grounded questions (the facts are in the prompt; the answer must keep the numbers).

    From the fact-check question set (bench/data/factcheck/questions.jsonl) when it is there:
    its questions whose expected facts are numbers, facts rendered as the pipeline's system
    message would carry them. Else questions built from the demo store's products.csv.
    """
    with PRODUCTS.open(newline="") as handle:
        products = {row["product_id"]: row for row in csv.DictReader(handle)}
    if FACTCHECK.is_file():
        rows = [json.loads(line) for line in FACTCHECK.read_text().splitlines() if line.strip()]
        usable = [
            r
            for r in rows
            if not r["answer_is_no"] and all(_is_number(e[2]) for e in r["expected"])
        ]
        step = max(1, len(usable) // limit)
        questions = []
        for row in usable[::step][:limit]:
            facts = "; ".join(
                f"{_subject(subject, products, row['lang'])} {predicate.replace('_', ' ')}: "
                f"{_number(value)} {unit}".strip()
                for subject, predicate, value, unit in row["expected"]
            )
            system = ChatMessage("system", f"{SYSTEM} Use only these facts.\nFacts: {facts}.")
            questions.append(
                FactQuestion(
                    (system, ChatMessage("user", row["question"])),
                    tuple(_number(e[2]) for e in row["expected"]),
                )
            )
        return questions, f"{FACTCHECK.relative_to(PRODUCTS.parents[3])} (numeric facts)"
    questions = []
    for row in products.values():
        price = _number(row["price_usd"])
        facts = (
            f"Facts: {row['name']} ({row['name_zh']}) costs {price} USD; warranty "
            f"{row['warranty_months']} months; colors: {row['colors'].replace('|', ', ')}."
        )
        system = ChatMessage("system", f"{SYSTEM} Use only these facts.\n{facts}")
        questions.append(
            FactQuestion(
                (system, ChatMessage("user", f"How much does the {row['name']} cost?")), (price,)
            )
        )
        questions.append(
            FactQuestion(
                (system, ChatMessage("user", f"{row['name_zh']}的保修期是多久？")),
                (row["warranty_months"],),
            )
        )
    return questions[:limit], "questions built from products.csv"


def _is_number(text: str) -> bool:
    return re.fullmatch(r"\d+(\.\d+)?", text) is not None


def _number(text: str) -> str:
    """129.00 -> 129 (how a model writes it); 1.5 stays."""
    return text.removesuffix(".00").removesuffix(".0")


def _subject(subject: str, products: dict[str, dict[str, str]], lang: str) -> str:
    if subject in products:
        return products[subject]["name_zh" if lang == "zh" else "name"]
    return subject.removeprefix("policy:").replace("_", " ") + " policy"


def distinct_2(texts: Sequence[str]) -> float:
    """Unique bigrams / all bigrams over the texts (words; each CJK character is a word)."""
    bigrams: list[tuple[str, str]] = []
    for text in texts:
        words = re.findall(
            r"[\u4e00-\u9fff]|[A-Za-z0-9']+|[^\sA-Za-z0-9\u4e00-\u9fff]", text.lower()
        )
        bigrams += list(itertools.pairwise(words))
    return len(set(bigrams)) / len(bigrams) if bigrams else 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def timed_request(
    engine: Engine, messages: Sequence[ChatMessage], params: SamplingParams
) -> tuple[float, int]:
    """(time to first text, tokens generated) for one request."""
    started = time.perf_counter()
    first = None
    tokens = 0
    async with aclosing(engine.events(messages, params)) as events:
        async for event in events:
            if isinstance(event, TextDelta) and first is None:
                first = time.perf_counter() - started
            if isinstance(event, Finished):
                tokens = event.completion.completion_tokens
    return (first if first is not None else time.perf_counter() - started), tokens


async def load_run(engine: Engine, concurrency: int, max_tokens: int) -> LoadRun:
    params = SamplingParams(temperature=0.0, max_tokens=max_tokens, ignore_eos=True)
    prompts = [
        [
            ChatMessage("system", SYSTEM),
            ChatMessage(
                "user",
                CUSTOMER_QUESTIONS[i % len(CUSTOMER_QUESTIONS)]
                + (f" (ticket {i})" if i >= len(CUSTOMER_QUESTIONS) else ""),
            ),
        ]
        for i in range(concurrency)
    ]
    started = time.perf_counter()
    results = await asyncio.gather(*(timed_request(engine, p, params) for p in prompts))
    wall = time.perf_counter() - started
    ttfts = sorted(r[0] for r in results)
    return LoadRun(
        concurrency=concurrency,
        tokens=sum(r[1] for r in results),
        wall_s=wall,
        ttft_p50_s=statistics.median(ttfts),
        ttft_p95_s=ttfts[min(len(ttfts) - 1, round(0.95 * (len(ttfts) - 1)))],
    )


def sequential_generate(engine: Engine, count: int, max_tokens: int) -> tuple[float, int]:
    """``model.generate`` one request after another, as a server without batching would."""
    loaded = engine.loaded
    model: Any = loaded.model
    tokens = 0
    started = time.perf_counter()
    with torch.inference_mode():
        for i in range(count):
            messages = [ChatMessage("system", SYSTEM), ChatMessage("user", CUSTOMER_QUESTIONS[i])]
            ids = torch.tensor([render(loaded.tokenizer, messages)], device=loaded.device)
            out = model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                do_sample=False,
                max_new_tokens=max_tokens,
                min_new_tokens=max_tokens,
                pad_token_id=loaded.tokenizer.pad_token_id or 0,
            )
            tokens += out.shape[1] - ids.shape[1]
    return time.perf_counter() - started, tokens


async def answers(
    engine: Engine,
    prompts: Sequence[Sequence[ChatMessage]],
    params: SamplingParams,
    samples: int = 1,
) -> list[tuple[str, tuple[float, ...]]]:
    jobs = [
        engine.complete(list(p), dataclasses.replace(params, seed=1000 + k))
        for p in prompts
        for k in range(samples)
    ]
    return [(c.text, c.temperatures) for c in await asyncio.gather(*jobs)]


def accuracy(texts: Sequence[str], questions: Sequence[FactQuestion]) -> float:
    hits = sum(
        all(re.search(rf"(?<![\d.]){re.escape(e)}(?![\d])", t.replace(",", "")) for e in q.expected)
        for t, q in zip(texts, questions, strict=True)
    )
    return hits / len(questions)


def agreement(reference: Sequence[list[int]], other: Sequence[list[int]]) -> float:
    """Mean share of each greedy answer that matches the reference before they first differ."""
    shares = []
    for a, b in zip(reference, other, strict=True):
        same = 0
        for x, y in zip(a, b, strict=False):
            if x != y:
                break
            same += 1
        shares.append(same / max(len(a), 1))
    return statistics.mean(shares)


async def greedy_ids(
    engine: Engine, questions: Sequence[FactQuestion], max_tokens: int
) -> tuple[list[list[int]], list[str]]:
    params = SamplingParams(temperature=0.0, max_tokens=max_tokens)
    completions = await asyncio.gather(
        *(engine.complete(list(q.messages), params) for q in questions)
    )
    tokenizer = engine.loaded.tokenizer
    ids = [list(tokenizer(c.text, add_special_tokens=False)["input_ids"]) for c in completions]
    return ids, [c.text for c in completions]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [
        [f"{c:.2f}" if isinstance(c, float) else str(c) for c in r] for r in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "model": args.model,
        "quick": args.quick,
        "max_tokens": args.max_tokens,
    }
    started = time.perf_counter()
    engine = load_chat_model(
        args.model,
        device=args.device,
        dtype=args.dtype,
        cache_dir=args.cache_dir,
        response_cache_size=0,
    )
    loaded = engine.loaded
    figures["load_s"] = round(time.perf_counter() - started, 1)
    figures["device"] = str(loaded.device)
    figures["dtype"] = str(loaded.dtype).removeprefix("torch.")
    figures["threads"] = torch.get_num_threads()
    # Other work on the machine skews every figure; the load average says how much there was.
    figures["loadavg_at_start"] = round(os.getloadavg()[0], 2)
    print(
        f"# {args.model} on {loaded.device}, {figures['dtype']}, {figures['threads']} threads "
        f"(loaded in {figures['load_s']} s)\n"
    )
    await engine.complete([ChatMessage("user", "Hello")], SamplingParams(max_tokens=4))  # warm-up

    # -- throughput and latency ---------------------------------------------------------
    runs = [await load_run(engine, c, args.max_tokens) for c in args.concurrency]
    figures["peak_rss_mb_after_load_runs"] = round(peak_rss_mb())
    seq_wall, seq_tokens = await asyncio.to_thread(
        sequential_generate, engine, args.sequential, args.max_tokens
    )
    seq_rate = seq_tokens / seq_wall
    figures["sequential_generate_tokens_per_s"] = round(seq_rate, 2)
    rows = []
    for r in runs:
        rows.append(
            (
                r.concurrency,
                r.tokens,
                r.wall_s,
                r.tokens_per_s,
                r.ttft_p50_s,
                r.ttft_p95_s,
                r.tokens_per_s / seq_rate,
            )
        )
        figures[f"c{r.concurrency}"] = {
            "tokens_per_s": round(r.tokens_per_s, 2),
            "ttft_p50_s": round(r.ttft_p50_s, 3),
            "ttft_p95_s": round(r.ttft_p95_s, 3),
            "ratio_vs_sequential": round(r.tokens_per_s / seq_rate, 2),
        }
    print(f"## Continuous batching ({args.max_tokens} tokens per request)")
    print(
        table(
            [
                "concurrency",
                "tokens",
                "wall s",
                "tokens/s",
                "TTFT p50 s",
                "TTFT p95 s",
                "x sequential",
            ],
            rows,
        )
    )
    print(
        f"sequential model.generate: {seq_tokens} tokens in {seq_wall:.1f} s = {seq_rate:.2f} tokens/s "
        f"({args.sequential} requests one after another)"
    )
    print(f"peak RSS: {figures['peak_rss_mb_after_load_runs']} MB\n")

    # -- dynamic vs fixed temperature -----------------------------------------------------
    questions, question_source = fact_questions(args.fact_questions)
    figures["fact_questions"] = {"source": question_source, "count": len(questions)}
    small_talk = [
        [ChatMessage("system", SYSTEM), ChatMessage("user", t)]
        for t in SMALL_TALK[: args.small_talk]
    ]
    sampler_rows = []
    figures["samplers"] = {}
    for label, base in SAMPLERS.items():
        params = dataclasses.replace(base, max_tokens=args.answer_tokens)
        fact_out = await answers(engine, [q.messages for q in questions], params)
        talk_out = await answers(engine, small_talk, params, samples=2)
        temps = [t for _, ts in fact_out + talk_out for t in ts]
        acc = accuracy([t for t, _ in fact_out], questions)
        d2 = distinct_2([t for t, _ in talk_out])
        sampler_rows.append((label, acc, d2, statistics.mean(temps), min(temps), max(temps)))
        figures["samplers"][label] = {
            "fact_accuracy": round(acc, 3),
            "distinct_2": round(d2, 3),
            "mean_temperature": round(statistics.mean(temps), 3),
        }
    print(
        f"## Dynamic vs fixed temperature ({len(questions)} grounded questions from {question_source}, "
        f"{len(small_talk)} small-talk prompts x 2 samples)"
    )
    print(
        table(["sampler", "fact accuracy", "distinct-2", "mean T", "min T", "max T"], sampler_rows)
    )
    print()

    # -- INT8 ---------------------------------------------------------------------------
    if not args.skip_int8:
        reference_ids, reference_text = await greedy_ids(engine, questions, args.answer_tokens)
        base_acc = accuracy(reference_text, questions)
        await engine.aclose()
        del engine, loaded
        started = time.perf_counter()
        int8 = load_chat_model(
            args.model,
            device="cpu",
            cache_dir=args.cache_dir,
            quantize="int8",
            response_cache_size=0,
        )
        int8_load = time.perf_counter() - started
        await int8.complete([ChatMessage("user", "Hello")], SamplingParams(max_tokens=4))
        int8_runs = [await load_run(int8, c, args.max_tokens) for c in args.int8_concurrency]
        int8_ids, int8_text = await greedy_ids(int8, questions, args.answer_tokens)
        agree = agreement(reference_ids, int8_ids)
        int8_acc = accuracy(int8_text, questions)
        await int8.aclose()
        base_by_c = {r.concurrency: r for r in runs}
        int8_rows: list[tuple[object, ...]] = []
        figures["int8"] = {
            "load_s": round(int8_load, 1),
            "greedy_agreement": round(agree, 3),
            "fact_accuracy_greedy": round(int8_acc, 3),
            "base_fact_accuracy_greedy": round(base_acc, 3),
        }
        for r in int8_runs:
            same = base_by_c.get(r.concurrency)
            int8_rows.append(
                (
                    r.concurrency,
                    r.tokens_per_s,
                    same.tokens_per_s if same else "-",
                    (r.tokens_per_s / same.tokens_per_s) if same else "-",
                    r.ttft_p50_s,
                )
            )
            figures["int8"][f"c{r.concurrency}_tokens_per_s"] = round(r.tokens_per_s, 2)
        print(f"## INT8 dynamic quantization vs {figures['dtype']}")
        print(
            table(
                [
                    "concurrency",
                    "int8 tokens/s",
                    f"{figures['dtype']} tokens/s",
                    "speed-up",
                    "int8 TTFT p50 s",
                ],
                int8_rows,
            )
        )
        print(
            f"greedy answers: {agree:.0%} of tokens agree before the first difference; "
            f"fact accuracy (greedy) {figures['dtype']} {base_acc:.0%} vs int8 {int8_acc:.0%}\n"
        )
    else:
        await engine.aclose()
    figures["peak_rss_mb"] = round(peak_rss_mb())
    figures["loadavg_at_end"] = round(os.getloadavg()[0], 2)
    return figures


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    from app.settings import Settings

    parser = argparse.ArgumentParser(
        prog="python -m bench.runtime",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument(
        "--quick", action="store_true", help="fewer requests and tokens (a few minutes)"
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--skip-int8", action="store_true")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="converted weights (default: the settings' models dir)",
    )
    args = parser.parse_args(argv)
    args.cache_dir = args.cache_dir or Settings().models_dir
    args.max_tokens = 32 if args.quick else 64
    args.concurrency = [1, 4, 16] if args.quick else [1, 4, 16, 32]
    args.int8_concurrency = [1, 16]
    args.sequential = 2 if args.quick else 3
    args.fact_questions = 12 if args.quick else 32
    args.small_talk = 4 if args.quick else 8
    args.answer_tokens = 32 if args.quick else 48
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    started = time.perf_counter()
    figures = asyncio.run(run(args))
    figures["bench_wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
