"""Shared fixtures of the dialogue tests: example projects and one trained shop NLU."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from dialogue.nlu import NLUPipeline, train_nlu
from dialogue.project import Project

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RASA_EXAMPLES = FIXTURES / "rasa"
SHOP = FIXTURES / "shop"

# The models here are tiny: one thread avoids thread contention on the shared 2-core CI box.
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def shop_project() -> Project:
    return Project.load(SHOP)


@pytest.fixture(scope="session")
def shop_nlu(shop_project: Project) -> NLUPipeline:
    """Trained once per session (about a second): treat it as read-only."""
    return train_nlu(shop_project.nlu, shop_project.config, domain=shop_project.domain)
