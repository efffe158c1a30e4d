"""An assistant to talk to or test outside the app: orders in memory, a chosen clock.

``kefu shell`` and ``kefu test stories`` use :func:`sandbox_engine`: the project's
``store/orders.csv`` (if it has one) is loaded into an :class:`InMemoryOrderStore`
dated relative to the clock's now, so a conversation can change orders without touching
any database, and a fixed clock makes dates and support hours repeatable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from dialogue.clock import Clock, fixed_clock
from dialogue.engine import Engine
from dialogue.orders import InMemoryOrderStore, orders_from_csv
from dialogue.project import Project

if TYPE_CHECKING:
    from dialogue.training import TrainedAssistant

__all__ = ["TEST_MOMENT", "sandbox_engine", "sandbox_orders", "trained_assistant"]

#: The default "now" of conversation tests: a Wednesday, 11:00 in UTC+8 (agents online).
TEST_MOMENT = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)


def sandbox_orders(project: Project, now: datetime) -> InMemoryOrderStore:
    """The project's demo orders (store/orders.csv), dated relative to ``now``."""
    path = project.root / "store" / "orders.csv"
    return InMemoryOrderStore(orders_from_csv(path, now=now) if path.is_file() else ())


def trained_assistant(
    project: Project,
    models_dir: Path,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> TrainedAssistant:
    """The project's trained model, training it first when there is none for its content."""
    from dialogue.training import load_trained, train_project

    trained = load_trained(models_dir, project)
    if trained is None:
        train_project(project, models_dir, progress=progress)
        trained = load_trained(models_dir, project)
    assert trained is not None, "train_project wrote a model load_trained cannot read"
    return trained


def sandbox_engine(
    project: Project,
    trained: TrainedAssistant,
    *,
    clock: Clock | None = None,
    actions_module: str | ModuleType | None = None,
    **options: Any,
) -> Engine:
    """An engine over fresh in-memory demo orders (build one per conversation test)."""
    clock = clock or fixed_clock(TEST_MOMENT)
    return Engine.for_project(
        project,
        trained,
        orders=sandbox_orders(project, clock()),
        clock=clock,
        actions_module=actions_module,
        **options,
    )
