"""The trained assistant the app talks with: training when needed, loading, hot swapping."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.settings import Settings
from dialogue.answering import FactSource, TurnKnowledge
from dialogue.clock import SupportHours
from dialogue.engine import Engine
from dialogue.orders import OrderStore
from dialogue.project import Project
from dialogue.responses import fill_facts
from dialogue.training import TrainedAssistant, load_trained, train_project

Progress = Callable[[str, int, int], None]
log = logging.getLogger(__name__)


def ensure_trained(settings: Settings, *, progress: Progress | None = None) -> Path:
    """Train the configured project unless a model for its exact content exists; return it."""
    project = Project.load(settings.project_dir)
    return train_project(project, settings.models_dir, progress=progress)


class AssistantHolder:
    """Holds the live engine; ``swap`` replaces it atomically (a retrained model)."""

    def __init__(
        self,
        settings: Settings,
        trained: TrainedAssistant,
        *,
        orders: OrderStore | None = None,
        knowledge: TurnKnowledge | None = None,
        entity_names: Mapping[str, tuple[str, str]] | None = None,
        seed: int | None = None,
    ) -> None:
        """Business actions reach orders through ``orders``; knowledge answers come from
        ``knowledge`` (default: composed from the catalogue); ``entity_names`` ({surface
        form: (entity, value)}, e.g. the knowledge graph's names and aliases) are found in
        messages besides what the NLU learned."""
        self.settings = settings
        self.orders, self.knowledge, self.entity_names = orders, knowledge, entity_names
        self.seed = seed
        self.trained = trained
        self.engine = self.engine_for(trained)

    def draft_reply(self, text: str) -> dict[str, Any]:
        """What the assistant would say to ``text`` from its NLU and responses alone."""
        parse = self.trained.nlu.parse(text)
        domain = self.trained.domain
        intent = parse.intent.name
        name = f"utter_{intent}" if f"utter_{intent}" in domain.responses else "utter_default"
        variation = (
            domain.pick_response(name, {"language": parse.language}, rng=random.Random(0))
            if name in domain.responses
            else None
        )
        return {
            "text": self._with_facts(variation.text or "", parse.language) if variation else "",
            "response": name,
            "intent": intent,
            "confidence": parse.intent.confidence,
            "language": parse.language,
        }

    def canned_responses(self, language: str) -> list[dict[str, str]]:
        domain = self.trained.domain
        canned = []
        for name in sorted(domain.responses):
            variation = domain.pick_response(name, {"language": language}, rng=random.Random(0))
            if variation is not None and variation.text:
                canned.append({"name": name, "text": self._with_facts(variation.text, language)})
        return canned

    def _with_facts(self, text: str, language: str) -> str:
        """``text`` with its ``{kg:NODE:PREDICATE}`` placeholders read from the live graph."""
        facts = self.knowledge.render_fact if isinstance(self.knowledge, FactSource) else None
        return fill_facts(text, facts, language)

    @classmethod
    def load(cls, settings: Settings, **dependencies: Any) -> AssistantHolder:
        """The holder for the project's trained model (``kefu train`` makes it)."""
        project = Project.load(settings.project_dir)
        trained = load_trained(settings.models_dir, project)
        if trained is None:
            raise FileNotFoundError(
                f"no trained model for {settings.project_dir} in {settings.models_dir}; "
                "run `kefu train` first"
            )
        return cls(settings, trained, **dependencies)

    def engine_for(self, trained: TrainedAssistant) -> Engine:
        """The dialogue engine of the configured project: its rules and stories, its
        actions (in-process with the order store, or the action server of endpoints.yml)
        and its knowledge answers."""
        if self.entity_names:
            trained = replace(trained, nlu=trained.nlu.with_knowledge(self.entity_names))
        settings = self.settings
        return Engine.for_project(
            Project.load(settings.project_dir),
            trained,
            orders=self.orders,
            knowledge=self.knowledge,
            fallback_threshold=settings.nlu_fallback_threshold,
            rng=random.Random(self.seed),
            support_hours=SupportHours.parse(settings.support_hours),
        )

    def swap(self, engine: Engine, trained: TrainedAssistant) -> None:
        self.engine, self.trained = engine, trained

    async def reload_if_changed(self, settings: Settings, *, train: bool) -> bool:
        """Hot-load the model for the project's current content; True when it swapped.

        ``train``: train it here when missing (embedded mode); otherwise wait for a worker
        to train it (scaled mode: ``kefu.retrain_if_changed`` writes to the shared models dir).
        """
        project = await asyncio.to_thread(Project.load, settings.project_dir)
        if project.fingerprint() == self.trained.metadata.fingerprint:
            return False
        if train:
            await asyncio.to_thread(train_project, project, settings.models_dir)
        trained = await asyncio.to_thread(load_trained, settings.models_dir, project)
        if trained is None:
            return False
        self.swap(self.engine_for(trained), trained)
        log.info("assistant reloaded: model %s", trained.metadata.fingerprint[:12])
        return True
