"""Fixtures of the dialogue-engine tests: small inline assistants driven by ``/intent``
payloads (no NLU needed), the real example projects, and the trained demo assistant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from dialogue.domain import Domain
from dialogue.engine import Engine, TurnOutcome
from dialogue.policies import Policies, PolicySettings
from dialogue.project import Project
from dialogue.stories import parse_story_yaml
from dialogue.training import TrainedAssistant
from tests.dialogue.conftest import RASA_EXAMPLES

#: A Wednesday, 11:00 in UTC+8: agents are online.
OPEN = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)
#: A Saturday, 11:00 in UTC+8: agents are not.
CLOSED = datetime(2026, 3, 7, 3, 0, tzinfo=UTC)


class PayloadsOnly:
    """Stands in for the NLU where a test sends only ``/intent{...}`` payloads, which the
    engine parses itself; any real text is a mistake in the test."""

    def parse(self, text: str) -> Any:
        raise AssertionError(
            f"this test assistant has no NLU; send a /intent payload, not {text!r}"
        )


def assistant_for(domain: Domain) -> TrainedAssistant:
    """An assistant of ``domain`` that understands ``/intent`` payloads only."""
    return TrainedAssistant(
        path=Path("."), domain=domain, nlu=cast(Any, PayloadsOnly()), metadata=cast(Any, None)
    )


def inline_assistant(domain_yaml: str) -> TrainedAssistant:
    return assistant_for(Domain.from_yaml(domain_yaml))


def inline_engine(domain_yaml: str, stories_yaml: str = "", **options: Any) -> Engine:
    """An engine over an inline domain and inline rules/stories."""
    assistant = inline_assistant(domain_yaml)
    found = parse_story_yaml(stories_yaml) if stories_yaml else None
    policies = Policies.train(
        assistant.domain,
        stories=found.stories if found else (),
        rules=found.rules if found else (),
        settings=options.pop("settings", PolicySettings()),
    )
    return Engine(assistant, policies=policies, **options)


class Conversation:
    """Talks to an engine turn by turn, keeping the stored events like the app does."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.history: list[dict[str, Any]] = []
        self.outcomes: list[TurnOutcome] = []

    async def say(self, text: str) -> TurnOutcome:
        outcome = await self.engine.handle(history=self.history, text=text)
        self.history.extend(dict(e) for e in outcome.events)
        self.outcomes.append(outcome)
        return outcome

    @property
    def last(self) -> TurnOutcome:
        return self.outcomes[-1]


def actions_of(outcome: TurnOutcome) -> list[str]:
    """The actions a turn ran, without the listens and the session start."""
    names = [
        e.get("name") or f"text:{e.get('action_text')}"
        for e in outcome.events
        if e["event"] == "action"
    ]
    return [n for n in names if n not in ("action_listen", "action_session_start")]


def texts_of(outcome: TurnOutcome) -> list[str]:
    return [r.text for r in outcome.replies]


def slots_after(history: Sequence[dict[str, Any]]) -> dict[str, Any]:
    from dialogue.events import events_from_dicts
    from dialogue.tracker import derive_state

    return dict(derive_state(events_from_dicts(history)).slots)


@pytest.fixture(scope="session")
def formbot_project() -> Project:
    return Project.load(RASA_EXAMPLES / "formbot")


@pytest.fixture(scope="session")
def moodbot_project() -> Project:
    return Project.load(RASA_EXAMPLES / "moodbot")


@pytest.fixture(scope="session")
def example_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kefu data folder (KEFU_DATA_DIR) holding the example projects' models."""
    return tmp_path_factory.mktemp("example-data")


@pytest.fixture(scope="session")
def example_models(example_data_dir: Path) -> Path:
    return example_data_dir / "models"


@pytest.fixture(scope="session")
def formbot_trained(formbot_project: Project, example_models: Path) -> TrainedAssistant:
    """formbot, trained unedited once per session (a few seconds)."""
    from dialogue.sandbox import trained_assistant

    return trained_assistant(formbot_project, example_models)


@pytest.fixture(scope="session")
def moodbot_trained(moodbot_project: Project, example_models: Path) -> TrainedAssistant:
    from dialogue.sandbox import trained_assistant

    return trained_assistant(moodbot_project, example_models)


@pytest.fixture(scope="session")
def acme_project() -> Project:
    from app.settings import DEMO_PROJECT

    return Project.load(DEMO_PROJECT)


@pytest.fixture(scope="session")
def acme_trained(trained_data_dir: Path, acme_project: Project) -> TrainedAssistant:
    """The demo assistant, trained once per session (shared with the app tests)."""
    from app.settings import Settings
    from dialogue.training import load_trained

    trained = load_trained(Settings(data_dir=trained_data_dir).models_dir, acme_project)
    assert trained is not None
    return trained
