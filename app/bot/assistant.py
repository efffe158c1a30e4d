"""The trained assistant the app talks with: training when needed, loading, hot swapping."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.settings import Settings
from dialogue.clock import SupportHours
from dialogue.engine import Engine
from dialogue.orders import OrderStore
from dialogue.project import Project
from dialogue.training import TrainedAssistant, load_trained, train_project

Progress = Callable[[str, int, int], None]
log = logging.getLogger(__name__)


def ensure_trained(settings: Settings, *, progress: Progress | None = None) -> Path:
    """Train the configured project unless a model for its exact content exists; return it."""
    project = Project.load(settings.project_dir)
    return train_project(project, settings.models_dir, progress=progress)


class AssistantHolder:
    """Holds the live engine; ``swap`` replaces it atomically (a retrained model)."""

    def __init__(self, engine: Engine, trained: TrainedAssistant) -> None:
        self.engine = engine
        self.trained = trained

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
            "text": (variation.text or "") if variation else "",
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
                canned.append({"name": name, "text": variation.text})
        return canned

    @classmethod
    def load(
        cls, settings: Settings, *, orders: OrderStore, seed: int | None = None
    ) -> AssistantHolder:
        """Load the trained project; business actions reach orders through ``orders``."""
        project = Project.load(settings.project_dir)
        trained = load_trained(settings.models_dir, project)
        if trained is None:
            raise FileNotFoundError(
                f"no trained model for {settings.project_dir} in {settings.models_dir}; "
                "run `kefu train` first"
            )
        return cls(cls.engine_for(trained, settings, orders=orders, seed=seed), trained)

    @staticmethod
    def engine_for(
        trained: TrainedAssistant, settings: Settings, *, orders: OrderStore, seed: int | None
    ) -> Engine:
        """The dialogue engine of the configured project: its rules and stories, its
        actions (in-process with ``orders``, or the action server of endpoints.yml) and
        answers composed from its product catalogue."""
        return Engine.for_project(
            Project.load(settings.project_dir),
            trained,
            orders=orders,
            fallback_threshold=settings.nlu_fallback_threshold,
            rng=random.Random(seed),
            support_hours=SupportHours.parse(settings.support_hours),
        )

    def swap(self, engine: Engine, trained: TrainedAssistant) -> None:
        self.engine, self.trained = engine, trained

    async def reload_if_changed(
        self, settings: Settings, *, orders: OrderStore, train: bool
    ) -> bool:
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
        self.swap(self.engine_for(trained, settings, orders=orders, seed=None), trained)
        log.info("assistant reloaded: model %s", trained.metadata.fingerprint[:12])
        return True
