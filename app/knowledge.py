"""The store's knowledge in the app: the graph from the database, kept live, and the
knowledge answers the dialogue engine asks for (graph + language model + fact checking).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import create_engine, event

from app.db.engine import _tune_sqlite, sync_url
from app.realtime.hub import Hub
from app.settings import Settings
from dialogue.knowledge import KnowledgeAnswerer
from dialogue.knowledge.conversation import ConversationKnowledge, project_graph_files
from knowledge_graph import build_graph, load_graph
from knowledge_graph.live import LiveGraph, Snapshot
from knowledge_graph.persistence import GraphStore
from model_runtime.types import ChatModel

log = logging.getLogger(__name__)
KNOWLEDGE_CHANNEL = "knowledge"


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
            files = project_graph_files(self.settings.project_dir)
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


class GraphAnswers(ConversationKnowledge):
    """The dialogue engine's knowledge answers, from the live graph of the database."""

    def __init__(self, knowledge: KnowledgeBase, pipeline: KnowledgeAnswerer) -> None:
        super().__init__(lambda: knowledge.live.current.graph, pipeline)
        self.knowledge = knowledge


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
