"""``/api/v1/admin/kg``: the knowledge-graph editor's API (admins only).

Reads come from the live snapshot, pinned to the store's head where a version is handed
out; every save is one ``GraphStore`` revision (author = the admin) followed by
``KnowledgeBase.saved``, so the next answer on every replica uses it. Domain errors
become statuses here only (``EditorRoute``): 404 unknown, 409 stale or conflicting,
422 invalid values naming the field.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from app.admin.drafts import Draft, apply_edits, change_of
from app.admin.exceptions import (
    EditorError,
    IncomingEdgesError,
    InvalidValueError,
    NodeExistsError,
    NodeNotFoundError,
    Problem,
    StaleEditError,
    StalePreviewError,
)
from app.admin.imports import (
    ImportFormat,
    ImportMode,
    check_token,
    plan_import,
    preview_token,
    read_upload,
)
from app.admin.reading import Pinned, node_revisions, pinned_read
from app.admin.search import search_nodes
from app.admin.validation import MAX_TEXT
from app.admin.views import neighbourhood, node_view
from app.api.deps import DB_INT_MAX, ServicesDep
from app.auth.deps import AdminDep
from app.services import Services
from dialogue.knowledge import AnswerMode
from knowledge_graph import (
    DanglingEdgeError,
    Fact,
    FactNotFoundError,
    GraphFormatError,
    KnowledgeGraphError,
    RevisionNotFoundError,
    UnknownNodeError,
    VersionConflictError,
    display_name,
    dump_csv,
    dump_json,
)
from knowledge_graph.model import NAME, TYPE
from knowledge_graph.persistence import GraphDiff, NodeEdit, Revision
from knowledge_graph.schema import graph_schema

RevisionId = Annotated[int, Path(ge=0, le=DB_INT_MAX)]  # 0 and unknown ids: 404

_LIBRARY_STATUS: tuple[tuple[type[KnowledgeGraphError], int], ...] = (
    (VersionConflictError, status.HTTP_409_CONFLICT),
    (FactNotFoundError, status.HTTP_409_CONFLICT),
    (DanglingEdgeError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (GraphFormatError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (RevisionNotFoundError, status.HTTP_404_NOT_FOUND),
    (UnknownNodeError, status.HTTP_404_NOT_FOUND),
)


class EditorRoute(APIRoute):
    """Answers editor and library errors as ``{"detail": message, ...}`` with their status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except EditorError as error:
                return JSONResponse({"detail": str(error), **error.extra()}, error.status)
            except KnowledgeGraphError as error:
                code = next(
                    (code for kind, code in _LIBRARY_STATUS if isinstance(error, kind)),
                    status.HTTP_422_UNPROCESSABLE_CONTENT,
                )
                return JSONResponse({"detail": str(error)}, code)

        return guarded


router = APIRouter(prefix="/api/v1/admin/kg", tags=["knowledge graph"], route_class=EditorRoute)

_NODE_ID = re.compile(r"^[^\s/\x00-\x1f][^/\x00-\x1f]{0,254}$")
_SLUG = re.compile(r"[^a-z0-9]+")


class FactIn(BaseModel):
    """One fact of the node in the path: an edge when ``edge`` (``object`` is a node id)."""

    predicate: str = Field(max_length=255)
    object: str = Field(max_length=MAX_TEXT * 2)
    unit: str = Field(default="", max_length=64)
    edge: bool = False

    def fact(self, node: str) -> Fact:
        return Fact(node, self.predicate, self.object, self.unit, self.edge)


class NodeCreate(BaseModel):
    id: str | None = Field(default=None, max_length=255)
    type: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=300)
    lang: str | None = Field(default=None, max_length=20)
    facts: list[FactIn] = Field(default_factory=list, max_length=1000)
    message: str | None = Field(default=None, max_length=500)


class NodeUpdate(BaseModel):
    """``replace``: ``add`` is the node's complete new fact list (order kept)."""

    expected_version: int = Field(ge=0, le=DB_INT_MAX)
    add: list[FactIn] = Field(default_factory=list, max_length=1000)
    remove: list[FactIn] = Field(default_factory=list, max_length=1000)
    replace: bool = False
    message: str | None = Field(default=None, max_length=500)


