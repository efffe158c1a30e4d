"""The background jobs, as plain functions of a JobContext (Celery tasks wrap them).

Every job is idempotent: webhook deliveries check and claim their outbox row; dated jobs
(retention, exports, NLU evaluations) record a JobRun under a key and return the recorded
result when run again; summaries and retraining overwrite with the same result.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.console.summary import summarize
from app.db.models import (
    AgentNote,
    Conversation,
    JobRun,
    Message,
    TrackerEvent,
)
from app.tasks.context import JobContext
from app.webhooks import delivery

log = logging.getLogger(__name__)
REDACTED = "[redacted]"


def deliver_webhook(ctx: JobContext, delivery_id: str) -> str:
    target = ctx.webhook_target
    if target is None:
        return "disabled"
    with ctx.sessions() as session:
        return delivery.deliver(session, delivery_id, target, ctx.http)


def deliver_due_webhooks(ctx: JobContext) -> dict[str, int]:
    target = ctx.webhook_target
    counts: dict[str, int] = {}
    if target is None:
        return counts
    with ctx.sessions() as session:
        for delivery_id in delivery.due_deliveries(session):
            status = delivery.deliver(session, delivery_id, target, ctx.http)
            counts[status] = counts.get(status, 0) + 1
    return counts


def summarize_conversation(ctx: JobContext, conversation_id: str) -> str | None:
    """Store a summary of the conversation so far (at handoff and at close)."""
    with ctx.sessions() as session:
        events = [
            dict(e.data)
            for e in session.execute(
                select(TrackerEvent)
                .where(TrackerEvent.conversation_id == conversation_id)
                .order_by(TrackerEvent.idx)
            ).scalars()
        ]
        messages = [
            {"role": m.role, "text": m.text}
            for m in session.execute(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.seq)
            ).scalars()
        ]
        if not messages:
            return None
        text = summarize(events, messages)
        session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(summary=text)
        )
        session.commit()
        return text


def once(ctx: JobContext, key: str, job: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` unless a run under ``key`` finished already; return that run's result."""
    with ctx.sessions() as session:
        existing = session.get(JobRun, key)
        if existing is not None and existing.status == "done":
            return dict(existing.result)
        if existing is None:
            session.add(JobRun(key=key, job=job, status="running"))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # another worker started it at the same moment
                return {"skipped": "running elsewhere"}
    try:
        result = work()
    except Exception as exc:
        with ctx.sessions() as session:
            session.execute(
                update(JobRun)
                .where(JobRun.key == key)
                .values(status="failed", result={"error": str(exc)})
            )
            session.commit()
        raise
    with ctx.sessions() as session:
        session.execute(
            update(JobRun)
            .where(JobRun.key == key)
            .values(status="done", result=result, finished_at=datetime.now(UTC))
        )
        session.commit()
    return result


def apply_retention(ctx: JobContext, *, today: str | None = None) -> dict[str, Any]:
    """Delete or redact conversations older than ``retention_days`` (once per day)."""
    days = ctx.settings.retention_days
    if days is None:
        return {"disabled": True}
    day = today or datetime.now(UTC).date().isoformat()
    cutoff = datetime.fromisoformat(day).replace(tzinfo=UTC) - timedelta(days=days)
    action = ctx.settings.retention_action

    def work() -> dict[str, Any]:
        with ctx.sessions() as session:
            old = list(
                session.execute(
                    select(Conversation.id).where(Conversation.updated_at < cutoff)
                ).scalars()
            )
            if old and action == "delete":
                for table in (Message, TrackerEvent, AgentNote):
                    session.execute(delete(table).where(table.conversation_id.in_(old)))
                session.execute(delete(Conversation).where(Conversation.id.in_(old)))
            elif old:
                session.execute(
                    update(Message)
                    .where(Message.conversation_id.in_(old))
                    .values(text=REDACTED, extra={})
                )
                session.execute(delete(TrackerEvent).where(TrackerEvent.conversation_id.in_(old)))
                session.execute(
                    update(AgentNote)
                    .where(AgentNote.conversation_id.in_(old))
                    .values(text=REDACTED)
                )
                session.execute(
                    update(Conversation)
                    .where(Conversation.id.in_(old))
                    .values(summary=None, csat_comment=None)
                )
            session.commit()
        return {"action": action, "conversations": len(old), "cutoff": cutoff.isoformat()}

    return once(ctx, f"retention:{day}", "retention", work)


