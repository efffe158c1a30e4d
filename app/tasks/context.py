"""What background jobs run with: the settings and a sync database engine (per process)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import httpx
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from app.db.engine import sync_url
from app.settings import Settings
from app.webhooks.delivery import WebhookTarget


@dataclass
class JobContext:
    settings: Settings
    _http: httpx.Client | None = field(default=None, init=False, repr=False)

    @cached_property
    def engine(self) -> Engine:
        url = sync_url(self.settings.resolved_database_url)
        kwargs = {"pool_pre_ping": True}
        engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            from sqlalchemy import event

            from app.db.engine import _tune_sqlite

            event.listen(engine, "connect", _tune_sqlite)
        return engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(follow_redirects=False)
        return self._http

    @property
    def webhook_target(self) -> WebhookTarget | None:
        s = self.settings
        if not s.webhook_url or s.webhook_secret is None:
            return None
        return WebhookTarget(
            s.webhook_url, s.webhook_secret.get_secret_value(), s.webhook_max_attempts
        )

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
        if "engine" in self.__dict__:
            self.engine.dispose()
