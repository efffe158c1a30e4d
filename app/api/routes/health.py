"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import hmac
import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import ServicesDep

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and serving HTTP."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(services: ServicesDep) -> JSONResponse:
    """Ready for customers: the database answers and the assistant is loaded."""
    checks: dict[str, str] = {}
    try:
        await services.db.ping()
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("readiness: database unavailable: %s", exc)
        checks["database"] = "unavailable"
    checks["assistant"] = "ok" if services.assistant.engine is not None else "not loaded"
    ready = all(v == "ok" for v in checks.values())
    # Without Redis a scaled replica still serves its own connections: degraded, not down.
    checks["realtime"] = "degraded" if getattr(services.hub, "degraded", False) else "ok"
    # Knowledge answers are composed from the facts while the model loads or is away, so
    # the language model never holds up readiness; it is reported as it is.
    checks["model"] = await model_state(services.chat_model, services.settings.model_enabled)
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


async def model_state(model: object | None, enabled: bool) -> str:
    """``loading``, ``ok``, ``unavailable`` (or ``off`` when the settings disable it)."""
    if model is None:
        return "unavailable" if enabled else "off"
    state = getattr(model, "state", None)
    if state is not None:  # the in-process engine (its module is only loaded when one is)
        from model_runtime.engine import EngineState

        if state == EngineState.LOADING:
            return "loading"
        return "ok" if state == EngineState.READY else "unavailable"
    listing = getattr(model, "models", None)  # a remote OpenAI-compatible server
    if listing is not None:
        try:
            await asyncio.wait_for(listing(), timeout=2.0)
        except Exception as exc:
            log.warning("readiness: language model server unavailable: %s", exc)
            return "unavailable"
    return "ok"


@router.get("/metrics")
async def metrics(services: ServicesDep, request: Request) -> Response:
    """Prometheus metrics; with ``KEFU_METRICS_TOKEN`` set, only for its bearer."""
    token = services.settings.metrics_token
    if token is not None and not bearer_matches(
        request.headers.get("authorization"), token.get_secret_value()
    ):
        return JSONResponse(
            {"detail": "metrics need 'Authorization: Bearer <KEFU_METRICS_TOKEN>'"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="kefu metrics"'},
        )
    return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def bearer_matches(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``token`` as its bearer (compared in
    constant time)."""
    scheme, _, given = (header or "").partition(" ")
    return scheme.casefold() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )
