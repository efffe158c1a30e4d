"""The demo page and the widget in a real headless Chromium."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import SCREENSHOTS, chromium
from tests.chat_client import ChatClient
from tests.servers import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def sqlite_server(trained_data_dir: Path, tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(
        data_dir=trained_data_dir, database_url=f"sqlite:///{tmp_path / 'kefu.db'}"
    ).start()
    try:
        yield process
    finally:
        process.stop()


async def bubbles(page, role: str) -> list[str]:  # type: ignore[no-untyped-def]
    return await page.eval_on_selector_all(
        f"#kefu-widget >> css=.msg[data-role='{role}']", "els => els.map(e => e.textContent)"
    )


async def test_customer_chats_through_the_widget(sqlite_server: ServerProcess) -> None:
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-US")
        await page.goto(sqlite_server.http_url + "/")
        assert "Acme Gadgets" in await page.title()
        await page.get_by_test_id("kefu-launcher").click()
        await page.get_by_test_id("kefu-connection").filter(has_text="Online").wait_for()
        for text in ("hi", "where is my order?", "你们支持支付宝吗?"):
            before = len(await bubbles(page, "bot"))
            await page.get_by_test_id("kefu-input").fill(text)
            await page.get_by_test_id("kefu-send").click()
            await page.wait_for_function(
                """([n]) => document.querySelector('#kefu-widget').shadowRoot
                       .querySelectorAll(".msg[data-role='bot']").length > n""",
                arg=[before],
                timeout=30_000,
            )
        bot = await bubbles(page, "bot")
        assert len(bot) >= 3, "every message got an answer"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in bot[-1]), "answered in Chinese"
        assert "支付宝" in "".join(bot[2:]), "the Chinese question about Alipay was answered"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "widget.png"))


async def test_widget_reconnects_without_duplicates_or_gaps(sqlite_server: ServerProcess) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await page.goto(sqlite_server.http_url + "/")
        await page.get_by_test_id("kefu-launcher").click()
        await page.get_by_test_id("kefu-connection").filter(has_text="Online").wait_for()
        await page.get_by_test_id("kefu-input").fill("hi")
        await page.get_by_test_id("kefu-send").click()
        await page.wait_for_function(
            """() => document.querySelector('#kefu-widget').shadowRoot
                   .querySelectorAll(".msg[data-role='bot']").length >= 1""",
            timeout=30_000,
        )
        state = await page.evaluate("() => window.Kefu.state()")

        # The network drops; meanwhile the conversation goes on from the customer's phone.
        await page.context.set_offline(True)
        await page.evaluate("() => window.Kefu.disconnect()")
        phone = await ChatClient.connect(sqlite_server.ws_url)
        await phone.hello(state["conversation_id"], state["resume_token"], state["last_seq"])
        ack = await phone.say("where is my order?")
        await phone.bot_reply(after_seq=ack["seq"])
        await phone.close()
        # A message typed while offline is kept and sent after the reconnect.
        await page.get_by_test_id("kefu-input").fill("thanks")
        await page.get_by_test_id("kefu-send").click()
        await asyncio.sleep(1.0)
        await page.context.set_offline(False)

        await page.wait_for_function(
            """() => {
                const root = document.querySelector('#kefu-widget').shadowRoot;
                return root.querySelectorAll('.msg[data-seq]').length >= 6;
            }""",
            timeout=45_000,
        )
        await asyncio.sleep(1.0)
        seqs = await page.eval_on_selector_all(
            "#kefu-widget >> css=.msg[data-seq]", "els => els.map(e => Number(e.dataset.seq))"
        )
        assert seqs == list(range(1, len(seqs) + 1)), f"no duplicates and no gaps: {seqs}"
        pending = await page.eval_on_selector_all(
            "#kefu-widget >> css=.msg.pending", "els => els.length"
        )
        assert pending == 0
