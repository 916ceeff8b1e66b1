"""A customer orders through each real Telegram runtime, against a fake Bot API and SQLite storage."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.telegram.connection import TelegramConnection
from bot.telegram.runtime import build_runtime
from bot.wiring.bootstrap import Shop, assemble
from domain.actor import Actor
from domain.clock import FixedClock
from domain.order_status import OrderStatus
from domain.ports import StockAudit
from storage.catalog.csv_format import parse_catalog
from storage.catalog.transfer import import_catalog
from tests.e2e.telegram_chat import TelegramChat
from tests.fakes.telegram_server import FakeTelegram

CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog.csv"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.close()


@pytest.fixture
async def shop(tmp_path: Path, telegram: FakeTelegram) -> AsyncIterator[Shop]:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}",
        telegram_token=telegram.token,
        telegram_api_url=telegram.url,
        shop_name="Tea House",
        merchant_chat_id=-100500,
        merchant_user_ids=[900],
    )
    async with assemble(settings, clock=FixedClock(NOW)) as shop:
        async with shop.uow_factory() as uow:
            rows = parse_catalog(CATALOG.read_text(encoding="utf-8"), "USD")
            await import_catalog(uow, rows, actor=Actor.system("test"), now=NOW)
            await uow.commit()
        yield shop


@pytest.fixture(params=["ptb", "aiogram"])
async def bot(request: pytest.FixtureRequest, shop: Shop, telegram: FakeTelegram) -> AsyncIterator[str]:
    connection = TelegramConnection(telegram.token, telegram.url, poll_timeout=1)
    running = build_runtime(request.param, connection, shop.handler)
    await running.start()
    yield request.param
    await running.stop()


async def set_stock(shop: Shop, sku: str, on_hand: int) -> None:
    async with shop.uow_factory() as uow:
        level = await uow.stocks.get(sku)
        level.set_on_hand(on_hand)
        await uow.stocks.save(level, StockAudit(sku, Actor.system("test"), NOW, f"set {on_hand}"))
        await uow.commit()


async def browse_to(chat: TelegramChat, category: str, product: str) -> None:
    await chat.send("/start", then="Welcome to Tea House")
    await chat.press("Catalog", then=category)
    await chat.press(category, then=product)
    await chat.press(product, then=product)


async def pick_up_and_pay_cash(chat: TelegramChat) -> None:
    """From a filled cart to a placed pickup order paid cash on delivery."""
    await chat.send("/cart", then="Checkout")
    await chat.press("Checkout", then="Who will receive the order?")
    await chat.send("Alice Smith", then="phone")
    await chat.share_phone("+1 202 555 0100", then="How should we deliver?")
    await chat.press("Pickup", then="Total")
    await chat.press("Cash at pickup", then="is placed!")


async def test_a_customer_goes_from_start_to_a_placed_order(bot, shop: Shop, telegram: FakeTelegram):
    alice = TelegramChat(telegram, 501)
    await browse_to(alice, "Tea", "Jasmine Pearls")
    await alice.press("+", then="Add 2 to cart")
    await alice.press("Add 2 to cart", then="Jasmine Pearls")
    await alice.send("/cart", then="Subtotal: $25.80")
    await alice.press("Checkout", then="Who will receive the order?")
    await alice.send("Alice Smith", then="phone")
    await alice.share_phone("+1 202 555 0100", then="How should we deliver?")
    await alice.press("Standard", then="address")
    await alice.send("12 Main St, Springfield, 12345, US", then="Total: $30.80")
    await alice.press("Cash on delivery", then="is placed!")

    async with shop.uow_factory(write=False) as uow:
        [order] = await uow.orders.list_for_customer(501)
        assert order.status is OrderStatus.PLACED and order.total.amount_minor == 3080
        assert (await uow.stocks.get("TEA-JAS-50")).reserved == 2
    assert order.number in alice.text


async def test_sold_out_and_over_quantity_are_explained(bot, shop: Shop, telegram: FakeTelegram):
    await set_stock(shop, "TEA-PUER-357", 1)
    bob = TelegramChat(telegram, 502)
    await browse_to(bob, "Tea", "Aged Pu-erh Cake")
    await bob.sees("Only 1 left")
    await bob.press("Add 1 to cart", then="In your cart: 1")
    assert not any("Add" in label for label in bob.labels())  # nothing more to add from the card
    await bob.send("/cart", then="Checkout")
    _, more = bob.button_data("+")
    await telegram.press(502, bob._shown()[-1][0], more)
    refusal = await telegram.wait_for("answerCallbackQuery", lambda p: "sold out" in p.get("text", ""))
    assert "the only 1 left is in your cart" in refusal.params["text"]
    await set_stock(shop, "TEA-PUER-357", 1)  # still 1: and a second buyer finds it gone once Bob checks out
    await bob.send("/start p_TEA-PUER-357", then="Aged Pu-erh Cake")
    async with shop.uow_factory(write=False) as uow:
        assert (await uow.carts.get(502)).lines == {"TEA-PUER-357": 1}
    await bob.send("/cart", then="Checkout")
    await bob.press("Checkout", then="Who will receive the order?")
    await bob.send("Bob Jones", then="phone")
    await bob.share_phone("+1 202 555 0101", then="How should we deliver?")
    await bob.press("Pickup", then="Total")
    await set_stock(shop, "TEA-PUER-357", 0)  # the last unit went to the shop window meanwhile
    _, pay = bob.button_data("Cash at pickup")
    await telegram.press(502, bob._shown()[-1][0], pay)
    await telegram.wait_for("answerCallbackQuery", lambda p: "just sold out" in p.get("text", ""))
    async with shop.uow_factory(write=False) as uow:
        assert await uow.orders.list_for_customer(502) == []
    dave = TelegramChat(telegram, 512)
    await dave.send("/start p_TEA-PUER-357", then="Sold out")
    assert not any("Add" in label for label in dave.labels())


async def test_a_button_forged_for_another_customers_order_is_refused(bot, shop, telegram):
    alice = TelegramChat(telegram, 503)
    await browse_to(alice, "Tea", "Jasmine Pearls")
    await alice.press("Add 1 to cart", then="Jasmine Pearls")
    await pick_up_and_pay_cash(alice)
    async with shop.uow_factory(write=False) as uow:
        [order] = await uow.orders.list_for_customer(503)
    # Mallory replays the button data of Alice's order in her own chat.
    await alice.send("/orders", then=order.number)
    _, data = alice.button_data(order.number)
    mallory = TelegramChat(telegram, 666)
    await mallory.send("/start", then="Welcome")
    await telegram.press(666, mallory._shown()[-1][0], data)
    refusal = await telegram.wait_for("answerCallbackQuery", lambda p: "not available" in p.get("text", ""))
    assert order.number not in refusal.params["text"] and order.number not in mallory.text
    async with shop.uow_factory(write=False) as uow:
        assert (await uow.orders.get(order.number)).status is OrderStatus.PLACED


async def test_a_redelivered_update_is_handled_once(bot, shop: Shop, telegram: FakeTelegram):
    carol = TelegramChat(telegram, 504)
    await browse_to(carol, "Tea", "Jasmine Pearls")
    message_id, data = carol.button_data("Add 1 to cart")
    query = {
        "id": "cq-dup",
        "from": telegram.user(504),
        "message": telegram.message(504, message_id),
        "chat_instance": "ci-504",
        "data": data,
    }
    telegram.open_queries.add("cq-dup")
    update = await telegram.push_update("callback_query", query)
    await telegram.wait_for("answerCallbackQuery", lambda p: p.get("callback_query_id") == "cq-dup")
    telegram.open_queries.add("cq-dup")
    telegram._queue.updates.append(update)  # the same update_id delivered again
    await carol.send("/cart", then="Subtotal: $12.90")
    async with shop.uow_factory(write=False) as uow:
        assert (await uow.carts.get(504)).lines == {"TEA-JAS-50": 1}


async def test_a_chinese_speaking_user_sees_chinese(bot, shop: Shop, telegram: FakeTelegram):
    wang = TelegramChat(telegram, 505, language_code="zh-hans")
    await wang.send("/start", then="欢迎来到 Tea House")
    assert "🛍 商品目录" in wang.labels()
    await wang.press("商品目录", then="茶叶")
    await wang.press("茶叶", then="茉莉龙珠 50 克")
    await wang.press("茉莉龙珠 50 克", then="手工揉捻绿茶，以茉莉花窨制。")
    await wang.send("茉莉", then="茉莉龙珠 50 克 · US$12.90")


async def test_staff_get_figures_with_a_chart_and_customers_do_not(bot, shop: Shop, telegram: FakeTelegram):
    alice = TelegramChat(telegram, 506)
    await browse_to(alice, "Tea", "Jasmine Pearls")
    await alice.press("Add 1 to cart", then="In your cart: 1")
    await telegram.push_text(900, "/stats", chat_id=-100500)
    chart = await telegram.wait_for("sendPhoto", lambda p: int(p["chat_id"]) == -100500, timeout=15)
    assert chart.params["photo"].content.startswith(b"\x89PNG")
    figures = await telegram.wait_for("sendMessage", lambda p: int(p["chat_id"]) == -100500, timeout=15)
    assert "Orders: 0 placed" in figures.params["text"]
    await alice.send("/stats", then="Only shop staff can see the shop's figures.")


async def test_staff_make_a_promo_code_and_a_customer_pays_less_with_it(
    bot, shop: Shop, telegram: FakeTelegram
):
    await telegram.push_text(900, "/promo create TEA10 10% min=20", chat_id=-100500)
    await telegram.wait_for("sendMessage", lambda p: "Created TEA10: 10% off." in p.get("text", ""))
    alice = TelegramChat(telegram, 507)
    await browse_to(alice, "Tea", "Jasmine Pearls")
    await alice.press("Add 1 to cart", then="In your cart: 1")
    await alice.send("/cart", then="Checkout")
    await alice.press("Checkout", then="Who will receive the order?")
    await alice.send("Alice Smith", then="phone")
    await alice.share_phone("+1 202 555 0100", then="How should we deliver?")
    await alice.press("Pickup", then="Total: $12.90")
    await alice.press("Have a code?", then="Type your promo code")
    await alice.send("tea10", then="The code TEA10 needs a subtotal of at least $20.00.")
    await alice.press("Back", then="Total: $12.90")
    await alice.send("/start p_TEA-JAS-50", then="Jasmine Pearls")
    await alice.press("Add 1 to cart", then="In your cart: 2")
    await alice.send("/checkout", then="Total: $25.80")
    await alice.press("Have a code?", then="Type your promo code")
    await alice.send("tea10", then="Discount (TEA10): −$2.58")
    await alice.sees("Total: $23.22")
    await alice.press("Cash at pickup", then="have $23.22 ready")
    async with shop.uow_factory(write=False) as uow:
        [order] = await uow.orders.list_for_customer(507)
        assert (order.promo_code, order.discount_minor, order.total.amount_minor) == ("TEA10", 258, 2322)
        assert (await uow.promos.get("TEA10")).uses == 1


async def test_a_returning_customer_buys_from_a_product_card_in_two_taps(
    bot, shop: Shop, telegram: FakeTelegram
):
    alice = TelegramChat(telegram, 508)
    await alice.send("/start p_TEA-JAS-50", then="Jasmine Pearls")
    await alice.press("Buy now", then="Who will receive the order?")
    await alice.send("Alice Smith", then="phone")
    await alice.share_phone("+1 202 555 0100", then="How should we deliver?")
    await alice.press("Standard", then="address")
    await alice.send("12 Main St, Springfield, 12345, US", then="Total: $17.90")
    await alice.press("Cash on delivery", then="is placed!")
    await alice.send("/start p_TEA-LJ-100", then="Longjing")
    taps = 0
    for label, then in (
        ("Buy now", "Recipient: Alice Smith, +12025550100"),
        ("Cash on delivery", "is placed!"),
    ):
        await alice.press(label, then=then)
        taps += 1
    assert taps <= 4
    async with shop.uow_factory(write=False) as uow:
        orders = await uow.orders.list_for_customer(508)
    assert len(orders) == 2 and orders[0].address.line1 == "12 Main St"


async def test_a_wrong_answer_edits_the_question_in_place_and_help_returns_to_it(
    bot, shop: Shop, telegram: FakeTelegram
):
    erin = TelegramChat(telegram, 509)
    await erin.send("/start p_TEA-JAS-50", then="Jasmine Pearls")
    await erin.press("Buy now", then="Who will receive the order?")
    question_id = erin._shown()[-1][0]
    sent_before = sum(c.method == "sendMessage" and int(c.params["chat_id"]) == 509 for c in telegram.calls)
    await erin.send("\u3164", then="The name must have letters")
    assert erin._shown()[-1][0] == question_id  # the same message, now with what was wrong
    assert "Who will receive the order?" in erin.text
    sent_after = sum(c.method == "sendMessage" and int(c.params["chat_id"]) == 509 for c in telegram.calls)
    assert sent_after == sent_before
    await erin.send("/help", then="Your checkout is kept where you left it.")
    await erin.press("Continue checkout", then="Who will receive the order?")
    await erin.send("Erin Example", then="phone")


async def test_impossible_phones_and_unknown_countries_are_refused_and_chinese_names_understood(
    bot, shop: Shop, telegram: FakeTelegram
):
    fay = TelegramChat(telegram, 510)
    await fay.send("/start p_TEA-JAS-50", then="Jasmine Pearls")
    await fay.press("Buy now", then="Who will receive the order?")
    await fay.send("Fay Wong", then="phone")
    await fay.send("00000000", then="for example +1 201-555-0123")
    await fay.send("+86 138 0013 8000", then="How should we deliver?")
    await fay.press("Standard", then="address")
    await fay.send("x, y, ZZ", then="I do not know the country “ZZ”")
    await fay.send(
        "1 Jianguomenwai Ave, Beijing, 100022, 中国", then="Address: 1 Jianguomenwai Ave, Beijing, 100022, CN"
    )
    await fay.press("Cash on delivery", then="is placed!")
    await fay.send("/addresses", then="1. 1 Jianguomenwai Ave, Beijing, 100022, CN (default)")
