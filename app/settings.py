"""The one typed settings object.

Built once at start-up (``Settings()`` reads ``KEFU_*`` environment variables and an
optional ``.env`` file) and passed down explicitly; nothing else in kefu reads the
environment. See docs/configuration.md for every field.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

import assistants
from app.chat.origins import WidgetOrigins

DEMO_PROJECT = Path(assistants.__file__).resolve().parent / "acme"


class DeploymentMode(StrEnum):
    EMBEDDED = "embedded"
    SCALED = "scaled"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KEFU_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- where things live -------------------------------------------------------------
    data_dir: Path = Field(
        default=Path(".kefu"),
        description="SQLite file, trained models and caches live here (embedded mode).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: a SQLite file in data_dir. "
        "PostgreSQL: postgresql://user@host:5432/db",
    )
    project_dir: Path = Field(
        default=DEMO_PROJECT, description="The assistant project (Rasa 3 layout)."
    )

    # --- HTTP server -------------------------------------------------------------------
    host: str = Field(default="127.0.0.1", description="Interface to listen on.")
    port: int = Field(default=8000, description="Port to listen on.")
    mode: DeploymentMode = Field(
        default=DeploymentMode.EMBEDDED,
        description="embedded: one process, SQLite, migrations on start; scaled: see deployment.md",
    )

    # --- websocket protocol limits -----------------------------------------------------
    max_message_chars: int = Field(default=4000, ge=1, description="Longest customer message.")
    max_frame_bytes: int = Field(
        default=64 * 1024, ge=1024, description="Larger websocket frames close the connection."
    )
    messages_per_second: float = Field(
        default=10.0, gt=0, description="Sustained messages a second per connection."
    )
    message_burst: int = Field(default=10, ge=1, description="Messages allowed at once.")
    max_connections: int = Field(default=5000, ge=1, description="Customer websockets per process.")
    max_connections_per_address: int = Field(
        default=100, ge=1, description="Customer websockets per client address."
    )
    tracker_snapshot_events: int = Field(
        default=20_000,
        ge=0,
        description="Tracker events each process keeps folded for recent conversations' "
        "next turns (least recently used out).",
    )
    max_request_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest HTTP request body."
    )
    api_requests_per_second: float = Field(
        default=50.0, gt=0, description="Sustained /api requests a second per client address."
    )
    api_request_burst: int = Field(default=100, ge=1, description="/api requests allowed at once.")
    widget_origins: str | None = Field(
        default=None,
        description=(
            "Sites that embed the chat widget, comma-separated (https://shop.example); the "
            "server's own pages always, this machine's (localhost) while unset; * for any."
        ),
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies trusted for X-Forwarded-For (client addresses behind nginx).",
    )

    # --- bot -------------------------------------------------------------------------
    store_name: str | None = Field(
        default=None,
        description="The business the assistant speaks for (prompts, the shop page); "
        "default: the project's config.yml assistant_name.",
    )
    nlu_fallback_threshold: float = Field(
        default=0.45, ge=0.0, le=1.0, description="Below this intent confidence: utter_default."
    )
    train_on_start: bool = Field(
        default=True, description="kefu run trains the assistant when no model fits it."
    )
    model_watch_seconds: float = Field(
        default=30.0, gt=0, description="How often the app looks for a changed project/model."
    )
    graph_watch_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How often the app looks for a newer graph revision (one small query); "
        "an import from another process (kefu kg import) is answered from within this time.",
    )

    # --- human agents ----------------------------------------------------------------
    support_hours: str = Field(
        default="Mon-Fri 09:00-18:00 +08:00",
        description="When agents work; outside these hours customers are asked to leave a message.",
    )
    agent_capacity: int = Field(
        default=5, ge=1, description="Conversations auto-assigned to one agent at most."
    )
    demo_accounts: bool = Field(
        default=True,
        description="Embedded mode creates a demo agent and admin on first start (printed once).",
    )

    metrics_token: SecretStr | None = Field(
        default=None,
        description="When set, /metrics needs 'Authorization: Bearer <token>' (401 otherwise).",
    )

    # --- background jobs ----------------------------------------------------------------
    webhook_url: str | None = Field(
        default=None, description="Events are POSTed here, signed with HMAC-SHA256."
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="The HMAC key for webhook signatures (required with a URL)."
    )
    webhook_max_attempts: int = Field(
        default=6, ge=1, le=20, description="Tries before a delivery becomes a dead letter."
    )
    retention_days: int | None = Field(
        default=None, ge=1, description="Conversations older than this are deleted or redacted."
    )
    retention_action: Literal["delete", "redact"] = Field(
        default="redact", description="delete: remove; redact: keep metadata, blank the text."
    )

    # --- scaled mode -------------------------------------------------------------------
    redis_url: str | None = Field(
        default=None, description="Pub/sub, locks, Celery broker. None: in-process."
    )
    celery_broker_url: str | None = Field(
        default=None, description="Celery broker; default redis_url; none: tasks run eagerly."
    )

    # --- model runtime -----------------------------------------------------------------
    model_name: str = Field(
        default="qwen2.5-0.5b-instruct",
        description="A packaged model name, a local HF directory, a GGUF file or a hub id.",
    )
    model_device: str = Field(default="auto", description="auto, cpu, cuda, cuda:1, ...")
    model_dtype: str = Field(default="auto", description="auto, bfloat16, float16, float32")
    model_url: str | None = Field(
        default=None,
        description="An OpenAI-compatible server (kefu model serve, vLLM). None: in-process.",
    )
    model_api_key: SecretStr | None = Field(
        default=None, description="API key for model_url, if the server needs one."
    )
    model_enabled: bool = Field(
        default=True, description="False: knowledge answers are composed from facts only."
    )

    @model_validator(mode="after")
    def _widget_origins_are_origins(self) -> Settings:
        WidgetOrigins.parse(self.widget_origins)  # ValueError naming the bad entry
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("KEFU_WEBHOOK_URL needs KEFU_WEBHOOK_SECRET to sign deliveries")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kefu.db').resolve()}"

    @functools.cached_property
    def business_name(self) -> str:
        """``store_name``, else the project's ``assistant_name``, else "our store" (read
        once: settings are built once at start-up)."""
        if self.store_name:
            return self.store_name
        from dialogue.project import ProjectConfig

        config = self.project_dir / "config.yml"
        from dialogue.exceptions import DialogueError

        try:
            name = ProjectConfig.from_yaml(config.read_text(encoding="utf-8")).assistant_name
        except (OSError, DialogueError):
            name = None
        return name or "our store"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"
