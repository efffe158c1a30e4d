"""The protocol core on its own: frames in, typed values or error codes out."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.chat.exceptions import ProtocolError
from app.chat.protocol import (
    ErrorCode,
    Hello,
    Ping,
    Read,
    SendMessage,
    TokenBucket,
    Typing,
    message_frame,
    parse_frame,
)

LIMIT = 4000


def parse(raw: str | bytes | None) -> object:
    return parse_frame(raw, max_message_chars=LIMIT)


def code_of(raw: str | bytes | None) -> ErrorCode:
    with pytest.raises(ProtocolError) as info:
        parse(raw)
    return info.value.code


def test_hello_new_conversation() -> None:
    frame = parse(
        json.dumps(
            {
                "type": "hello",
                "conversation_id": None,
                "resume_token": None,
                "last_seq": 0,
                "locale": "zh",
            }
        )
    )
    assert frame == Hello(None, None, 0, "zh")


def test_hello_defaults_when_fields_missing() -> None:
    assert parse('{"type":"hello"}') == Hello(None, None, 0, None)


def test_resume_without_token_is_unauthorized() -> None:
    assert code_of('{"type":"hello","conversation_id":"abc"}') == ErrorCode.UNAUTHORIZED


@pytest.mark.parametrize(
    "raw, code",
    [
        ("not json", ErrorCode.BAD_JSON),
        ("{", ErrorCode.BAD_JSON),
        (b"\x00\x01binary", ErrorCode.BAD_FRAME),
        ("[1,2]", ErrorCode.BAD_FRAME),
        ('"hello"', ErrorCode.BAD_FRAME),
        ("{}", ErrorCode.BAD_FRAME),
        ('{"type":42}', ErrorCode.BAD_FRAME),
        ('{"type":"dance"}', ErrorCode.BAD_FRAME),
        ('{"type":"message","text":"hi"}', ErrorCode.BAD_FRAME),
        ('{"type":"message","client_id":"a"}', ErrorCode.BAD_FRAME),
        ('{"type":"message","client_id":"a","text":"   "}', ErrorCode.BAD_FRAME),
        ('{"type":"message","client_id":5,"text":"hi"}', ErrorCode.BAD_FRAME),
        ('{"type":"message","client_id":"","text":"hi"}', ErrorCode.BAD_FRAME),
        ('{"type":"hello","last_seq":-1}', ErrorCode.BAD_FRAME),
        ('{"type":"hello","last_seq":true}', ErrorCode.BAD_FRAME),
        ('{"type":"hello","locale":"fr"}', ErrorCode.BAD_FRAME),
        ('{"type":"typing","on":"yes"}', ErrorCode.BAD_FRAME),
        ('{"type":"read","seq":-3}', ErrorCode.BAD_FRAME),
        ('{"type":"message","client_id":"a","text":"\\ud800"}', ErrorCode.BAD_FRAME),
        ('{"type":"message","client_id":"a","text":"nul \\u0000 byte"}', ErrorCode.BAD_FRAME),
        ('{"type":"hello","conversation_id":"\\u0000","resume_token":"t"}', ErrorCode.BAD_FRAME),
        ("[" * 100_000 + "]" * 100_000, ErrorCode.BAD_JSON),
    ],
)
def test_bad_frames_get_the_right_code(raw: str | bytes, code: ErrorCode) -> None:
    assert code_of(raw) == code


def test_message_limit_is_characters_not_bytes() -> None:
    ok = parse(json.dumps({"type": "message", "client_id": "c1", "text": "好" * LIMIT}))
    assert isinstance(ok, SendMessage) and len(ok.text) == LIMIT
    too_long = json.dumps({"type": "message", "client_id": "c1", "text": "好" * (LIMIT + 1)})
    assert code_of(too_long) == ErrorCode.TOO_LONG


def test_other_frames() -> None:
    assert parse('{"type":"ping"}') == Ping()
    assert parse('{"type":"typing","on":true}') == Typing(True)
    assert parse('{"type":"read","seq":7}') == Read(7)


@given(st.text(max_size=200))
def test_any_text_is_a_frame_or_a_protocol_error(raw: str) -> None:
    try:
        parse(raw)
    except ProtocolError as exc:
        assert exc.code in set(ErrorCode)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_any_json_value_is_a_frame_or_a_protocol_error(value: object) -> None:
    try:
        parse(json.dumps(value))
    except ProtocolError as exc:
        assert exc.code in set(ErrorCode)


def test_token_bucket_allows_burst_then_rate() -> None:
    bucket = TokenBucket(rate=10, burst=10)
    assert all(bucket.allow(0.0) for _ in range(10))
    assert not bucket.allow(0.0)
    assert bucket.allow(0.1)  # one token back after 1/10 s
    assert not bucket.allow(0.1)
    assert all(bucket.allow(1.2) for _ in range(10))


def test_message_frame_hides_private_fields() -> None:
    frame = message_frame(
        seq=3,
        role="bot",
        text="hi",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        extra={"sources": [{"text": "fact"}], "claims": [{"status": "supported"}], "parse": {}},
    )
    assert frame["sources"] == [{"text": "fact"}]
    assert "claims" not in frame and "parse" not in frame
