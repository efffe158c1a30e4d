"""The knowledge-graph editor in headless Chromium: an admin finds the Aurora X2, changes
its price, tries the question on the draft, saves, sees the revision in the history, and
the bot's next answer in the shop's widget uses the new price. Screenshots for the docs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser import SCREENSHOTS, chromium
from tests.console_client import Agent, create_account
from tests.servers import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PASSWORD = "a long enough password"
API = "/api/v1/admin/kg"
SHADOW = "document.querySelector('#kefu-widget').shadowRoot"


@pytest.fixture(scope="module")
def editor_server(
    trained_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    url = f"sqlite:///{tmp_path_factory.mktemp('kg-browser') / 'kefu.db'}"
    create_account(url, "root", PASSWORD, "admin", "Root Admin")
    create_account(url, "ada", PASSWORD, "admin", "Ada")
    create_account(url, "ana", PASSWORD, "agent", "Ana")
    process = ServerProcess(data_dir=trained_data_dir, database_url=url).start()
    try:
        yield process
    finally:
        process.stop()


async def sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(base + "/admin/kg")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()


async def open_node(page, query: str, name: str) -> None:  # type: ignore[no-untyped-def]
    await page.get_by_test_id("kg-search").fill(query)
    await page.get_by_test_id("kg-results").locator("li", has_text=name).first.click()
    await page.get_by_test_id("kg-node-name").filter(has_text=name).wait_for()


async def test_price_change_in_the_editor_reaches_the_bot(editor_server: ServerProcess) -> None:
    base = editor_server.http_url
    async with chromium() as browser:
        editor = await (
            await browser.new_context(viewport={"width": 1440, "height": 1000})
        ).new_page()
        errors: list[str] = []
        editor.on("pageerror", lambda error: errors.append(str(error)))
        # (Console errors are not collected: the first /auth/me is a 401 by design.)
        await sign_in(editor, base, "root")
        await open_node(editor, "aurora x2", "Aurora X2 Headphones")

        price = editor.get_by_test_id("kg-value-price")
        assert await price.input_value() == "129.00"
        assert await editor.get_by_test_id("kg-unit-price").input_value() == "USD"
        # The neighbourhood is drawn by the bundled cytoscape (a canvas, no CDN).
        await editor.locator("[data-testid=kg-graph] canvas").first.wait_for()

        # An invalid price is flagged inline before anything is sent.
        await price.fill("-3")
        price_row = editor.locator("#attributes tr[data-predicate=price]")
        await price_row.locator(".row-error").filter(has_text="non-negative").wait_for()

        await price.fill("119")
        await editor.get_by_test_id("kg-try-question").fill(
            "How much are the Aurora X2 Headphones?"
        )
        await editor.get_by_test_id("kg-try-ask").click()
        await editor.get_by_test_id("kg-try-draft").filter(has_text="119").wait_for()
        saved_card = editor.get_by_test_id("kg-try-saved")
        assert "129" in await saved_card.inner_text()
        assert "supported" in await editor.get_by_test_id("kg-try-draft").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await editor.screenshot(path=str(SCREENSHOTS / "kg-editor.png"))

        await editor.get_by_test_id("kg-save-message").fill("Spring sale: Aurora X2 to 119")
        await editor.get_by_test_id("kg-save").click()
        await (
            editor.get_by_test_id("kg-save-status").filter(has_text="Saved as revision").wait_for()
        )
        assert await editor.get_by_test_id("kg-value-price").input_value() == "119.00"
        # The saved graph now answers with the new price (what the bot's answers use).
        await editor.get_by_test_id("kg-try-ask").click()
        await editor.get_by_test_id("kg-try-saved").filter(has_text="119").wait_for()

        await editor.get_by_test_id("tab-history").click()
        first = editor.get_by_test_id("kg-revisions").locator("tr").first
        await first.filter(has_text="Spring sale").wait_for()
        await first.click()
        diff = editor.get_by_test_id("kg-diff")
        await diff.locator("li.removed", has_text="price 129.00 USD").wait_for()
        await diff.locator("li.added", has_text="price 119.00 USD").wait_for()
        assert "Root" in await first.inner_text() or "root" in await first.inner_text()
        await editor.screenshot(path=str(SCREENSHOTS / "kg-editor-history.png"))
        assert not errors, errors

        shop = await (await browser.new_context(viewport={"width": 900, "height": 760})).new_page()
        await shop.goto(base + "/")
        await shop.get_by_test_id("kefu-launcher").click()
        await shop.get_by_test_id("kefu-connection").filter(has_text="Online").wait_for()
        await shop.get_by_test_id("kefu-input").fill("How much is the Aurora X2?")
        await shop.get_by_test_id("kefu-send").click()
        await shop.wait_for_function(
            f"{SHADOW}.querySelectorAll('.msg[data-role=bot]').length >= 1", timeout=30_000
        )
        replies = await shop.evaluate(
            f"Array.from({SHADOW}.querySelectorAll('.msg[data-role=bot]')).map(e => e.textContent)"
        )
        assert "119" in replies[-1] and "129" not in replies[-1], replies


async def test_a_slow_first_listing_does_not_replace_the_search(
    editor_server: ServerProcess,
) -> None:
    """The listing fetched at sign-in answers after the admin's own search (a loaded
    server): the late answer must not overwrite the results the admin asked for."""
    base = editor_server.http_url
    async with chromium() as browser:
        page = await (await browser.new_context(viewport={"width": 1440, "height": 900})).new_page()
        listing_requested = asyncio.Event()

        async def slow_empty_query(route):  # type: ignore[no-untyped-def]
            if route.request.url.endswith("&q="):
                listing_requested.set()
                await asyncio.sleep(1.5)
            await route.continue_()

        await page.route("**/api/v1/admin/kg/nodes?*", slow_empty_query)
        await sign_in(page, base, "root")
        await asyncio.wait_for(listing_requested.wait(), timeout=30)
        await page.get_by_test_id("kg-search").fill("nimbus")
        results = page.get_by_test_id("kg-results")
        await results.locator("li", has_text="Nimbus Mini").first.wait_for()
        await asyncio.sleep(2.0)  # the delayed listing has answered by now
        names = await results.locator(".hit-name").all_inner_texts()
        assert names and all("Nimbus" in name for name in names), names


async def test_a_stale_save_says_reload(editor_server: ServerProcess) -> None:
    base = editor_server.http_url
    async with chromium() as browser:
        page = await (await browser.new_context(viewport={"width": 1440, "height": 900})).new_page()
        await sign_in(page, base, "root")
        await open_node(page, "Nimbus Mini", "Nimbus Mini")
        # Someone else saves the same node meanwhile.
        other = Agent(base)
        assert other.login("ada", PASSWORD).status_code == 200
        view = other.get(f"{API}/nodes/P-103").json()
        assert view["name"] == "Nimbus Mini"
        weight = next(f for f in view["facts"] if f["predicate"] == "weight")
        changed = other.http.patch(
            f"{API}/nodes/P-103",
            json={
                "expected_version": view["version"],
                "add": [
                    {"predicate": "weight", "object": str(int(weight["object"]) + 1), "unit": "g"}
                ],
                "remove": [{k: weight[k] for k in ("predicate", "object", "unit", "edge")}],
                "message": "weighed again",
            },
            headers={"X-CSRF-Token": other.csrf},
        )
        assert changed.status_code == 200, changed.text

        await page.get_by_test_id("kg-value-weight").fill("999")
        await page.get_by_test_id("kg-save").click()
        await (
            page.get_by_test_id("kg-save-status")
            .filter(has_text="Changed by someone else")
            .wait_for()
        )
        await page.get_by_test_id("kg-reload").click()
        await (
            page.get_by_test_id("kg-node-version")
            .filter(has_text=f"version {view['version'] + 1}")
            .wait_for()
        )
        assert await page.get_by_test_id("kg-value-weight").input_value() == str(
            int(weight["object"]) + 1
        )


async def test_agents_and_anonymous_visitors(editor_server: ServerProcess) -> None:
    base = editor_server.http_url
    assert httpx.get(base + f"{API}/nodes").status_code == 401
    async with chromium() as browser:
        page = await browser.new_page()
        await page.goto(base + "/admin/kg")
        await page.get_by_test_id("login-form").wait_for()
        await page.get_by_test_id("login-username").fill("ana")
        await page.get_by_test_id("login-password").fill(PASSWORD)
        await page.get_by_test_id("login-submit").click()
        await page.get_by_text("Admins only").wait_for()
        assert await page.get_by_test_id("kg-search").is_hidden()


async def test_import_preview_apply_and_restore(
    editor_server: ServerProcess, tmp_path: Path
) -> None:
    base = editor_server.http_url
    upload = tmp_path / "lamps.csv"
    upload.write_text(
        "subject,predicate,object,unit\n"
        "P-970,type,Product,\n"
        "P-970,name,Orbit Desk Lamp,en\n"
        "P-970,alias,轨道台灯,zh\n"
        "P-970,category,cat:speakers,\n"
        "P-970,price,35.00,USD\n",
        encoding="utf-8",
    )
    async with chromium() as browser:
        page = await (await browser.new_context(viewport={"width": 1440, "height": 900})).new_page()
        await sign_in(page, base, "root")
        await page.get_by_test_id("tab-import").click()
        export = page.get_by_test_id("kg-export-csv")
        assert await export.get_attribute("href") == f"{API}/export?format=csv"
        await page.get_by_test_id("kg-import-file").set_input_files(str(upload))
        await page.get_by_test_id("kg-import-preview").click()
        result = page.get_by_test_id("kg-import-result")
        await result.get_by_text("1 new, 0 changed, 0 deleted").wait_for()
        await result.locator("li.added", has_text="price 35.00 USD").wait_for()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "kg-editor-import.png"))
        await page.get_by_test_id("kg-import-apply").click()
        await (
            page.get_by_test_id("kg-import-status")
            .filter(has_text="Imported as revision")
            .wait_for()
        )
        status = await page.get_by_test_id("kg-import-status").inner_text()
        imported = int(status.split("revision ")[1].split(" ")[0])

        await page.get_by_test_id("kg-search").fill("轨道")
        await page.get_by_test_id("kg-results").get_by_text("Orbit Desk Lamp").wait_for()

        page.on("dialog", lambda dialog: dialog.accept())
        await page.goto(f"{base}/admin/kg#/history/{imported - 1}")
        await page.get_by_test_id("kg-diff").filter(has_text=f"Revision {imported - 1}").wait_for()
        await page.get_by_test_id("kg-restore").click()
        await page.get_by_test_id("kg-diff").get_by_text("Restored as revision").wait_for()
    admin = Agent(base)
    assert admin.login("root", PASSWORD).status_code == 200
    assert admin.get(f"{API}/nodes/P-970").status_code == 404
