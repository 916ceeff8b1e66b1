"""The Mini App in a real browser (headless Chromium) against a running shop and the fake Bot API, on
SQLite and PostgreSQL: a customer shops in the app and finds the same cart in the chat; staff accept, pack
and ship an order from the app and the customer hears about it in the chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from playwright.async_api import expect

from bot.telegram.runtime import RuntimeName
from tests.e2e.browser import PHONE, launch_chromium
from tests.shops.miniapp import ALICE, MERCHANT_CHAT, STAFF, RunningShop, load_catalog, running_shop
from tests.shops.webhook import Shopper, checkout_journey

ADDRESS = "1 Tea Road, Springfield, 12345, US"


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    async for running in launch_chromium():
        yield running


@pytest.fixture
async def shop(database_url: str, tmp_path) -> AsyncIterator[RunningShop]:
    async with running_shop(database_url, webapp_media_dir=str(tmp_path / "media")) as running:
        yield running


async def _phone(browser, shop: RunningShop, user):
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = await context.new_page()
    await page.goto(shop.app_url(user))
    return page


async def test_customer_adds_to_cart_in_the_app_and_the_chat_shows_that_cart(browser, shop: RunningShop):
    page = await _phone(browser, shop, ALICE)
    cards = page.get_by_test_id("product")
    await cards.filter(has_text="Black tea").wait_for()
    assert await cards.count() == 2
    assert "$9.00" in await cards.filter(has_text="Black tea").inner_text()

    await cards.filter(has_text="Black tea").click()
    await page.get_by_text("Assam breakfast tea").wait_for()
    await page.get_by_test_id("add").click()
    await page.locator("#toast").filter(has_text="Added to cart: Black tea × 1").wait_for()

    shop.telegram.user(ALICE.id, first_name="Alice")
    await shop.telegram.push_text(ALICE.id, "/cart")
    chat = await shop.telegram.wait_for("sendMessage", lambda p: p["chat_id"] == ALICE.id)
    assert "Black tea × 1" in chat.params["text"]

    await page.locator("[data-tab=cart]").click()
    await page.get_by_test_id("cart-line").filter(has_text="Black tea × 1").wait_for()
    await page.get_by_test_id("checkout").click()
    form = await shop.telegram.wait_for(
        "sendMessage", lambda p: p["chat_id"] == ALICE.id and "Checkout 1/4" in p["text"]
    )
    assert form.params["chat_id"] == ALICE.id  # the checkout goes on in the chat


async def test_search_and_chinese_come_from_the_telegram_user(browser, shop: RunningShop):
    page = await _phone(browser, shop, replace(ALICE, id=7002, language_code="zh-hans"))
    await page.get_by_test_id("product").first.wait_for()
    assert await page.locator("[data-tab=cart]").inner_text() == "🛒 购物车"
    await page.get_by_test_id("search").fill("green")
    await page.get_by_test_id("search").press("Enter")
    await expect(page.get_by_test_id("product")).to_have_count(1)
    await expect(page.get_by_test_id("product")).to_contain_text("Green tea")


async def test_staff_accept_pack_and_ship_from_the_app_and_the_customer_hears_in_the_chat(
    browser, shop: RunningShop
):
    shop.telegram.user(ALICE.id, first_name="Alice")
    customer = Shopper(shop.telegram, ALICE.id)
    placed = await customer.walk(
        checkout_journey(
            "Green tea",
            name="Alice Doe",
            phone="+1 201-555-0123",
            address=ADDRESS,
        )
    )
    number = next(word for word in placed.params["text"].split() if word.count("-") == 1 and len(word) == 8)
    await shop.telegram.wait_for(
        "sendMessage", lambda p: p["chat_id"] == MERCHANT_CHAT and number in p["text"]
    )

    page = await _phone(browser, shop, STAFF)
    await page.locator("[data-tab=desk]").click()
    await page.get_by_role("button", name="New (1)").click()
    await page.get_by_role("button", name=number).click()
    screen = page.get_by_test_id("screen")
    await screen.filter(has_text=number).wait_for()
    await page.get_by_role("button", name="Accept").click()
    await screen.filter(has_text="Accepted by Ann").wait_for()
    await page.get_by_role("button", name="Packed").click()
    await screen.filter(has_text="Packed by Ann").wait_for()
    await page.get_by_role("button", name="Ship").click()
    await page.get_by_test_id("carrier").fill("DHL")
    await page.get_by_test_id("tracking").fill("JD014600003828")
    await page.get_by_role("button", name="Ship").click()
    await screen.filter(has_text=f"Order {number} — Shipped").wait_for()
    assert "JD014600003828" in await screen.inner_text()

    told = await shop.telegram.wait_for(
        "sendMessage", lambda p: p["chat_id"] == ALICE.id and "is on its way" in p["text"]
    )
    assert f"Your order {number} is on its way with DHL" in told.params["text"]
    assert "JD014600003828" in told.params["text"]
    card = await shop.telegram.wait_for(
        "editMessageText", lambda p: p["chat_id"] == MERCHANT_CHAT and "Shipped by Ann" in p["text"]
    )
    assert number in card.params["text"]


async def test_names_and_descriptions_are_shown_as_text_never_run_as_html(browser, shop: RunningShop):
    evil = '<img src=x onerror="window.pwned=1">Evil tea'
    await load_catalog(
        shop.database_url,
        "sku,name,category,price,stock,safety_stock,description,photo\n"
        f'TEA-EVIL,"{evil.replace(chr(34), chr(34) * 2)}",Tea,1.00,5,0,<script>window.pwned=2</script>,\n',
    )
    page = await _phone(browser, shop, ALICE)
    card = page.get_by_test_id("product").filter(has_text="Evil tea")
    await card.click()
    await page.get_by_text("<script>window.pwned=2</script>").wait_for()
    assert evil in await page.locator("main h2").inner_text()
    assert await page.evaluate("window.pwned") is None
    assert await page.locator("main img[src=x]").count() == 0


@pytest.mark.parametrize("runtime", ["ptb", "aiogram"])
async def test_staff_change_a_price_in_the_app_and_the_customers_card_in_the_chat_shows_it(
    browser, database_url: str, tmp_path, runtime: RuntimeName
):
    async with running_shop(database_url, runtime=runtime, webapp_media_dir=str(tmp_path / "m")) as shop:
        page = await _phone(browser, shop, STAFF)
        await page.locator("[data-tab=stock]").click()
        row = page.locator("tr[data-sku=TEA-GREEN]")
        await expect(row.get_by_test_id("price")).to_have_value("12.50")
        await row.get_by_test_id("price").fill("11.75")
        await row.get_by_test_id("save").click()
        await page.locator("#toast").filter(has_text="Price saved").wait_for()
        await expect(page.locator("tr[data-sku=TEA-GREEN]").get_by_test_id("price")).to_have_value("11.75")

        shop.telegram.user(ALICE.id, first_name="Alice")
        customer = Shopper(shop.telegram, ALICE.id)
        await customer.walk(checkout_journey("Green tea", name="-", phone="-", address="-")[:3])
        card = await customer.press("Green tea", expect="Sencha")
        assert "$11.75" in card.params["text"]
        assert "$12.50" not in card.params["text"]

        staff = Shopper(shop.telegram, STAFF.id)
        shop.telegram.user(STAFF.id, first_name="Ann")
        await staff.send("/products green", expect="Products matching")
        history = await staff.press("Green tea", expect="History:")
        assert "price $12.50 → $11.75" in history.params["text"]  # the chat editor's history entry


@pytest.mark.parametrize("runtime", ["ptb", "aiogram"])
async def test_staff_see_the_stats_figures_of_the_chat_with_a_chart_of_one_bar_per_day(
    browser, database_url: str, tmp_path, runtime: RuntimeName
):
    async with running_shop(database_url, runtime=runtime, webapp_media_dir=str(tmp_path / "m")) as shop:
        shop.telegram.user(ALICE.id, first_name="Alice")
        await Shopper(shop.telegram, ALICE.id).walk(
            checkout_journey("Black tea", name="Alice Doe", phone="+1 201-555-0123", address=ADDRESS)
        )
        shop.telegram.user(STAFF.id, first_name="Ann")
        staff = Shopper(shop.telegram, STAFF.id)
        week_in_chat = (await staff.send("/stats", expect="Orders:")).params["text"]
        today_in_chat = (await staff.send("/stats today", expect="Orders:")).params["text"]
        assert "1 placed" in today_in_chat

        page = await _phone(browser, shop, STAFF)
        await page.locator("[data-tab=stats]").click()
        figures = page.get_by_test_id("figures")
        await expect(figures).to_have_text(week_in_chat)
        bars = page.get_by_test_id("chart").locator("[data-series=orders] rect.bar")
        await expect(bars).to_have_count(7)
        assert [await bar.get_attribute("data-value") for bar in await bars.all()] == ["0"] * 6 + ["1"]
        await expect(page.get_by_test_id("chart").locator("[data-series=revenue] rect.bar")).to_have_count(7)

        await page.locator("[data-period=today]").click()
        await expect(figures).to_have_text(today_in_chat)
        await expect(bars).to_have_count(1)
        assert await bars.first.get_attribute("data-value") == "1"


CHINESE_TEAS = """\
sku,name,category,price,stock,safety_stock,description,photo,name_zh,description_zh,category_zh
TEA-GREEN,Green tea,Tea,12.50,500,2,Sencha from Shizuoka,,绿茶,静冈煎茶,茶叶
TEA-BLACK,Black tea,Tea,9.00,500,2,Assam breakfast tea,,红茶,阿萨姆早餐茶,茶叶
"""


@pytest.fixture
async def chinese_catalog_shop(database_url: str, tmp_path) -> AsyncIterator[RunningShop]:
    await load_catalog(database_url, CHINESE_TEAS)
    async with running_shop(database_url, webapp_media_dir=str(tmp_path / "media")) as running:
        yield running


async def test_a_chinese_telegram_user_who_never_chose_a_language_gets_the_storefront_in_chinese(
    browser, chinese_catalog_shop: RunningShop
):
    shop = chinese_catalog_shop
    page = await _phone(browser, shop, replace(ALICE, id=7003, language_code="zh-hans"))
    cards = page.get_by_test_id("product")
    await expect(cards).to_have_count(2)
    assert sorted(await cards.locator(".name").all_inner_texts()) == ["红茶", "绿茶"]
    assert await page.locator(".chips button").all_inner_texts() == ["茶叶"]
    assert await page.locator("[data-tab=catalog]").inner_text() == "🛍 商品目录"
    assert await page.evaluate("document.documentElement.lang") == "zh"
    await cards.filter(has_text="绿茶").click()
    await page.get_by_text("静冈煎茶").wait_for()
    await expect(page.get_by_test_id("add")).to_have_text("加入购物车")


@pytest.mark.parametrize("runtime", ["ptb", "aiogram"])
async def test_the_app_speaks_the_language_chosen_with_language_in_the_chat(
    browser, database_url: str, tmp_path, runtime: RuntimeName
):
    await load_catalog(database_url, CHINESE_TEAS)
    async with running_shop(database_url, runtime=runtime, webapp_media_dir=str(tmp_path / "m")) as shop:
        for user, choice, name, tab in (
            (replace(ALICE, id=7004, language_code="zh-hans"), "English", "Green tea", "🛒 Cart"),
            (replace(ALICE, id=7005, language_code="en"), "中文", "绿茶", "🛒 购物车"),
        ):
            shop.telegram.user(user.id, first_name="Alice", language_code=user.language_code)
            await shop.telegram.push_text(user.id, "/language", language_code=user.language_code)
            await shop.telegram.wait_for("sendMessage", lambda p, user=user: p["chat_id"] == user.id)
            await Shopper(shop.telegram, user.id).press(choice, expect="")
            page = await _phone(browser, shop, user)
            await page.get_by_test_id("product").filter(has_text=name).wait_for()
            assert await page.locator("[data-tab=cart]").inner_text() == tab
            await page.context.close()
