"""Screenshots of the Mini App for docs/miniapp.md, at a phone's viewport (390 x 844), in headless
Debian chromium against a running shop with the demo catalog (the same harness as the browser tests).

    PYTHONPATH=. python docs/miniapp_screenshots.py      # writes docs/images/miniapp-*.png

Phones have emoji and Chinese fonts; a bare Debian does not, and draws empty boxes instead:
`apt-get install fonts-noto-color-emoji fonts-noto-cjk` first.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from tests.e2e.browser import CHROMIUM, PHONE  # noqa: E402
from tests.shops.miniapp import ALICE, DEMO_CATALOG, STAFF, load_catalog, running_shop  # noqa: E402
from tests.shops.webhook import Shopper  # noqa: E402

OUT = ROOT / "docs" / "images"
PRODUCT = "Longjing Green Tea 100 g"


async def place_order(shop) -> None:
    """Alice orders in the chat, cash on delivery, so the desk has a new order."""
    shop.telegram.user(ALICE.id, first_name="Alice")
    await shop.api("POST", "cart", init_data=shop.init_data(ALICE), json={"sku": "TEA-LJ-100", "qty": 1})
    await Shopper(shop.telegram, ALICE.id).walk(
        [
            ("send", "/cart", PRODUCT),
            ("press", "Checkout", "Checkout 1/4"),
            ("send", "Alice Doe", "Checkout 2/4"),
            ("contact", "+1 201-555-0123", "Checkout 3/4"),
            ("press", "Standard", "Checkout 4/4"),
            ("send", "1 Tea Road, Springfield, 12345, US", "Total:"),
            ("press", "Cash on delivery", "is placed!"),
        ]
    )


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/shots.db"
        await load_catalog(url, DEMO_CATALOG.read_text(encoding="utf-8"))
        async with running_shop(url, webapp_media_dir=f"{folder}/media") as shop:
            await place_order(shop)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=["--no-sandbox"]
                )
                context = await browser.new_context(viewport=PHONE, device_scale_factor=2)
                page = await context.new_page()
                await page.goto(shop.app_url(ALICE))
                await page.get_by_test_id("product").first.wait_for()
                await page.screenshot(path=OUT / "miniapp-storefront.png")
                await page.get_by_test_id("product").filter(has_text="Tieguanyin").click()
                await page.get_by_test_id("add").click()
                await page.locator("#toast").wait_for()
                await page.screenshot(path=OUT / "miniapp-product.png")
                await page.locator("[data-tab=cart]").click()
                await page.get_by_test_id("cart-line").first.wait_for()
                await page.screenshot(path=OUT / "miniapp-cart.png")

                chinese = await context.new_page()  # a Telegram user in Chinese who never wrote to the bot
                await chinese.goto(shop.app_url(replace(ALICE, id=7010, language_code="zh-hans")))
                await chinese.get_by_test_id("product").first.wait_for()
                await chinese.screenshot(path=OUT / "miniapp-storefront-zh.png")

                staff = await context.new_page()
                await staff.goto(shop.app_url(STAFF))
                await staff.locator("[data-tab=desk]").click()
                await staff.get_by_role("button", name="New (1)").wait_for()
                await staff.screenshot(path=OUT / "miniapp-desk-queues.png")
                await staff.get_by_role("button", name="New (1)").click()
                await staff.locator("[data-action^='1mv']").first.click()
                await staff.get_by_role("button", name="Accept").wait_for()
                await staff.screenshot(path=OUT / "miniapp-desk-order.png")
                await staff.locator("[data-tab=low]").click()
                await staff.locator("[data-tab=stock]").click()
                await staff.locator("table tr[data-sku]").first.wait_for()
                await staff.screenshot(path=OUT / "miniapp-desk-stock.png")
                await staff.locator("[data-tab=stats]").click()
                await staff.get_by_test_id("chart").wait_for()
                await staff.screenshot(path=OUT / "miniapp-desk-stats.png")
                await browser.close()
    print("\n".join(str(p.relative_to(ROOT)) for p in sorted(OUT.glob("miniapp-*.png"))))


if __name__ == "__main__":
    asyncio.run(main())
