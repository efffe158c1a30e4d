"""``kefu ask --questions FILE``: answer a file of questions in conversation, the way the
widget gets them (NLU → dialogue → knowledge answer → fact checker), the model loaded
once, one JSON line per turn.

Each line of FILE is a JSON object: ``{"id": "q1", "question": "..."}`` for one turn, or
``{"id": "c1", "turns": ["Does the Aurora X2 come in silver?", "how much is it?"]}`` for
a conversation (the language of each message is detected, as in the widget). Blank
lines and lines starting with ``#`` are skipped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialogue.engine import Engine, TurnOutcome

__all__ = ["Conversation", "QuestionFileError", "read_questions", "turn_record"]


class QuestionFileError(ValueError):
    """A line of the questions file is not a question or a conversation."""


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: tuple[str, ...]


def read_questions(path: Path) -> Iterator[Conversation]:
    """The conversations of a JSONL file; a bad line raises, naming its number."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                raise QuestionFileError(f"{path}:{number}: not JSON ({error.msg})") from error
            if not isinstance(item, dict):
                raise QuestionFileError(f"{path}:{number}: expected a JSON object")
            turns = item.get("turns", [item["question"]] if "question" in item else None)
            if not turns or not all(isinstance(t, str) and t.strip() for t in turns):
                raise QuestionFileError(
                    f"{path}:{number}: give a non-empty 'question' or a list of 'turns'"
                )
            yield Conversation(str(item.get("id", number)), tuple(turns))


def turn_record(
    conversation: Conversation, index: int, question: str, outcome: TurnOutcome, seconds: float
) -> dict[str, Any]:
    """What one turn did: the replies as sent, the checked claims and the model's draft
    with what the checker caught in it, the actions that ran and the time it took."""
    extras = [dict(r.extra) for r in outcome.replies]
    parse = outcome.parse
    return {
        "id": conversation.id,
        "turn": index,
        "question": question,
        "reply": " ".join(r.text for r in outcome.replies if r.text),
        "intent": parse.intent.name if parse is not None else None,
        "confidence": round(parse.intent.confidence, 4) if parse is not None else None,
        "actions": [p.action for p in outcome.predictions if p.action != "action_listen"],
        "claims": [c for e in extras for c in e.get("claims", [])],
        "sources": [s for e in extras for s in e.get("sources", [])],
        "draft": next((e["draft"] for e in extras if "draft" in e), None),
        "repaired_claims": [c for e in extras for c in e.get("repaired_claims", [])],
        "handoff": outcome.handoff_requested,
        "latency_ms": round(seconds * 1000, 1),
        "timings_ms": {k: round(v * 1000, 1) for k, v in outcome.timings.items()},
    }


async def converse(engine: Engine, conversation: Conversation) -> list[dict[str, Any]]:
    """Play one conversation through ``engine``; a record per turn."""
    history: list[dict[str, Any]] = []
    records = []
    for index, question in enumerate(conversation.turns, 1):
        started = time.perf_counter()
        outcome = await engine.handle(history=history, text=question)
        records.append(
            turn_record(conversation, index, question, outcome, time.perf_counter() - started)
        )
        history.extend(dict(e) for e in outcome.events)
    return records
