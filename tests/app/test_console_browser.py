"""A customer page and an agent's console side by side in headless Chromium:
take over, chat both ways, resolve, rate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import SCREENSHOTS, chromium
from tests.console_client import create_account
from tests.servers import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PASSWORD = "a long enough password"
SHADOW = "document.querySelector('#kefu-widget').shadowRoot"


@pytest.fixture
def server_with_agent(trained_data_dir: Path, tmp_path: Path) -> Iterator[ServerProcess]:
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    create_account(url, "ana", PASSWORD, "agent", "Ana")
    process = ServerProcess(data_dir=trained_data_dir, database_url=url).start()
    try:
        yield process
    finally:
        process.stop()


async def test_take_over_chat_resolve_rate(server_with_agent: ServerProcess) -> None:
    base = server_with_agent.http_url
    async with chromium() as browser:
        shop = await (await browser.new_context(viewport={"width": 900, "height": 760})).new_page()
        console = await (
            await browser.new_context(viewport={"width": 1280, "height": 760})
        ).new_page()

        await shop.goto(base + "/")
        await shop.get_by_test_id("kefu-launcher").click()
        await shop.get_by_test_id("kefu-connection").filter(has_text="Online").wait_for()
        await shop.get_by_test_id("kefu-input").fill("where is my order?")
        await shop.get_by_test_id("kefu-send").click()
        await shop.wait_for_function(
            f"{SHADOW}.querySelectorAll('.msg[data-role=bot]').length >= 1", timeout=30_000
        )

        await console.goto(base + "/console")
        await console.get_by_test_id("login-username").fill("ana")
        await console.get_by_test_id("login-password").fill(PASSWORD)
        await console.get_by_test_id("login-submit").click()
        await console.get_by_test_id("console-live").filter(has_text="live").wait_for()
        await console.get_by_role("button", name="All").click()
        await console.locator("#conversations li").first.click()
        await console.get_by_test_id("transcript").get_by_text("where is my order?").wait_for()

        await console.get_by_test_id("take-over").click()
        await console.get_by_test_id("chat-status").filter(has_text="assigned").wait_for()
        await shop.wait_for_function(
            f"{SHADOW}.querySelector('[data-testid=kefu-status]').textContent.includes('Ana')",
            timeout=15_000,
        )

        await console.get_by_test_id("reply-input").fill(
            "Hi, this is Ana. Could you tell me your order ID?"
        )
        await console.get_by_test_id("reply-send").click()
        await shop.wait_for_function(
            f"{SHADOW}.querySelectorAll('.msg[data-role=agent]').length >= 1", timeout=15_000
        )

        await shop.get_by_test_id("kefu-input").fill("It is A10003, email liam.smith@example.com")
        await shop.get_by_test_id("kefu-send").click()
        await console.get_by_test_id("transcript").get_by_text("It is A10003").wait_for()
        await console.get_by_test_id("as-note").check()
        await console.get_by_test_id("reply-input").fill("Customer verified by email")
        await console.get_by_test_id("reply-send").click()
        await console.get_by_test_id("notes").get_by_text("Customer verified by email").wait_for()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await console.screenshot(path=str(SCREENSHOTS / "console.png"))

        await console.get_by_test_id("resolve").click()
        await shop.wait_for_function(
            f"{SHADOW}.querySelector('[data-testid=kefu-rating]').classList.contains('show')",
            timeout=15_000,
        )
        await shop.screenshot(path=str(SCREENSHOTS / "widget-agent.png"))
        await shop.evaluate(
            f"{SHADOW}.querySelector('[data-testid=kefu-rating] button[data-score=\"5\"]').click()"
        )
        await console.get_by_test_id("csat").filter(has_text="5/5").wait_for(timeout=15_000)

        bot_after = await shop.evaluate(
            f"Array.from({SHADOW}.querySelectorAll('.msg[data-role]')).map(e => e.dataset.role)"
        )
        # After the agent joined, no bot message came between the agent's and the customer's.
        last_agent = max(i for i, role in enumerate(bot_after) if role == "agent")
        assert "bot" not in bot_after[last_agent:]
        assert "Customer verified" not in await shop.content()


PAYLOADS = (
    '<img src=x onerror="window.__pwned = 1">',
    "<script>window.__pwned = 2</script>",
    '"><svg onload="window.__pwned = 3">',
)


async def test_the_console_shows_hostile_messages_as_text(
    server_with_agent: ServerProcess,
) -> None:
    from tests.chat_client import ChatClient

    base = server_with_agent.http_url
    customer = await ChatClient.connect(server_with_agent.ws_url)
    await customer.hello()
    for payload in PAYLOADS:
        ack = await customer.say(payload)
        await customer.bot_reply(after_seq=ack["seq"])
    async with chromium() as browser:
        console = await (await browser.new_context()).new_page()
        await console.goto(base + "/console")
        await console.get_by_test_id("login-username").fill("ana")
        await console.get_by_test_id("login-password").fill(PASSWORD)
        await console.get_by_test_id("login-submit").click()
        await console.get_by_test_id("console-live").filter(has_text="live").wait_for()
        await console.get_by_role("button", name="All").click()
        await console.locator("#conversations li").first.click()
        transcript = console.get_by_test_id("transcript")
        await transcript.get_by_text("window.__pwned = 3", exact=False).first.wait_for()
        shown = await transcript.inner_text()
        for payload in PAYLOADS:
            assert payload in shown  # literally, as text
        await console.wait_for_timeout(500)
        assert await console.evaluate("window.__pwned === undefined")
        assert await transcript.locator("img, script, svg").count() == 0
    await customer.close()


async def test_admins_see_account_changes_on_the_operations_page(
    server_with_agent: ServerProcess,
) -> None:
    base = server_with_agent.http_url
    url = server_with_agent.database_url
    create_account(url, "root", PASSWORD, "admin", "Root")
    async with chromium() as browser:
        page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
        await page.goto(base + "/console")
        await page.get_by_test_id("login-username").fill("root")
        await page.get_by_test_id("login-password").fill(PASSWORD)
        await page.get_by_test_id("login-submit").click()
        await page.get_by_test_id("console-live").filter(has_text="live").wait_for()
        await page.goto(base + "/console/ops")
        trail = page.get_by_test_id("account-events")
        await trail.locator("tbody tr").filter(has_text="root").wait_for()
        rows = await trail.locator("tbody tr").all_inner_texts()
        assert any("ana" in r and "created as agent" in r and "cli" in r for r in rows), rows
        assert any("root" in r and "created as admin" in r for r in rows), rows
        settings = page.get_by_test_id("settings-events")
        await settings.locator("tbody tr").first.wait_for()
        started = await settings.locator("tbody tr").all_inner_texts()
        assert any("kefu run@" in r for r in started), started
        await page.screenshot(path=str(SCREENSHOTS / "ops-account-changes.png"), full_page=True)
