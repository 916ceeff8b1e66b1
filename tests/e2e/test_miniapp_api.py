"""The Mini App's API on a running shop: only Telegram-signed initData gets in, staff pages are staff-only,
changes are the chat's own (the cart is one cart), uploads are checked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest

from bot.webapp.init_data import sign_init_data
from tests.shops.miniapp import ALICE, STAFF, RunningShop, running_shop

MALLORY = replace(ALICE, id=666, first_name="Mallory")


@pytest.fixture
async def shop(database_url: str, tmp_path) -> AsyncIterator[RunningShop]:
    async with running_shop(database_url, webapp_media_dir=str(tmp_path / "media")) as running:
        yield running


def _with_user_id(init_data: str, user_id: int) -> str:
    fields = dict(parse_qsl(init_data))
    fields["user"] = fields["user"].replace(str(ALICE.id), str(user_id))
    return urlencode(fields)


async def test_forged_init_data_gets_401_and_nothing_is_shown_or_changed(shop: RunningShop):
    good = shop.init_data(ALICE)
    status, _ = await shop.api("POST", "cart", init_data=good, json={"sku": "TEA-GREEN", "qty": 2})
    assert status == 200
    wrong_hash = good[:-4] + ("0000" if not good.endswith("0000") else "1111")
    forgeries = {
        "no initData": None,
        "wrong hash": wrong_hash,
        "old auth_date": shop.init_data(ALICE, age=timedelta(days=2)),
        "another user's id": _with_user_id(good, MALLORY.id),
        "another bot's token": sign_init_data(ALICE, "999:other-bot", auth_date=datetime.now(UTC)),
        "garbage": "hash=abc&&&",
    }
    for name, forged in forgeries.items():
        for method, path, body in (
            ("GET", "cart", None),
            ("GET", "me", None),
            ("POST", "cart", {"sku": "TEA-BLACK", "qty": 1}),
            ("POST", "cart", {"sku": "TEA-GREEN", "qty": 1, "remove": True}),
            ("POST", "checkout", {}),
            ("GET", "desk/queues", None),
        ):
            status, answer = await shop.api(method, path, init_data=forged, json=body)
            assert (name, status) == (name, 401)
            assert answer == {"error": "unauthorized"}
    status, cart = await shop.api("GET", "cart", init_data=shop.init_data(ALICE))
    assert [(line["sku"], line["qty"]) for line in cart["lines"]] == [("TEA-GREEN", 2)]
    status, theirs = await shop.api("GET", "cart", init_data=shop.init_data(MALLORY))
    assert theirs["lines"] == []
    to_them = [
        c for c in shop.telegram.calls_of("sendMessage") if c.params["chat_id"] in (ALICE.id, MALLORY.id)
    ]
    assert to_them == []  # checkout never reached a chat


async def test_a_customer_is_refused_the_staff_desk(shop: RunningShop):
    customer = shop.init_data(ALICE)
    for method, path, body in (
        ("GET", "desk/queues", None),
        ("GET", "desk/stock", None),
        ("POST", "desk/stock/TEA-GREEN", {"on_hand": 0}),
        ("POST", "desk/products/TEA-GREEN/price", {"price": "0.01"}),
        ("POST", "desk/press", {"action": "x"}),
        ("GET", "desk/stats", None),
        ("GET", "desk/stats?period=30d", None),
    ):
        status, answer = await shop.api(method, path, init_data=customer, json=body)
        assert (path, status, answer) == (path, 403, {"error": "staff only"})
    status, stock = await shop.api("GET", "desk/stock", init_data=shop.init_data(STAFF))
    assert status == 200
    assert {row["sku"]: (row["on_hand"], row["price"]) for row in stock}["TEA-GREEN"] == (500, "$12.50")
    status, figures = await shop.api("GET", "desk/stats?period=30d", init_data=shop.init_data(STAFF))
    assert (status, [p["period"] for p in figures["periods"]]) == (200, ["today", "7d", "30d"])
    assert figures["chart"].count('class="bar"') == 2 * 30
    assert (await shop.api("GET", "desk/stats?period=1y", init_data=shop.init_data(STAFF)))[0] == 404


async def test_the_app_and_the_chat_share_one_cart(shop: RunningShop):
    me = shop.init_data(ALICE)
    status, added = await shop.api("POST", "cart", init_data=me, json={"sku": "TEA-BLACK", "qty": 1})
    assert (status, added["ok"]) == (200, True)
    assert "Black tea" in added["message"]
    shop.telegram.user(ALICE.id, first_name="Alice")
    await shop.telegram.push_text(ALICE.id, "/cart")
    shown = await shop.telegram.wait_for("sendMessage", lambda p: p["chat_id"] == ALICE.id)
    assert "Black tea × 1" in shown.params["text"]


async def test_a_photo_upload_is_checked_by_type_and_size(shop: RunningShop, tmp_path):
    staff = shop.init_data(STAFF)

    async def upload(content: bytes, content_type: str) -> int:
        form = aiohttp.FormData()
        form.add_field("photo", content, filename="p", content_type=content_type)
        status, _ = await shop.api("POST", "desk/products/TEA-GREEN/photo", init_data=staff, data=form)
        return status

    assert await upload(b"<svg onload=alert(1)>", "image/svg+xml") == 415
    assert await upload(b"GIF89a not a jpeg", "image/jpeg") == 415  # the bytes must agree with the type
    assert await upload(b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024), "image/jpeg") == 413
    assert await upload(b"\xff\xd8\xff\xe0 a tiny jpeg", "image/jpeg") == 200
    status, card = await shop.api("GET", "products/TEA-GREEN", init_data=shop.init_data(ALICE))
    assert card["photo"] == "/app/media/TEA-GREEN"
    async with aiohttp.ClientSession() as http, http.get(shop.url + card["photo"]) as response:
        assert await response.read() == b"\xff\xd8\xff\xe0 a tiny jpeg"


async def test_start_and_the_menu_button_open_the_shop_in_telegram(shop: RunningShop):
    await shop.telegram.wait_for("setChatMenuButton")  # once at start-up, after the HTTP server is up
    assert shop.telegram.menu_button == {
        "type": "web_app",
        "text": "🛍 Open shop",
        "web_app": {"url": "https://shop.example/app/"},
    }
    shop.telegram.user(ALICE.id, first_name="Alice")
    await shop.telegram.push_text(ALICE.id, "/start")
    welcome = await shop.telegram.wait_for("sendMessage", lambda p: p["chat_id"] == ALICE.id)
    first_row = welcome.params["reply_markup"]["inline_keyboard"][0]
    assert first_row == [{"text": "🛍 Open shop", "web_app": {"url": "https://shop.example/app/"}}]


async def test_the_page_and_its_script_are_served_from_the_package_with_a_strict_policy(shop: RunningShop):
    async with aiohttp.ClientSession() as http:
        async with http.get(shop.url + "/app/") as page:
            assert page.status == 200
            assert "script-src 'self'" in page.headers["Content-Security-Policy"]
            assert page.headers["Cache-Control"] == "no-store"
            html = await page.text()
            assert 'src="static/telegram-web-app.js?v=' in html
        version = html.split('<script src="static/app.js?v=')[1].split('"')[0]
        async with http.get(f"{shop.url}/app/static/app.js?v={version}") as script:
            assert script.status == 200
            assert "textContent" in await script.text()
            assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"


async def test_a_price_the_chat_would_refuse_is_refused_in_the_app_with_its_reason_and_nothing_changes(
    shop: RunningShop,
):
    staff = shop.init_data(STAFF)

    async def set_price(sku: str, price: object) -> tuple[int, dict]:
        return await shop.api("POST", f"desk/products/{sku}/price", init_data=staff, json={"price": price})

    for bad, why in (
        ("abc", "“abc” is not a price. Send it in USD like 12.50."),
        ("-1", "A price cannot be negative."),
        ("1.234", "is not a price"),
        ("99999999999", "please check the price"),
        ("", "is not a price"),
    ):
        status, said = await set_price("TEA-GREEN", bad)
        assert (bad, status, said["ok"]) == (bad, 200, False)
        assert why in said["message"]
    missing = {"ok": False, "message": "That product no longer exists."}
    assert (await set_price("TEA-NONE", "1.00"))[1] == missing
    assert (await set_price("TEA-GREEN", 11))[0] == 400  # a string, as typed
    assert (await set_price("bad%20sku", "1.00"))[0] == 400
    status, said = await shop.api(
        "POST", "desk/products/TEA-GREEN/price", init_data=shop.init_data(ALICE), json={"price": "0.01"}
    )
    assert (status, said) == (403, {"error": "staff only"})
    to_staff = [c for c in shop.telegram.calls_of("sendMessage") if c.params["chat_id"] == STAFF.id]
    assert to_staff == []  # the app's edits say nothing in the staff member's chat

    # no prompt is left open in the chat: the staff member's next message there is not taken as a price
    shop.telegram.user(STAFF.id, first_name="Ann")
    await shop.telegram.push_text(STAFF.id, "11.00")
    answer = await shop.telegram.wait_for("sendMessage", lambda p: p["chat_id"] == STAFF.id)
    assert "saved" not in answer.params["text"].lower()
    status, stock = await shop.api("GET", "desk/stock", init_data=staff)
    assert {row["sku"]: row["price"] for row in stock}["TEA-GREEN"] == "$12.50"

    status, said = await set_price("TEA-GREEN", " 11.00 ")
    assert said["ok"] is True
    assert said["message"] == "Price saved. Carts show it from now on; placed orders keep the price they had."
    status, card = await shop.api("GET", "products/TEA-GREEN", init_data=shop.init_data(ALICE))
    assert card["price"] == "$11.00"