class DraftEdit(BaseModel):
    node: str = Field(min_length=1, max_length=255)
    add: list[FactIn] = Field(default_factory=list, max_length=1000)
    remove: list[FactIn] = Field(default_factory=list, max_length=1000)
    replace: bool = False

    def edit(self) -> NodeEdit:
        return NodeEdit(
            self.node,
            None,
            tuple(f.fact(self.node) for f in self.add),
            tuple(f.fact(self.node) for f in self.remove),
            self.replace,
        )


class TryIn(BaseModel):
    question: str = Field(min_length=1, max_length=1000)
    edits: list[DraftEdit] = Field(default_factory=list, max_length=200)
    mode: AnswerMode = AnswerMode.FACTS


class RevertIn(BaseModel):
    message: str | None = Field(default=None, max_length=500)


# --- helpers -------------------------------------------------------------------------------


async def _pinned(services: Services, nodes: Sequence[str] | None) -> Pinned:
    knowledge = services.knowledge
    return await asyncio.to_thread(pinned_read, knowledge.live, knowledge.store, nodes)


async def _commit(
    services: Services, draft: Draft, *, author: str, message: str
) -> Revision | None:
    """Save the draft's edits as one revision and make every replica load it."""
    if not draft.changed:
        return None
    try:
        revision = await asyncio.to_thread(
            services.knowledge.store.commit, draft.edits, author=author, message=message
        )
    except VersionConflictError as error:
        raise StaleEditError(error.node, error.expected, error.actual) from error
    if revision is not None:
        await services.knowledge.saved(services.hub)
    return revision


def _revision_json(revision: Revision, diff: GraphDiff | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": revision.id,
        "parent_id": revision.parent_id,
        "author": revision.author,
        "message": revision.message,
        "created_at": revision.created_at.isoformat(),
        "reverted_to": revision.reverted_to,
    }
    if diff is not None:
        data.update(added=len(diff.added), removed=len(diff.removed), nodes=len(diff.changed_nodes))
    return data


def _saved_json(
    revision: Revision | None, draft: Draft, node: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "revision": _revision_json(revision) if revision is not None else None,
        "changes": [c.to_json() for c in draft.changes],
        "node": node,
    }


async def _node_json(services: Services, node: str) -> dict[str, Any]:
    pinned = await _pinned(services, [node])
    graph = pinned.snapshot.graph
    return node_view(graph, node, version=pinned.version(node), schema=graph_schema(graph))


def _check_node_id(node: str) -> None:
    if not _NODE_ID.match(node) or node != node.strip():
        raise InvalidValueError(
            [Problem(node, "id", "an id is 1-255 characters without '/' or surrounding spaces")]
        )


# --- reading -------------------------------------------------------------------------------


@router.get("/schema")
async def schema(services: ServicesDep, admin: AdminDep) -> dict[str, Any]:
    """Each predicate's kind, units and choices, as the graph's own data implies them."""
    snapshot = services.knowledge.live.current
    return {"revision": snapshot.revision, **graph_schema(snapshot.graph).to_json()}


