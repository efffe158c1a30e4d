"""The FastAPI application: ``create_app(settings)`` wires the edges to the services."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI

from app.admin import api_router as admin_kg_api
from app.admin import page_router as admin_kg_pages
from app.api.routes import conversations, health, users
from app.auth import routes as auth_routes
from app.chat import endpoint as chat_endpoint
from app.console import pages as console_pages
from app.console import routes as console_routes
from app.console import socket as console_socket
from app.db.orders import load_orders
from app.db.settings_audit import record_settings, settings_values
from app.security import HardeningMiddleware
from app.services import Services
from app.settings import Settings
from app.tasks.scheduler import run_periodic, watch
from app.web import routes as web_routes
from dialogue.orders import orders_from_csv

log = logging.getLogger(__name__)


async def load_demo_orders(services: Services) -> None:
    """Load the project's sample orders (store/orders.csv) once, dated relative to today."""
    path = services.settings.project_dir / "store" / "orders.csv"
    if not path.is_file():
        return
    async with services.db.session() as session:
        added = await load_orders(session, orders_from_csv(path, now=datetime.now(UTC)))
    if added:
        log.info("loaded %d sample orders from %s", added, path)


async def record_start_settings(services: Services) -> None:
    """Add this start's settings to the audit trail when they differ from the last start's
    (a failure is logged: the audit never keeps the product from starting)."""
    actor = f"kefu run@{socket.gethostname()}"[:128]
    try:
        async with services.db.session() as session:
            event = await record_settings(session, settings_values(services.settings), actor=actor)
            await session.commit()
    except Exception:
        log.exception("could not record the settings of this start")
        return
    if event is not None and event.changes:
        log.info("settings changed since the last start: %s", ", ".join(sorted(event.changes)))


def create_app(settings: Settings, *, services: Services | None = None) -> FastAPI:
    """Build the app. ``services`` defaults to ``Services.build(settings)`` at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        live = services or Services.build(settings)
        app.state.services = live
        await load_demo_orders(live)
        await record_start_settings(live)
        recovered = await live.bot.recover()
        if recovered:
            log.info("resuming %d conversation(s) with unanswered messages", recovered)
        background = [
            asyncio.create_task(live.knowledge.follow(live.hub)),
            # A lost notification is made up for by polling the store's head revision.
            # (`kefu kg import` from another process notifies nobody: its revision is found
            # here within graph_watch_seconds.)
            asyncio.create_task(watch(live.knowledge.refresh, every=settings.graph_watch_seconds)),
            asyncio.create_task(
                watch(
                    lambda: live.assistant.reload_if_changed(settings, train=live.jobs.eager),
                    every=settings.model_watch_seconds,
                )
            ),
        ]
        if live.jobs.eager:
            background.append(asyncio.create_task(run_periodic(live.jobs)))
        # Everything built so far (models, graph, domain, the app) lives as long as the
        # process: out of the collector's way, a full collection walks only what turns make.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await live.aclose()

    app = FastAPI(
        title="kefu",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    app.add_middleware(
        HardeningMiddleware,
        max_body_bytes=settings.max_request_bytes,
        api_rate=settings.api_requests_per_second,
        api_burst=settings.api_request_burst,
    )
    app.include_router(health.router)
    app.include_router(conversations.router)
    app.include_router(chat_endpoint.router)
    app.include_router(auth_routes.router)
    app.include_router(users.router)
    app.include_router(users.stats_router)
    app.include_router(console_routes.router)
    app.include_router(console_socket.router)
    app.include_router(console_pages.router)
    app.include_router(web_routes.router)
    app.include_router(admin_kg_api)
    app.include_router(admin_kg_pages)
    return app
