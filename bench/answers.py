"""Knowledge answers in conversation: right/total, unsupported sentences delivered, raw vs
checked, latency.

``python -m bench.answers [--questions FILE | --business DIR] [--kg FILE] [--model NAME|none] [--url WS]``

Each conversation of FILE (default bench/data/answers/demo.jsonl, written from the demo
store's product sheet and policies) is played through the whole assistant: by default
with ``kefu ask --questions`` (NLU → dialogue → knowledge answer → checker, the model
loaded once), or with ``--url ws://HOST:PORT/ws/chat`` over protocol v1 against a running
``kefu run``. A turn is right when its reply says everything in its ``expect`` list ("a|b":
either) and nothing in ``forbid`` (one list for the conversation, or one per turn). Every delivered knowledge answer is checked again
here, sentence by sentence, against the graph: a sentence the grounding gate would not
deliver counts as unsupported. Last line: JSON figures.

``--business DIR`` plays a business folder instead (``graph.csv`` and
``conversations.json``, see :mod:`bench.business`): regular-expression expectations, its
graph as the knowledge graph (over ``--url``, import it into the running product first
with ``kefu kg import DIR/graph.csv``), and two more counts: numbers the reply says that
neither the graph nor the customer's message holds, and replies that carry a name only
the demo store holds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.business import (
    foreign_names,
    graph_numbers,
    read_business,
    regex_right,
    set_sizes,
    unsupported_numbers,
)
from bench.factcheck import percentile

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "data" / "answers" / "demo.jsonl"
ROOT = HERE.parent


def read_set(path: Path) -> list[dict[str, Any]]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            item = json.loads(line)
            item.setdefault("turns", [item.get("question")])
            items.append(item)
    return items


def is_right(reply: str, expect: list[str], forbid: list[str]) -> bool:
    said = reply.lower()
    return all(any(alt.lower() in said for alt in item.split("|")) for item in expect) and not any(
        bad.lower() in said for bad in forbid
    )


def forbidden(item: dict[str, Any], turn: int) -> list[str]:
    """What turn ``turn`` (from 0) must not say: ``forbid`` is one list for every turn, or
    one list per turn."""
    forbid = item.get("forbid", [])
    if forbid and all(isinstance(f, list) for f in forbid):
        return list(forbid[turn]) if turn < len(forbid) else []
    return list(forbid)


def in_process(path: Path, model: str | None, kg: Path | None) -> list[dict[str, Any]]:
    """``kefu ask --questions``: the records it prints, one per turn."""
    command = [sys.executable, "-m", "app", "ask", "--questions", str(path)]
    if model:
        command += ["--model", model]
    if kg:
        command += ["--kg", str(kg)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"kefu ask failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


async def over_websocket(url: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Protocol v1 against a running server: one conversation per item."""
    import websockets

    records = []
    for item in items:
        async with websockets.connect(url, max_size=2**20) as ws:
            await ws.send(json.dumps({"type": "hello", "last_seq": 0}))
            while json.loads(await ws.recv())["type"] != "welcome":
                pass
            for index, text in enumerate(item["turns"], 1):
                client_id = uuid.uuid4().hex
                started = time.perf_counter()
                await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))
                replies: list[dict[str, Any]] = []
                acked = False
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 120))
                    kind = frame.get("type")
                    if kind == "ack" and frame.get("client_id") == client_id:
                        acked = True
                    elif kind == "message" and frame.get("role") == "bot" and acked:
                        replies.append(frame)
                    elif kind == "typing" and frame.get("role") == "bot" and not frame["on"]:
                        if replies:
                            break
                    elif kind == "error":
                        raise SystemExit(f"server error: {frame}")
                records.append(
                    {
                        "id": item["id"],
                        "turn": index,
                        "question": text,
                        "reply": " ".join(r["text"] for r in replies),
                        "knowledge": any(r.get("sources") for r in replies),
                        "sources": [s for r in replies for s in r.get("sources") or []],
                        "latency_ms": (time.perf_counter() - started) * 1000,
                    }
                )
    return records


def regrounded(graph: Any, text: str, context: list[str]) -> list[str]:
    """Sentences of a delivered answer the grounding gate would not deliver (``context``:
    what the answer is about, for its "it")."""
    from knowledge_graph.grounding import grounded_text

    _, verdicts = grounded_text(graph, text, context=[n for n in context if n in graph])
    return [v.sentence.text for v in verdicts if not v.delivered]


def business_items(folder: Path) -> tuple[list[dict[str, Any]], Path]:
    """A business folder's conversations as items (regex expectations) and its graph."""
    business = read_business(folder)
    items = [
        {
            "id": f"{business.name}-{number}",
            "turns": [turn["say"] for turn in conversation],
            "patterns": [
                (list(turn.get("expect", [])), list(turn.get("forbid", [])))
                for turn in conversation
            ],
        }
        for number, conversation in enumerate(business.conversations, 1)
    ]
    return items, business.graph_csv


