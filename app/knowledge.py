"""The store's knowledge in the app: the graph from the database, kept live, and the
knowledge answers the dialogue engine asks for (graph + language model + fact checking).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event

from app.db.engine import _tune_sqlite, sync_url
from app.realtime.hub import Hub
from app.settings import Settings
from dialogue.answering import KnowledgeReply
from dialogue.knowledge import KnowledgeAnswerer, mode_for_intent
from knowledge_graph import Fact, build_graph, load_graph
from knowledge_graph.live import LiveGraph, Snapshot
from knowledge_graph.persistence import GraphStore
from model_runtime.types import ChatModel

log = logging.getLogger(__name__)
KNOWLEDGE_CHANNEL = "knowledge"


def demo_graph_files(project_dir: Path) -> list[Path]:
    """The project's own graph: knowledge/*.csv (CSV triples), *.json, *.graphml."""
    folder = project_dir / "knowledge"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".json", ".graphml"))


class KnowledgeBase:
    """The persistent graph store and the live snapshot every answer reads."""

    def __init__(self, settings: Settings) -> None:
        url = sync_url(settings.resolved_database_url)
        self.engine = create_engine(url, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _tune_sqlite)
        self.store = GraphStore(self.engine)
        self.settings = settings
        self.live = LiveGraph(Snapshot(build_graph([]), None))

    def load(self) -> Snapshot:
        """Seed an empty store from the project's knowledge files, then load its head."""
        if self.store.head_revision() is None:
            files = demo_graph_files(self.settings.project_dir)
            if files:
                self.store.import_graph(
                    load_graph(*files),
                    author="kefu",
                    message=f"initial graph from {self.settings.project_dir.name}/knowledge",
                )
                log.info("knowledge graph imported from %d file(s)", len(files))
        return self.live.refresh(self.store)

    async def refresh(self) -> Snapshot:
        """Pick up revisions saved by editors (here or on another replica)."""
        return await asyncio.to_thread(self.live.refresh, self.store)

    async def saved(self, hub: Hub) -> Snapshot:
        """Call after committing a revision: this replica answers from it at once, and
        every other replica is told to load it (``KNOWLEDGE_CHANNEL``)."""
        snapshot = await self.refresh()
        await hub.publish(KNOWLEDGE_CHANNEL, {"type": "kg_revision", "revision": snapshot.revision})
        return snapshot

    async def follow(self, hub: Hub) -> None:
        """Refresh whenever any replica announces a new revision (runs until cancelled)."""
        subscription = await hub.subscribe(KNOWLEDGE_CHANNEL)
        try:
            async for frame in subscription:
                revision = frame.get("revision")
                current = self.live.current.revision
                if revision is None or current is None or revision > current:
                    try:
                        await self.refresh()
                    except Exception:
                        log.exception("could not load knowledge-graph revision %s", revision)
        finally:
            subscription.close()

    def close(self) -> None:
        self.engine.dispose()


def fact_json(fact: Fact) -> dict[str, str]:
    return dict(zip(("subject", "predicate", "object", "unit"), fact.as_row(), strict=True))


class GraphAnswers:
    """The dialogue engine's KnowledgeAnswerer, backed by the live graph and a chat model."""

    def __init__(self, knowledge: KnowledgeBase, pipeline: KnowledgeAnswerer) -> None:
        self.knowledge = knowledge
        self.pipeline = pipeline

    async def answer(
        self,
        question: str,
        *,
        entities: Sequence[Mapping[str, Any]],
        slots: Mapping[str, Any],
        language: str,
        intent: str | None = None,
    ) -> KnowledgeReply:
        snapshot = self.knowledge.live.current  # one snapshot for the whole answer
        result = await self.pipeline.answer(snapshot.graph, question, mode=mode_for_intent(intent))
        claims = tuple(
            {
                "text": check.claim.text,
                "status": check.status.value,
                "facts": [fact_json(f) for f in check.facts],
            }
            for check in result.claims
        )
        generation_s = result.generation_ms / 1000
        return KnowledgeReply(
            text=result.text,
            sources=tuple(fact_json(f) for f in result.sources),
            claims=claims,
            fell_back=not result.text.strip(),
            timings={
                "generation": generation_s,
                "checking": max(0.0, result.latency_ms / 1000 - generation_s),
            },
        )


def chat_model_for(settings: Settings) -> ChatModel | None:
    """The language model knowledge answers are written with, or None (composed answers).

    In-process models load in the background: until they are ready, answers are composed
    from the facts, so start-up is not held up by loading weights.
    """
    if not settings.model_enabled:
        return None
    if settings.model_url:
        from model_runtime import OpenAIClient

        key = settings.model_api_key.get_secret_value() if settings.model_api_key else None
        return OpenAIClient(settings.model_url, api_key=key)
    from model_runtime import load_chat_model

    try:
        return load_chat_model(
            settings.model_name,
            device=settings.model_device,
            dtype=settings.model_dtype,
            cache_dir=settings.models_dir,
            background=True,
        )
    except Exception:
        log.exception(
            "the language model %r is not available; answers are composed", settings.model_name
        )
        return None