@router.get("/nodes")
async def search(
    services: ServicesDep,
    admin: AdminDep,
    q: Annotated[str, Query(max_length=200)] = "",
    type: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """Nodes by name, alias (any language) or id; an empty ``q`` browses by type."""
    snapshot = services.knowledge.live.current
    hits = await asyncio.to_thread(search_nodes, snapshot.graph, q, limit=limit, types=type)
    return {"revision": snapshot.revision, "results": [h.to_json() for h in hits]}


@router.get("/nodes/{node_id}")
async def get_node(node_id: str, services: ServicesDep, admin: AdminDep) -> dict[str, Any]:
    """The node's facts (typed), edges both ways and ``version`` (send it back to edit)."""
    return await _node_json(services, node_id)


@router.get("/nodes/{node_id}/neighbourhood")
async def get_neighbourhood(
    node_id: str,
    services: ServicesDep,
    admin: AdminDep,
    depth: Annotated[int, Query(ge=1, le=3)] = 1,
    limit: Annotated[int, Query(ge=2, le=300)] = 80,
) -> dict[str, Any]:
    """Nodes and edges around the node, for the drawing."""
    graph = services.knowledge.live.current.graph
    return neighbourhood(graph, node_id, depth=depth, max_nodes=limit)


# --- writing -------------------------------------------------------------------------------


@router.post("/nodes", status_code=status.HTTP_201_CREATED)
async def create_node(body: NodeCreate, services: ServicesDep, admin: AdminDep) -> dict[str, Any]:
    """A new node with a type, a name and any other facts; the id defaults to
    ``type:name-slug``."""
    node = body.id.strip() if body.id else ""
    if not node:
        slug = _SLUG.sub("-", body.name.casefold()).strip("-")
        if not slug:
            raise InvalidValueError(
                [Problem(body.name, "id", "give an id: the name has no Latin letters or digits")]
            )
        node = f"{body.type.casefold()}:{slug}"
    _check_node_id(node)
    pinned = await _pinned(services, [node])
    graph = pinned.snapshot.graph
    if node in graph:
        raise NodeExistsError(node)
    facts = (
        Fact(node, TYPE, body.type),
        Fact(node, NAME, body.name, body.lang or ""),
        *(f.fact(node) for f in body.facts),
    )
    edit = NodeEdit(node, pinned.version(node), facts, replace=True)
    draft = await asyncio.to_thread(apply_edits, graph, [edit], build=False)
    revision = await _commit(
        services, draft, author=admin.username, message=body.message or f"create {node}"
    )
    return _saved_json(revision, draft, await _node_json(services, node))


@router.patch("/nodes/{node_id}")
async def edit_node(
    node_id: str, body: NodeUpdate, services: ServicesDep, admin: AdminDep
) -> dict[str, Any]:
    """Add, remove or replace the node's facts, based on ``expected_version``: a node
    saved by someone else since is a 409 (reload, apply again); a bad value a 422."""
    pinned = await _pinned(services, [node_id])
    graph = pinned.snapshot.graph
    if node_id not in graph:
        raise NodeNotFoundError(node_id)
    current = pinned.version(node_id)
    if current != body.expected_version:
        raise StaleEditError(node_id, body.expected_version, current)
    if body.replace and not body.add:
        raise InvalidValueError(
            [Problem(node_id, "(all)", "an empty fact list would delete the node; use DELETE")]
        )
    edit = NodeEdit(
        node_id,
        body.expected_version,
        tuple(f.fact(node_id) for f in body.add),
        tuple(f.fact(node_id) for f in body.remove),
        body.replace,
    )
    draft = await asyncio.to_thread(apply_edits, graph, [edit], build=False)
    revision = await _commit(
        services, draft, author=admin.username, message=body.message or f"edit {node_id}"
    )
    return _saved_json(revision, draft, await _node_json(services, node_id))


@router.delete("/nodes/{node_id}")
async def delete_node(
    node_id: str,
    services: ServicesDep,
    admin: AdminDep,
    expected_version: Annotated[int, Query(ge=0, le=DB_INT_MAX)],
    detach: bool = False,
    message: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    """Delete the node. Edges from other nodes to it make this a 409 naming them, unless
    ``detach=true``: then those edges are removed in the same revision."""
    pinned = await _pinned(services, None)
    graph = pinned.snapshot.graph
    if node_id not in graph:
        raise NodeNotFoundError(node_id)
    current = pinned.version(node_id)
    if current != expected_version:
        raise StaleEditError(node_id, expected_version, current)
    incoming = [
        data["fact"] for source, _, data in graph.in_edges(node_id, data=True) if source != node_id
    ]
    if incoming and not detach:
        raise IncomingEdgesError(node_id, [(f.subject, f.predicate) for f in incoming])
    edits = [NodeEdit(node_id, expected_version, (), replace=True)]
    for source in dict.fromkeys(f.subject for f in incoming):
        cut = tuple(f for f in incoming if f.subject == source)
        edits.append(NodeEdit(source, pinned.version(source), remove=cut))
    draft = await asyncio.to_thread(apply_edits, graph, edits, build=False)
    revision = await _commit(
        services, draft, author=admin.username, message=message or f"delete {node_id}"
    )
    return _saved_json(revision, draft, None)


# --- revisions (the audit log) ---------------------------------------------------------------


@router.get("/revisions")
async def list_revisions(
    services: ServicesDep,
    admin: AdminDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1, le=DB_INT_MAX)] = None,
    node: Annotated[str | None, Query(max_length=255)] = None,
) -> dict[str, Any]:
    """Newest first: who saved what, when, with which message, and how much changed.
    ``node`` keeps the revisions that touched that node; ``before`` pages back."""
    store = services.knowledge.store

    def read() -> list[dict[str, Any]]:
        revisions = store.revisions()
        if node is not None:
            touched = set(node_revisions(store.engine, node))
            revisions = [r for r in revisions if r.id in touched]
        if before is not None:
            revisions = [r for r in revisions if r.id < before]
        page = list(reversed(revisions))[:limit]
        return [_revision_json(r, store.diff(r.id - 1, r.id)) for r in page]

    rows = await asyncio.to_thread(read)
    return {"head": await asyncio.to_thread(store.head_revision), "revisions": rows}


