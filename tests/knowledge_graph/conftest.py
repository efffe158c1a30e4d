from __future__ import annotations

import networkx as nx
import pytest

from assistants.acme.knowledge import load_demo_graph


@pytest.fixture(scope="session")
def demo() -> nx.MultiDiGraph:
    return load_demo_graph()
