"""Server-sent events: encoding and incremental parsing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from model_runtime.sse import ServerSentEvent, SSEDecoder, encode_event


def test_events_survive_any_split_of_the_bytes() -> None:
    stream = (
        encode_event('{"a": 1}') + encode_event("two\nlines", event="note") + b"data: [DONE]\n\n"
    )
    expected = [
        ServerSentEvent('{"a": 1}'),
        ServerSentEvent("two\nlines", "note"),
        ServerSentEvent("[DONE]"),
    ]
    for cut in range(len(stream) + 1):
        decoder = SSEDecoder()
        assert decoder.feed(stream[:cut]) + decoder.feed(stream[cut:]) == expected


def test_crlf_cr_comments_and_unknown_fields() -> None:
    decoder = SSEDecoder()
    stream = b": keep-alive\r\nid: 3\r\ndata:x\r\rdata: y\r\n\r\n"
    assert decoder.feed(stream) == [ServerSentEvent("x"), ServerSentEvent("y")]


def test_utf8_split_inside_a_character() -> None:
    data = encode_event("退货")
    decoder = SSEDecoder()
    assert decoder.feed(data[:8]) == []
    assert decoder.feed(data[8:]) == [ServerSentEvent("退货")]


# Lone surrogates are not text a server can send (they have no UTF-8 form).
@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_characters="\r", blacklist_categories=("Cs",)),
            max_size=20,
        ),
        max_size=5,
    )
)
def test_round_trip(datas: list[str]) -> None:
    stream = b"".join(encode_event(d) for d in datas)
    assert [e.data for e in SSEDecoder().feed(stream)] == datas
