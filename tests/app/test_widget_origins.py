"""The widget Origin allowlist: another site's page may not talk to a store's bot.

Unit rules of :class:`WidgetOrigins`, then a real ``kefu run`` with
``KEFU_WIDGET_ORIGINS=https://shop.example`` and real websocket handshakes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from pydantic import ValidationError

from app.chat.origins import WidgetOrigins, normalise_origin
from app.settings import Settings
from tests.chat_client import ChatClient
from tests.servers import ServerProcess


@pytest.mark.parametrize(
    ("origin", "normal"),
    [
        ("https://Shop.Example", "https://shop.example"),
        ("https://shop.example:443", "https://shop.example"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("null", None),
        ("https://shop.example/path", None),
        ("ftp://shop.example", None),
        ("https://shop.example:99999", None),
    ],
)
def test_origins_are_compared_in_one_form(origin: str, normal: str | None) -> None:
    assert normalise_origin(origin) == normal


def test_unset_allows_the_server_itself_and_this_machine() -> None:
    policy = WidgetOrigins.parse(None)
    assert policy.allows("https://kefu.example", "kefu.example")  # its own pages
    assert policy.allows("https://kefu.example", "kefu.example:443")
    assert policy.allows("http://localhost:5173", "127.0.0.1:8000")  # a local dev page
    assert policy.allows(None, "kefu.example")  # no browser: nobody's cookies
    assert not policy.allows("https://evil.example", "kefu.example")
    assert not policy.allows("null", "kefu.example")  # sandboxed iframes, file:// pages


def test_a_list_is_the_whole_truth() -> None:
    policy = WidgetOrigins.parse("https://shop.example, https://www.shop.example:8443")
    assert policy.allows("https://shop.example", "chat.shop.example")
    assert policy.allows("https://www.shop.example:8443", "chat.shop.example")
    assert not policy.allows("https://www.shop.example", "chat.shop.example")  # other port
    assert not policy.allows("http://localhost:5173", "chat.shop.example")
    assert policy.allows("https://chat.shop.example", "chat.shop.example")
    assert WidgetOrigins.parse("*").allows("https://anyone.example", "chat.shop.example")


def test_a_malformed_entry_stops_the_settings_naming_it() -> None:
    with pytest.raises(ValidationError, match=r"shop\.example/widget"):
        Settings(widget_origins="https://shop.example/widget")


@pytest.fixture(scope="module")
def shop_server(
    trained_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    url = f"sqlite:///{tmp_path_factory.mktemp('origins') / 'kefu.db'}"
    server = ServerProcess(
        data_dir=trained_data_dir,
        database_url=url,
        env={"KEFU_WIDGET_ORIGINS": "https://shop.example"},
    ).start()
    try:
        yield server
    finally:
        server.stop()


async def test_another_sites_socket_is_refused_at_the_handshake(
    shop_server: ServerProcess,
) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(shop_server.ws_url, origin="https://evil.example")
    assert refused.value.response.status_code == 403
    shop = await ChatClient.connect(shop_server.ws_url, origin="https://shop.example")
    welcome = await shop.hello()
    assert welcome["conversation_id"]
    ack = await shop.say("hello")
    assert (await shop.bot_reply(after_seq=ack["seq"]))["text"]
    await shop.close()
    assert 'kefu_origin_refused_total{surface="socket"} 1.0' in shop_server.metrics()


async def test_another_sites_rest_call_is_refused(shop_server: ServerProcess) -> None:
    client = await ChatClient.connect(shop_server.ws_url, origin="https://shop.example")
    await client.hello()
    await client.close()
    path = f"{shop_server.http_url}/api/v1/conversations/{client.conversation_id}/messages"
    auth = {"Authorization": f"Bearer {client.resume_token}"}
    evil = httpx.get(path, headers={**auth, "Origin": "https://evil.example"})
    assert evil.status_code == 403 and "Origin" in evil.json()["detail"]
    mine = httpx.get(path, headers={**auth, "Origin": "https://shop.example"})
    assert mine.status_code == 200 and mine.json()["conversation_id"] == client.conversation_id
    assert 'kefu_origin_refused_total{surface="rest"} 1.0' in shop_server.metrics()