@router.get("/revisions/{revision_id}")
async def get_revision(
    revision_id: RevisionId, services: ServicesDep, admin: AdminDep
) -> dict[str, Any]:
    """One revision and its diff: the facts it added and removed, node by node."""
    store = services.knowledge.store

    def read() -> tuple[Revision, GraphDiff]:
        found = next((r for r in store.revisions() if r.id == revision_id), None)
        if found is None:
            raise RevisionNotFoundError(f"no revision {revision_id}")
        return found, store.diff(revision_id - 1, revision_id)

    revision, diff = await asyncio.to_thread(read)
    graph = services.knowledge.live.current.graph
    changes = []
    for changed in diff.changed_nodes:
        removed = [f for f in diff.removed if f.subject == changed]
        added = [f for f in diff.added if f.subject == changed]
        change = change_of(changed, removed, added)
        changes.append(
            {
                **change.to_json(),
                "name": display_name(graph, changed) if changed in graph else changed,
                "exists": changed in graph,
            }
        )
    return {
        "revision": _revision_json(revision, diff),
        "added": [f.as_dict(edge=True) for f in diff.added],
        "removed": [f.as_dict(edge=True) for f in diff.removed],
        "changes": changes,
    }


@router.post("/revisions/{revision_id}/revert")
async def revert(
    revision_id: RevisionId, services: ServicesDep, admin: AdminDep, body: RevertIn | None = None
) -> dict[str, Any]:
    """A new revision whose graph is the one right after ``revision_id`` (nothing is
    rewritten: the history keeps everything, the revert included)."""
    if revision_id < 1:
        raise RevisionNotFoundError(f"no revision {revision_id}")
    store = services.knowledge.store
    message = (body.message if body else None) or f"revert to revision {revision_id}"
    revision = await asyncio.to_thread(
        store.revert, revision_id, author=admin.username, message=message
    )
    if revision is None:
        return {"revision": None, "added": 0, "removed": 0}
    await services.knowledge.saved(services.hub)
    diff = await asyncio.to_thread(store.diff, revision.id - 1, revision.id)
    return {
        "revision": _revision_json(revision, diff),
        "added": len(diff.added),
        "removed": len(diff.removed),
    }


# --- import and export -------------------------------------------------------------------------


async def _upload(request: Request, fmt: ImportFormat | None) -> tuple[str, ImportFormat]:
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GraphFormatError(f"the file is not UTF-8 text: {error}") from error
    if fmt is None:
        kind = request.headers.get("content-type", "")
        fmt = ImportFormat.JSON if "json" in kind else ImportFormat.CSV
    if not text.strip():
        raise GraphFormatError("the file is empty")
    return text, fmt


