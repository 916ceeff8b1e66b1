"""How fast the Mini App's first page is ready, with the demo catalog, on loopback.

    PYTHONPATH=. python bench/miniapp_first_page.py [--rounds 30] [--postgres URL]

`shopbot run` runs in this process (PTB, polling, jobs) against the fake Bot API, on a fresh SQLite file
(and PostgreSQL with --postgres or SHOPBOT_TEST_POSTGRES_URL) holding examples/catalog.csv. Two figures:

- HTTP: the requests the page makes before it shows the storefront, one after another as the page does
  (the page, its script, style and Telegram shim, then /api/me, which brings the categories, the first
  category's products and the cart's size), each round with a fresh connection.
- Browser (when /usr/bin/chromium is there): headless Chromium at a phone's viewport, the page's own
  Navigation Timing (from navigation start: the page received, DOMContentLoaded, the load event) and the
  first product cards drawn (`performance.now()` the page records then, after /api/me) — once with a
  fresh browser context per round (empty HTTP cache) and once in one context (cache kept).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.shops.miniapp import (  # noqa: E402
    ALICE,
    DEMO_CATALOG,
    RunningShop,
    load_catalog,
    running_shop,
)

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.is_file()


async def http_round(shop: RunningShop) -> float:
    headers = {"Authorization": f"tma {shop.init_data(ALICE)}"}
    started = time.perf_counter()
    async with aiohttp.ClientSession(base_url=shop.url) as http:
        for path in ("/app/", "/app/static/telegram-web-app.js", "/app/static/app.js", "/app/static/app.css"):
            async with http.get(path) as response:
                await response.read()
        async with http.get("/app/api/me", headers=headers) as response:  # categories, products, cart
            assert len((await response.json())["products"]) > 0
    return (time.perf_counter() - started) * 1000


# Navigation Timing Level 2 (the page's own clock, from navigation start) and the moment the first product
# cards are drawn (`window.shopReadyAt`, set by app.js).
_TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {html: nav.responseEnd, dom: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
          cards: window.shopReadyAt, bytes: performance.getEntriesByType("resource")
            .reduce((sum, r) => sum + r.transferSize, nav.transferSize)};
}"""
MARKS = {
    "html": "page received (responseEnd)",
    "dom": "DOMContentLoaded",
    "load": "load event",
    "cards": "first product cards drawn",
}


async def browser_rounds(shop: RunningShop, rounds: int, *, warm: bool = False) -> dict[str, list[float]]:
    """`warm`: one browser context for every round (the HTTP cache kept, as a reopened Mini App may have);
    otherwise a fresh context (empty cache) per round."""
    from playwright.async_api import async_playwright

    times: dict[str, list[float]] = {mark: [] for mark in (*MARKS, "bytes")}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = await browser.new_context(viewport={"width": 390, "height": 844})
        for _ in range(rounds):
            if not warm:
                await context.close()
                context = await browser.new_context(viewport={"width": 390, "height": 844})
            page = await context.new_page()
            await page.goto(shop.app_url(ALICE), wait_until="load")
            await page.get_by_test_id("product").first.wait_for()
            for mark, value in (await page.evaluate(_TIMING)).items():
                times[mark].append(float(value))
            await page.close()
        await context.close()
        await browser.close()
    return times


def summary(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"| {name} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} | {max(times):.1f} |"


async def bench(url: str, label: str, rounds: int) -> list[str]:
    products = await load_catalog(url, await asyncio.to_thread(DEMO_CATALOG.read_text, encoding="utf-8"))
    rows = []
    async with running_shop(url, webapp_media_dir=tempfile.mkdtemp()) as shop:
        await http_round(shop)  # warm-up: imports, first connections
        rows.append(
            summary(f"{label}, HTTP ({products} products)", [await http_round(shop) for _ in range(rounds)])
        )
        if HAVE_CHROMIUM:
            await browser_rounds(shop, 1)
            for warm in (False, True):
                times = await browser_rounds(shop, rounds, warm=warm)
                cache = "cached" if warm else "empty cache"
                for mark, name in MARKS.items():
                    rows.append(summary(f"{label}, Chromium {cache}: {name}", times[mark]))
                size = median(times["bytes"])
                rows.append(f"| {label}, Chromium {cache}: bytes transferred (median) | | {size:.0f} B | | |")
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", default=os.environ.get("SHOPBOT_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    rows = ["| setup | rounds | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as folder:
        rows += await bench(f"sqlite+aiosqlite:///{folder}/bench.db", "sqlite", args.rounds)
    if args.postgres:
        from tests.conftest import _admin  # a fresh database, dropped after

        name = f"shopbot_bench_{os.getpid()}"
        await _admin(args.postgres, f'CREATE DATABASE "{name}"')
        try:
            from sqlalchemy.engine import make_url

            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            rows += await bench(url, "postgres", args.rounds)
        finally:
            await _admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print("\n".join(rows))


if __name__ == "__main__":
    asyncio.run(main())
