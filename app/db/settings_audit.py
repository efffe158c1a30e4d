"""The audit trail of settings: what each start ran with, when it differs from the last.

Settings come from the environment and ``.env`` (``app.settings``), so they change between
starts, by whoever deploys. Each start compares its settings with the last recorded ones
and records the differences (who: the process, ``kefu run@HOST``). Secrets are never
stored: a secret is recorded as a fingerprint (whether it changed shows, its value does
not), and passwords in URLs are masked.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import SettingsEvent
from app.settings import Settings

__all__ = ["record_settings", "settings_values"]

_CREDENTIALS = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@]*):(?P<password>[^@/]*)@"
)


def settings_values(settings: Settings) -> dict[str, str]:
    """Every setting as recorded: its value as text, a secret as ``set (fingerprint)`` or
    ``unset``, a URL with its password masked."""
    values: dict[str, str] = {}
    for name in sorted(type(settings).model_fields):
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            digest = hashlib.sha256(secret.encode()).hexdigest()[:12]
            values[name] = f"set (sha256 {digest})"
        elif value is None:
            values[name] = "unset"
        else:
            values[name] = _CREDENTIALS.sub(r"\g<scheme>\g<user>:***@", str(value))
    return values


async def record_settings(
    session: AsyncSession, values: dict[str, str], *, actor: str
) -> SettingsEvent | None:
    """Record ``values`` when they differ from the last recorded settings (the first start
    records them all); None when nothing changed. The caller commits."""
    last = (
        await session.execute(select(SettingsEvent).order_by(SettingsEvent.id.desc()).limit(1))
    ).scalar_one_or_none()
    before: dict[str, Any] = dict(last.values) if last is not None else {}
    changes = {
        name: {"from": before.get(name), "to": value}
        for name, value in values.items()
        if before.get(name) != value
    }
    changes.update(
        {name: {"from": value, "to": None} for name, value in before.items() if name not in values}
    )
    if last is not None and not changes:
        return None
    event = SettingsEvent(actor=actor, changes=changes if last is not None else {}, values=values)
    session.add(event)
    return event
