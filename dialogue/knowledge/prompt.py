"""The prompt of a knowledge answer: system rules, the retrieved facts, the question."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from knowledge_graph import Fact, RegenerateRequest, verbalise
from model_runtime.types import ChatMessage

_LANGUAGE = {"en": "English", "zh": "Simplified Chinese (简体中文)"}
FACTS_HEADER = "Facts:"


def build_messages(
    graph: nx.MultiDiGraph,
    question: str,
    facts: Sequence[Fact],
    lang: str,
    *,
    store_name: str,
    history: Sequence[ChatMessage] = (),
) -> list[ChatMessage]:
    """System prompt with the facts (one sentence each), earlier turns, then the question."""
    lines = (
        "\n".join(f"- {sentence}" for sentence in verbalise(graph, facts, lang))
        or "- (no facts found)"
    )
    system = (
        f"You are the customer-service assistant of {store_name}. Answer the customer's "
        "question using only the facts below. Copy numbers, prices, units, dates, colors and "
        "conditions exactly as written; never add a fact that is not listed. If the facts do "
        "not answer the question, say so and offer to connect a human agent. "
        f"Answer in {_LANGUAGE.get(lang, 'English')}, in at most three short sentences.\n\n"
        f"{FACTS_HEADER}\n{lines}"
    )
    return [ChatMessage("system", system), *history, ChatMessage("user", question)]


def rewrite_messages(graph: nx.MultiDiGraph, request: RegenerateRequest) -> list[ChatMessage]:
    """Ask for one sentence rewritten to agree with the facts (used at temperature 0)."""
    lines = "\n".join(f"- {s}" for s in verbalise(graph, request.facts, request.lang))
    system = (
        "Rewrite the customer-service sentence so that it agrees exactly with the facts. "
        "Keep it one sentence, in the same language, and change nothing else.\n\n"
        f"{FACTS_HEADER}\n{lines}"
    )
    return [ChatMessage("system", system), ChatMessage("user", request.sentence)]
