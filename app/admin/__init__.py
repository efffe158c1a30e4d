"""The admins' knowledge-graph editor: ``/admin/kg`` and ``/api/v1/admin/kg``.

Include ``api_router`` and ``page_router`` in the app. The pure parts (value checks
against ``knowledge_graph.schema``, in-memory drafts, search, import planning) work on any frozen graph.
"""

from app.admin.drafts import Draft, NodeChange, apply_edits
from app.admin.exceptions import (
    BusyError,
    EditorError,
    IncomingEdgesError,
    InvalidValueError,
    NodeExistsError,
    NodeNotFoundError,
    PreviewMismatchError,
    Problem,
    StaleEditError,
    StalePreviewError,
)
from app.admin.imports import ImportFormat, ImportMode, plan_import, read_upload
from app.admin.pages import router as page_router
from app.admin.routes import router as api_router
from app.admin.search import NodeHit, search_nodes
from app.admin.validation import check_fact

__all__ = [
    "BusyError",
    "Draft",
    "EditorError",
    "ImportFormat",
    "ImportMode",
    "IncomingEdgesError",
    "InvalidValueError",
    "NodeChange",
    "NodeExistsError",
    "NodeHit",
    "NodeNotFoundError",
    "PreviewMismatchError",
    "Problem",
    "StaleEditError",
    "StalePreviewError",
    "api_router",
    "apply_edits",
    "check_fact",
    "page_router",
    "plan_import",
    "read_upload",
    "search_nodes",
]