def demo_only_names(graph: Any) -> list[str]:
    """Names only the demo store holds (its store name, its products' and policies' names
    and aliases, its currency), none of which ``graph`` holds."""
    from dialogue.knowledge.conversation import project_graph_files
    from knowledge_graph import load_graph
    from knowledge_graph.model import ATTRIBUTE_TYPE

    demo = load_graph(*project_graph_files(ROOT / "assistants" / "acme"))

    def surfaces(g: Any, owners_only: bool) -> set[str]:
        found = set()
        for node, data in g.nodes(data=True):
            if owners_only and (
                ATTRIBUTE_TYPE in data.get("types", ())
                or not (data.get("values") or g.out_degree(node))
            ):
                continue
            found.update(
                str(f.object) for f in data.get("facts", ()) if f.predicate in ("name", "alias")
            )
        return found

    def proper(name: str) -> bool:
        # A name of a thing (Aurora X2, 极光 X2 头戴耳机), not a common word (dispatch).
        return len(name) >= 4 and (name != name.lower() or not name.isascii())

    own = {s.casefold() for s in surfaces(graph, False)}
    names = {s for s in surfaces(demo, True) if proper(s) and s.casefold() not in own}
    units = {str(f.unit) for _, d in graph.nodes(data=True) for f in d.get("facts", ())}
    if "USD" not in units:
        names.update({"US dollars", "USD"})
    return sorted(names | {"Acme"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument(
        "--business",
        type=Path,
        default=None,
        help="a business folder (graph.csv, conversations.json)",
    )
    parser.add_argument("--kg", type=Path, default=None, help="graph file (default: the demo's)")
    parser.add_argument("--model", default=None, help="model name, or none (composed answers)")
    parser.add_argument("--url", default=None, help="ws://.../ws/chat of a running kefu run")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from dialogue.knowledge.conversation import project_graph_files
    from knowledge_graph import graph_facts, load_graph

    if args.business is not None:
        items, kg = business_items(args.business)
        args.kg = args.kg or kg
        source = args.business
    else:
        items = read_set(args.questions)
        source = args.questions
    files = [args.kg] if args.kg else project_graph_files(ROOT / "assistants" / "acme")
    graph = load_graph(*files)
    rows = [f.as_row() for f in graph_facts(graph)]
    allowed, sizes = graph_numbers(rows), set_sizes(rows)
    foreign = demo_only_names(graph) if args.kg else []
    started = time.perf_counter()
    if args.url:
        records = asyncio.run(over_websocket(args.url, items))
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "questions.jsonl"
            path.write_text(
                "\n".join(json.dumps({"id": i["id"], "turns": i["turns"]}) for i in items),
                encoding="utf-8",
            )
            records = in_process(path, args.model, args.kg)
    wall_s = time.perf_counter() - started
    by_id = {item["id"]: item for item in items}
    right = unsupported = caught = drafts = numbers = carried = 0
    knowledge_ms: list[float] = []
    print(f"{'id':<24} {'turn':>4} {'ok':>3} {'ms':>8}  reply")
    for record in records:
        item = by_id[record["id"]]
        index = record["turn"] - 1
        if "patterns" in item:
            expect_re, forbid_re = item["patterns"][index]
            ok = regex_right(record["reply"], expect_re, forbid_re)
        else:
            expect = item.get("expect", [])
            ok = is_right(
                record["reply"],
                expect[index] if index < len(expect) else [],
                forbidden(item, index),
            )
        right += ok
        stray = unsupported_numbers(record["reply"], record["question"], allowed, sizes)
        others = foreign_names(record["reply"], foreign)
        numbers += len(stray)
        carried += bool(others)
        # A knowledge answer delivered (not a "which product?" question): it has sources.
        knowledge = bool(record.get("knowledge") or record.get("sources"))
        if knowledge:
            knowledge_ms.append(record["latency_ms"])
            about = list(dict.fromkeys(str(f.get("subject")) for f in record.get("sources", [])))
            ungrounded = regrounded(graph, record["reply"], about)
            unsupported += len(ungrounded)
            unsupported += sum(1 for c in record.get("claims", []) if c["status"] != "supported")
            for sentence in ungrounded:
                print(f"{'':<42}not grounded: {sentence[:100]}")
        if record.get("draft"):
            drafts += 1
            caught += len(record.get("repaired_claims", []))
        reply = record["reply"].replace("\n", " ")
        print(
            f"{record['id']:<24} {record['turn']:>4} {'✓' if ok else '✗':>3} "
            f"{record['latency_ms']:>8.0f}  {record['question'][:40]!r} → {reply[:110]}"
        )
        if stray or others:
            print(f"{'':<42}unsupported numbers: {stray}  other business's names: {others}")
        if record.get("draft") and not ok:
            print(f"{'':<42}draft: {record['draft'][:110]}")
    total = len(records)
    all_ms = [r["latency_ms"] for r in records]
    figures = {
        "bench": "answers",
        "questions": str(
            source.relative_to(ROOT)
            if source.is_absolute() and source.is_relative_to(ROOT)
            else source
        ),
        "mode": "websocket" if args.url else "kefu ask --questions",
        "model": args.model or "configured",
        "turns": total,
        "right": right,
        "right_rate": round(right / total, 4) if total else 0.0,
        "unsupported_delivered": unsupported,
        "unsupported_numbers": numbers,
        "replies_with_other_business_names": carried,
        "drafts_repaired": drafts,
        "claims_caught_in_drafts": caught,
        "knowledge_turns": len(knowledge_ms),
        "knowledge_p50_ms": round(statistics.median(knowledge_ms), 1) if knowledge_ms else 0.0,
        "knowledge_p95_ms": round(percentile(knowledge_ms, 95), 1) if knowledge_ms else 0.0,
        "turn_p50_ms": round(statistics.median(all_ms), 1) if all_ms else 0.0,
        "turn_p95_ms": round(percentile(all_ms, 95), 1) if all_ms else 0.0,
        "wall_s": round(wall_s, 1),
    }
    print(
        f"\nright {right}/{total}, unsupported sentences delivered {unsupported}, unsupported "
        f"numbers {numbers}, replies with another business's names {carried}, drafts repaired "
        f"{drafts} ({caught} claims caught), knowledge answers p50 "
        f"{figures['knowledge_p50_ms']:.0f} ms p95 {figures['knowledge_p95_ms']:.0f} ms"
    )
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
