"""Headless Chromium for the Mini App's browser tests: Debian's `chromium` driven by Playwright for Python
(never a browser Playwright downloads). Without /usr/bin/chromium the tests are skipped, unless
SHOPBOT_TEST_BROWSER=required (as .ci/run sets), when they fail: CI must never pass without them."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

__all__ = ["CHROMIUM", "PHONE", "launch_chromium"]

CHROMIUM = Path(os.environ.get("SHOPBOT_TEST_CHROMIUM", "/usr/bin/chromium"))
PHONE = {"width": 390, "height": 844}


def _missing(why: str) -> None:
    if os.environ.get("SHOPBOT_TEST_BROWSER") == "required":
        pytest.fail(f"browser tests are required but {why}")
    pytest.skip(why)


def _require_chromium() -> None:
    if not CHROMIUM.is_file():
        _missing(f"{CHROMIUM} is missing (apt-get install -y chromium)")


async def launch_chromium() -> AsyncIterator[object]:
    _require_chromium()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            await browser.close()