async def _plan(
    services: Services, text: str, fmt: ImportFormat, mode: ImportMode
) -> tuple[Pinned, Draft]:
    pinned = await _pinned(services, None)
    graph = pinned.snapshot.graph

    def plan() -> Draft:
        known = graph.nodes if mode is ImportMode.MERGE else ()
        facts = read_upload(text, fmt, known_nodes=known)
        return plan_import(graph, facts, mode, versions=pinned.versions)

    return pinned, await asyncio.to_thread(plan)


@router.post("/import/preview")
async def import_preview(
    request: Request,
    services: ServicesDep,
    admin: AdminDep,
    format: ImportFormat | None = None,
    mode: ImportMode = ImportMode.MERGE,
) -> dict[str, Any]:
    """Send a CSV-triples or native JSON file as the body: what it would change, and a
    ``token`` to apply exactly that (refused once the graph has moved on)."""
    text, fmt = await _upload(request, format)
    pinned, draft = await _plan(services, text, fmt, mode)
    return {
        "token": preview_token(pinned.snapshot.revision, text, fmt, mode),
        "revision": pinned.snapshot.revision,
        "format": fmt.value,
        "mode": mode.value,
        "added": sum(len(c.added) for c in draft.changes),
        "removed": sum(len(c.removed) for c in draft.changes),
        "created": [c.node for c in draft.changes if c.created],
        "deleted": [c.node for c in draft.changes if c.deleted],
        "changed": [c.node for c in draft.changes if not (c.created or c.deleted)],
        "changes": [c.to_json() for c in draft.changes],
    }


@router.post("/import/apply")
async def import_apply(
    request: Request,
    services: ServicesDep,
    admin: AdminDep,
    token: Annotated[str, Query(min_length=3, max_length=100)],
    format: ImportFormat | None = None,
    mode: ImportMode = ImportMode.MERGE,
    message: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    """Apply a previewed file (the same body, format and mode, plus the preview's token)."""
    text, fmt = await _upload(request, format)
    base = check_token(token, text, fmt, mode)
    pinned, draft = await _plan(services, text, fmt, mode)
    head = pinned.snapshot.revision or 0
    if head != base:
        raise StalePreviewError(base, head)
    revision = await _commit(
        services, draft, author=admin.username, message=message or f"import ({mode.value})"
    )
    return {
        **_saved_json(revision, draft, None),
        "added": sum(len(c.added) for c in draft.changes),
        "removed": sum(len(c.removed) for c in draft.changes),
    }


@router.get("/export")
async def export(
    services: ServicesDep,
    admin: AdminDep,
    format: ImportFormat = ImportFormat.CSV,
    revision: Annotated[int | None, Query(ge=1, le=DB_INT_MAX)] = None,
) -> Response:
    """The graph at the head (or at ``revision``) as CSV triples or native JSON."""
    graph = await asyncio.to_thread(services.knowledge.store.graph_at, revision)
    number = graph.graph.get("revision") or 0
    if format is ImportFormat.CSV:
        body, media = dump_csv(graph), "text/csv; charset=utf-8"
    else:
        body, media = dump_json(graph), "application/json"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="kefu-graph-r{number}.{format.value}"'
        },
    )


# --- try it ----------------------------------------------------------------------------------


@router.post("/try")
async def try_it(body: TryIn, services: ServicesDep, admin: AdminDep) -> dict[str, Any]:
    """Answer ``question`` against the saved graph and against it with ``edits`` applied in
    memory (never saved): text, each claim's status, sources; invalid drafts are a 422."""
    snapshot = services.knowledge.live.current  # what the bot answers from right now
    draft = await asyncio.to_thread(apply_edits, snapshot.graph, [e.edit() for e in body.edits])
    pipeline = services.answers.pipeline
    saved_answer = pipeline.answer(snapshot.graph, body.question, mode=body.mode)
    if draft.changed and draft.graph is not None:
        draft_answer = pipeline.answer(draft.graph, body.question, mode=body.mode)
        saved, drafted = await asyncio.gather(saved_answer, draft_answer)
    else:
        saved = drafted = await saved_answer
    return {
        "question": body.question,
        "revision": snapshot.revision,
        "changes": [c.to_json() for c in draft.changes],
        "draft": drafted.to_json(),
        "saved": saved.to_json(),
    }