def export_transcripts(ctx: JobContext, *, day: str, fmt: str = "json") -> dict[str, Any]:
    """Write every conversation updated on ``day`` (UTC) to data_dir/exports; once per day and format."""
    if fmt not in ("json", "csv"):
        raise ValueError("export format is json or csv")
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    end = start + timedelta(days=1)
    out_dir = ctx.settings.data_dir / "exports"

    def work() -> dict[str, Any]:
        with ctx.sessions() as session:
            rows = session.execute(
                select(Message)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Conversation.updated_at >= start, Conversation.updated_at < end)
                .order_by(Message.conversation_id, Message.seq)
            ).scalars()
            messages = [transcript_row(m) for m in rows]
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"transcripts-{day}.{fmt}"
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(render_transcripts(messages, fmt), encoding="utf-8")
        tmp.replace(path)  # readers never see half a file
        return {"path": str(path), "messages": len(messages)}

    return once(ctx, f"export:{day}:{fmt}", "export", work)


TRANSCRIPT_FIELDS = ("conversation_id", "seq", "role", "text", "created_at", "agent")


def transcript_row(message: Message) -> dict[str, Any]:
    created = (
        message.created_at if message.created_at.tzinfo else message.created_at.replace(tzinfo=UTC)
    )
    return {
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "role": message.role,
        "text": message.text,
        "created_at": created.isoformat(),
        "agent": (message.extra or {}).get("agent"),
    }


def render_transcripts(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TRANSCRIPT_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def retrain_if_changed(ctx: JobContext) -> str:
    """Train the project when its content changed (a model per content fingerprint)."""
    from app.bot import ensure_trained

    return str(ensure_trained(ctx.settings))


NLU_EVALUATION = "nlu-eval"
REPORTED_ERRORS = 50


def evaluate_nlu(ctx: JobContext, *, day: str) -> dict[str, Any]:
    """Score the live assistant's NLU on the project's held-out tests (once per day and model).

    The test set is every file under the project's tests/ with an ``nlu:`` section, as
    ``kefu test nlu --data`` reads it; the model is the trained one for the project's
    current content (trained first if missing, as the app does). The report is stored as
    the JobRun's result; admins see it on the operations page.
    """
    import yaml

    from app.bot import ensure_trained
    from dialogue import Project
    from dialogue.nlu.evaluation import predict, score
    from dialogue.training import load_trained
    from dialogue.training_data import TrainingData, read_nlu_file

    project = Project.load(ctx.settings.project_dir)
    test_data = TrainingData()
    test_files: list[str] = []
    for file in project.test_files:
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
        if isinstance(document, dict) and "nlu" in document:
            test_data = test_data.merge(read_nlu_file(file))
            test_files.append(file.name)
    fingerprint = project.fingerprint()

    def work() -> dict[str, Any]:
        if not test_data.intent_examples:
            return {"day": day, "model": fingerprint, "skipped": "no NLU tests in tests/"}
        trained = load_trained(ctx.settings.models_dir, project)
        if trained is None:
            ensure_trained(ctx.settings)
            trained = load_trained(ctx.settings.models_dir, project)
        assert trained is not None
        report = score(predict(trained.nlu.parse, test_data.intent_examples))
        return {
            "day": day,
            "model": fingerprint,
            "test_files": test_files,
            **report.to_json(),
            "errors": list(report.errors[:REPORTED_ERRORS]),
            "error_count": len(report.errors),
        }

    return once(ctx, f"{NLU_EVALUATION}:{day}:{fingerprint[:16]}", NLU_EVALUATION, work)


def exports_dir(ctx: JobContext) -> Path:
    return ctx.settings.data_dir / "exports"
