"""Persistence: the graph in SQL (SQLAlchemy 2, tables prefixed ``kg_``) with revisions.

``metadata`` holds the tables for the app's Alembic migrations. ``GraphStore(engine)``
commits edits as revisions, rebuilds the graph at any revision, diffs and reverts.
"""

from knowledge_graph.persistence.store import GraphDiff, GraphStore, NodeEdit, Revision
from knowledge_graph.persistence.tables import metadata

__all__ = ["GraphDiff", "GraphStore", "NodeEdit", "Revision", "metadata"]
