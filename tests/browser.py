"""Headless Debian Chromium driven by Playwright (never ``playwright install``)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = os.environ.get("KEFU_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The browser tests take the screenshots the docs show; they land in docs/screenshots only
# when asked (KEFU_SCREENSHOTS_DIR=docs/screenshots make test), so a test run leaves the
# working tree as it was.
SCREENSHOTS = Path(
    os.environ.get("KEFU_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "kefu-screenshots"
)


def require_chromium() -> None:
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()
