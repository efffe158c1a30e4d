"""Background jobs with real parts: a real database, a real HTTP receiver for webhooks,
and a real server emitting events."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.db import Database
from app.db.migrate import upgrade
from app.db.models import Conversation, JobRun, Message, WebhookDelivery
from app.settings import Settings
from app.tasks import jobs
from app.tasks.context import JobContext
from app.webhooks import outbox, sign, verify
from app.webhooks.delivery import backoff
from tests.chat_client import ChatClient
from tests.servers import ServerProcess
from tests.webhook_receiver import Receiver

SECRET = "test-webhook-secret"


def test_signatures() -> None:
    body = b'{"a":1}'
    signature = sign(SECRET, 1_700_000_000, body)
    assert signature.startswith("sha256=") and len(signature) == 71
    assert verify(SECRET, 1_700_000_000, body, signature, now=1_700_000_100)
    assert not verify(SECRET, 1_700_000_000, body + b" ", signature, now=1_700_000_100)
    assert not verify("other", 1_700_000_000, body, signature, now=1_700_000_100)
    assert not verify(SECRET, 1_700_000_000, body, signature, now=1_700_001_000), "replay window"


def test_backoff_doubles_with_jitter_and_a_cap() -> None:
    import random

    rng = random.Random(1)
    delays = [backoff(n, rng) for n in range(1, 6)]
    for n, delay in enumerate(delays, start=1):
        assert 0.8 * 2**n <= delay <= 1.2 * 2**n
    assert backoff(50, rng) <= 3600 * 1.2


@pytest.fixture
def context(tmp_path: Path) -> Iterator[JobContext]:
    yield from _context(tmp_path, Receiver())


def _context(tmp_path: Path, receiver: Receiver, **overrides: object) -> Iterator[JobContext]:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    upgrade(url)
    with receiver:
        settings = Settings(
            data_dir=tmp_path,
            database_url=url,
            webhook_url=receiver.url,
            webhook_secret=SECRET,
            webhook_max_attempts=3,
            **overrides,  # type: ignore[arg-type]
        )
        ctx = JobContext(settings)
        ctx.receiver = receiver  # type: ignore[attr-defined]
        try:
            yield ctx
        finally:
            ctx.close()


def record(ctx: JobContext, event: str = "message") -> str:
    async def go() -> str:
        db = Database(ctx.settings.resolved_database_url)
        try:
            return await outbox.record(db, event, {"conversation_id": "c1", "text": "你好"})
        finally:
            await db.dispose()

    return asyncio.run(go())


def make_due(ctx: JobContext) -> None:
    with ctx.sessions() as session:
        session.execute(update(WebhookDelivery).values(next_attempt_at=datetime.now(UTC)))
        session.commit()


def test_delivery_is_signed_and_happens_once(context: JobContext) -> None:
    delivery_id = record(context)
    assert jobs.deliver_webhook(context, delivery_id) == "delivered"
    assert jobs.deliver_webhook(context, delivery_id) == "delivered"  # a retried task
    assert jobs.deliver_due_webhooks(context) == {}
    received = context.receiver.received  # type: ignore[attr-defined]
    assert len(received) == 1
    got = received[0]
    assert got.headers["X-Kefu-Delivery"] == delivery_id
    assert got.headers["X-Kefu-Event"] == "message"
    assert verify(
        SECRET,
        int(got.headers["X-Kefu-Timestamp"]),
        got.body,
        got.headers["X-Kefu-Signature"],
        now=int(time.time()),
    )
    assert got.json["data"]["text"] == "你好" and got.json["id"] == delivery_id


def test_failures_back_off_then_dead_letter(tmp_path: Path) -> None:
    for ctx in _context(tmp_path, Receiver(fail_first=10)):
        delivery_id = record(ctx)
        assert jobs.deliver_webhook(ctx, delivery_id) == "pending"
        # Not due yet: a second run does not hammer the receiver.
        assert jobs.deliver_webhook(ctx, delivery_id) == "pending"
        assert ctx.receiver.attempts == 1  # type: ignore[attr-defined]
        with ctx.sessions() as session:
            row = session.get(WebhookDelivery, delivery_id)
            assert row is not None and row.attempts == 1 and row.last_error == "HTTP 503"
            due = row.next_attempt_at.replace(tzinfo=UTC)
            assert timedelta(seconds=1) < due - datetime.now(UTC) < timedelta(seconds=3)
        make_due(ctx)
        assert jobs.deliver_due_webhooks(ctx) == {"pending": 1}
        make_due(ctx)
        assert jobs.deliver_due_webhooks(ctx) == {"dead": 1}
        make_due(ctx)
        assert jobs.deliver_due_webhooks(ctx) == {}, "a dead letter is not retried"
        with ctx.sessions() as session:
            row = session.get(WebhookDelivery, delivery_id)
            assert row is not None and row.status == "dead" and row.attempts == 3


def test_recovers_after_the_receiver_comes_back(tmp_path: Path) -> None:
    for ctx in _context(tmp_path, Receiver(fail_first=1)):
        delivery_id = record(ctx)
        assert jobs.deliver_webhook(ctx, delivery_id) == "pending"
        make_due(ctx)
        assert jobs.deliver_due_webhooks(ctx) == {"delivered": 1}
        assert len(ctx.receiver.received) == 1  # type: ignore[attr-defined]


def seed_conversations(ctx: JobContext) -> None:
    old, new = datetime.now(UTC) - timedelta(days=40), datetime.now(UTC)
    with ctx.sessions() as session:
        for cid, when in (("old", old), ("new", new)):
            session.add(
                Conversation(
                    id=cid,
                    resume_token_hash="x",
                    status="bot",
                    last_seq=1,
                    bot_cursor=1,
                    created_at=when,
                    updated_at=when,
                    status_changed_at=when,
                    summary="s",
                    csat_comment="c",
                )
            )
            session.add(
                Message(
                    conversation_id=cid,
                    seq=1,
                    role="customer",
                    text=f"secret {cid}",
                    extra={},
                    created_at=when,
                )
            )
        session.commit()


@pytest.mark.parametrize("action", ["redact", "delete"])
def test_retention_runs_once_a_day(tmp_path: Path, action: str) -> None:
    for ctx in _context(tmp_path, Receiver(), retention_days=30, retention_action=action):
        seed_conversations(ctx)
        today = datetime.now(UTC).date().isoformat()
        first = jobs.apply_retention(ctx, today=today)
        assert first["conversations"] == 1 and first["action"] == action
        assert jobs.apply_retention(ctx, today=today) == first, "a rerun returns the first result"
        with ctx.sessions() as session:
            texts = dict(session.execute(select(Message.conversation_id, Message.text)).all())
            assert texts["new"] == "secret new"
            if action == "delete":
                assert "old" not in texts and session.get(Conversation, "old") is None
            else:
                assert texts["old"] == "[redacted]"
                old = session.get(Conversation, "old")
                assert old is not None and old.summary is None and old.csat_comment is None
            assert session.get(JobRun, f"retention:{today}").status == "done"  # type: ignore[union-attr]


def test_nightly_nlu_evaluation_scores_the_live_model_once(
    trained_data_dir: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    upgrade(url)
    ctx = JobContext(Settings(data_dir=trained_data_dir, database_url=url))
    try:
        report = jobs.evaluate_nlu(ctx, day="2026-11-01")
        assert report["test_files"] == ["nlu_test.yml"] and report["n"] >= 200
        assert 0.8 <= report["intent"]["accuracy"] <= 1.0
        assert "order_status" in report["intent"]["per_intent"]
        assert report["error_count"] >= len(report["errors"])
        assert all({"text", "intent", "predicted"} <= set(e) for e in report["errors"])
        again = jobs.evaluate_nlu(ctx, day="2026-11-01")
        assert again == report, "a rerun for the same day and model returns the stored report"
        with ctx.sessions() as session:
            runs = session.execute(select(JobRun).where(JobRun.job == "nlu-eval")).scalars().all()
            assert [r.status for r in runs] == ["done"]
    finally:
        ctx.close()


def test_nlu_evaluation_without_tests_says_so(trained_data_dir: Path, tmp_path: Path) -> None:
    import shutil

    project = tmp_path / "assistant"
    shutil.copytree(Settings().project_dir, project, ignore=shutil.ignore_patterns("tests"))
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    upgrade(url)
    ctx = JobContext(Settings(data_dir=tmp_path, database_url=url, project_dir=project))
    try:
        report = jobs.evaluate_nlu(ctx, day="2026-11-01")
        assert report["skipped"] == "no NLU tests in tests/"
    finally:
        ctx.close()


def test_transcript_export_json_and_csv(context: JobContext) -> None:
    seed_conversations(context)
    today = datetime.now(UTC).date().isoformat()
    result = jobs.export_transcripts(context, day=today, fmt="json")
    assert result["messages"] == 1
    rows = json.loads(Path(result["path"]).read_text(encoding="utf-8"))
    assert rows == [
        {
            "conversation_id": "new",
            "seq": 1,
            "role": "customer",
            "text": "secret new",
            "created_at": rows[0]["created_at"],
            "agent": None,
        }
    ]
    assert jobs.export_transcripts(context, day=today, fmt="json") == result
    csv_result = jobs.export_transcripts(context, day=today, fmt="csv")
    lines = Path(csv_result["path"]).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "conversation_id,seq,role,text,created_at,agent" and len(lines) == 2


@pytest.mark.slow
async def test_a_conversation_emits_signed_events(trained_data_dir: Path, tmp_path: Path) -> None:
    with Receiver() as receiver:
        server = ServerProcess(
            data_dir=trained_data_dir,
            database_url=f"sqlite:///{tmp_path / 'kefu.db'}",
            env={"KEFU_WEBHOOK_URL": receiver.url, "KEFU_WEBHOOK_SECRET": SECRET},
        ).start()
        try:
            client = await ChatClient.connect(server.ws_url)
            await client.hello()
            ack = await client.say("hi")
            await client.bot_reply(after_seq=ack["seq"])
            deadline = time.monotonic() + 20
            while len(receiver.received) < 3 and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            events = [r.json["event"] for r in receiver.received]
            assert events.count("conversation.created") == 1
            assert events.count("message") == 2
            for r in receiver.received:
                assert verify(
                    SECRET,
                    int(r.headers["X-Kefu-Timestamp"]),
                    r.body,
                    r.headers["X-Kefu-Signature"],
                    now=int(time.time()),
                )
            await client.close()
        finally:
            server.stop()


async def test_a_changed_project_is_retrained_and_hot_loaded(tmp_path: Path) -> None:
    """Embedded mode: the app notices the project changed, trains it, swaps the model live."""
    import shutil

    project = tmp_path / "moodbot"
    fixture = Path(__file__).resolve().parents[1] / "dialogue" / "fixtures" / "rasa" / "moodbot"
    shutil.copytree(fixture, project)
    server = ServerProcess(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'kefu.db'}",
        env={"KEFU_PROJECT_DIR": str(project), "KEFU_MODEL_WATCH_SECONDS": "1"},
    )
    (tmp_path / "data").mkdir()
    server.start(timeout=180)
    try:

        async def greeting() -> str:
            client = await ChatClient.connect(server.ws_url)
            await client.hello()
            ack = await client.say("hello there")
            reply = await client.bot_reply(after_seq=ack["seq"])
            await client.close()
            return str(reply["text"])

        assert await greeting() == "Hey! How are you?"
        domain = project / "domain.yml"
        domain.write_text(
            domain.read_text(encoding="utf-8").replace(
                "Hey! How are you?", "Hello from the retrained assistant!"
            ),
            encoding="utf-8",
        )
        deadline = time.monotonic() + 150
        while (text := await greeting()) != "Hello from the retrained assistant!":
            assert text == "Hey! How are you?", text  # the old model until the swap
            assert time.monotonic() < deadline, "the changed project was not hot-loaded"
            await asyncio.sleep(1)
    finally:
        server.stop()
