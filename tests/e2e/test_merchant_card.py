"""Staff work an order card in the merchant group through both real runtimes and a fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.telegram.notifier import BotApiNotifier
from bot.telegram.runtime import build_runtime
from domain.actor import Actor
from domain.clock import FixedClock
from domain.money import Money
from domain.order_status import OrderStatus
from domain.ports import StockAudit
from handlers.actions.aftercare import ContactCustomer, RestockSku
from handlers.actions.catalog import EditProduct
from handlers.actions.customer import pack
from handlers.actions.merchant import AcceptOrder, PackOrder, RejectOrder, ShipOrder
from handlers.app import ShopApp
from handlers.kernel.config import ShopConfig
from jobs.apply_tracking import apply_carrier_status
from jobs.low_stock import alerts_for
from tests.fakes.memory import FakeUnitOfWorkFactory
from tests.fakes.payment_shop import FakeGateway
from tests.fakes.telegram_server import FakeTelegram
from tests.shops.merchant import (
    ANN,
    BEN,
    CAROL,
    MERCHANT_CHAT,
    FakeTracking,
    desk_for,
    paid_order,
    stock_black_tea,
)


@pytest.fixture
async def shop() -> FakeUnitOfWorkFactory:
    factory = FakeUnitOfWorkFactory()
    await stock_black_tea(factory)
    return factory


@pytest.fixture(params=["ptb", "aiogram"])
async def bot(request, connection, shop) -> AsyncIterator[tuple[FixedClock, object]]:
    clock = FixedClock()
    desk = desk_for(tracking=FakeTracking(), gateway=FakeGateway())
    config = ShopConfig("Tea House", "USD", merchant_chat_id=MERCHANT_CHAT)
    app = ShopApp(shop, clock, config, merchant=desk)
    running = build_runtime(request.param, connection, app)
    await running.start()
    yield clock, desk
    await running.stop()


async def send_card(connection, shop, number: str) -> int:
    """What the outbox relay does with the new-order card: deliver it to the merchant group."""
    [message] = [m for m in shop.state.outbox if m.dedupe_key == f"order:{number}:card"]
    notifier = BotApiNotifier(connection)
    try:
        message_id = await notifier.deliver(MERCHANT_CHAT, message.payload)
    finally:
        await notifier.aclose()
    assert message_id is not None
    return message_id


def card_edit(telegram: FakeTelegram, message_id: int, *words: str):
    return telegram.wait_for(
        "editMessageText",
        lambda p: (
            p["chat_id"] == MERCHANT_CHAT
            and p["message_id"] == message_id
            and all(word in p["text"] for word in words)
        ),
    )


async def test_staff_accept_pack_and_ship_edit_the_card_and_a_customer_is_refused(
    bot, telegram, connection, shop
):
    clock, desk = bot
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    card_id = await send_card(connection, shop, order.number)
    telegram.user(ANN, first_name="Ann")

    await telegram.press(ANN, card_id, pack(AcceptOrder(order.number)), chat_id=MERCHANT_CHAT)
    accepted = await card_edit(telegram, card_id, "Accepted by Ann")
    assert "Packed" in str(accepted.params["reply_markup"])

    await telegram.press(CAROL, card_id, pack(RejectOrder(order.number, "stock")), chat_id=MERCHANT_CHAT)
    refused = await telegram.wait_for("answerCallbackQuery", lambda p: "staff only" in p.get("text", ""))
    assert refused.params["show_alert"] is True
    assert shop.state.orders[order.number].status is OrderStatus.ACCEPTED

    await telegram.press(ANN, card_id, pack(PackOrder(order.number)), chat_id=MERCHANT_CHAT)
    await card_edit(telegram, card_id, "Packed by Ann")
    await telegram.push_text(ANN, f"/ship {order.number} DHL JD014600003828", chat_id=MERCHANT_CHAT)
    shipped = await card_edit(telegram, card_id, "Shipped by Ann", "JD014600003828")
    assert "Ship" not in str(shipped.params.get("reply_markup") or "")
    assert shop.state.orders[order.number].status is OrderStatus.SHIPPED
    assert shop.state.orders[order.number].merchant_message_id == card_id


async def test_a_ship_prompt_takes_only_its_answer_on_both_runtimes(bot, telegram, connection, shop):
    """Issue 15's reproduction over the wire: /stock between 🚚 Ship and a lunch message ends the prompt;
    a reply to the force_reply prompt with a bare S10 number ships with its postal carrier."""
    clock, desk = bot
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    card_id = await send_card(connection, shop, order.number)
    telegram.user(ANN, first_name="Ann")
    await telegram.press(ANN, card_id, pack(AcceptOrder(order.number)), chat_id=MERCHANT_CHAT)
    await card_edit(telegram, card_id, "Accepted by Ann")
    await telegram.press(ANN, card_id, pack(PackOrder(order.number)), chat_id=MERCHANT_CHAT)
    await card_edit(telegram, card_id, "Packed by Ann")

    await telegram.press(ANN, card_id, pack(ShipOrder(order.number)), chat_id=MERCHANT_CHAT)
    first_prompt = await telegram.wait_for("sendMessage", lambda p: p["text"].startswith("✍"))
    assert first_prompt.params["reply_markup"]["force_reply"] is True
    await telegram.push_text(ANN, "/stock", chat_id=MERCHANT_CHAT)
    await card_edit(telegram, card_id, "/stock came first")
    await telegram.wait_for("sendMessage", lambda p: "Stock, low first" in p["text"])
    await telegram.push_text(ANN, "lunch order for table 123456", chat_id=MERCHANT_CHAT)
    await telegram.push_text(ANN, "/order " + order.number, chat_id=MERCHANT_CHAT)  # handled after the lunch
    await telegram.wait_for("sendMessage", lambda p: p["text"].startswith(f"🧾 Order {order.number}"))
    assert shop.state.orders[order.number].status is OrderStatus.PACKED

    await telegram.press(ANN, card_id, pack(ShipOrder(order.number)), chat_id=MERCHANT_CHAT)
    prompts = lambda p: p["text"].startswith("✍") and p is not first_prompt.params  # noqa: E731
    prompt = await telegram.wait_for("sendMessage", prompts)
    prompt_id = prompt.result["message_id"]
    await telegram.push_text(ANN, "RR123456785CN", chat_id=MERCHANT_CHAT, reply_to=prompt_id)
    await card_edit(telegram, card_id, "Shipped by Ann", "China Post RR123456785CN")
    stored = shop.state.orders[order.number]
    assert (stored.status, stored.carrier) == (OrderStatus.SHIPPED, "China Post")
    assert not any("lunch" in (m.payload.get("text") or "") for m in shop.state.outbox)


async def deliver(connection, shop, key_part: str) -> int:
    """What the outbox relay does: deliver the newest outbox message whose dedupe key or text has this."""
    [*_, message] = [
        m for m in shop.state.outbox if key_part in (m.dedupe_key or "") or key_part in m.payload["text"]
    ]
    notifier = BotApiNotifier(connection)
    try:
        message_id = await notifier.deliver(message.chat_id, message.payload)
    finally:
        await notifier.aclose()
    assert message_id is not None
    return message_id


async def shipped_card(telegram, connection, shop, clock, desk) -> tuple[str, int]:
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    card_id = await send_card(connection, shop, order.number)
    for action, done in ((AcceptOrder, "Accepted by"), (PackOrder, "Packed by")):
        await telegram.press(ANN, card_id, pack(action(order.number)), chat_id=MERCHANT_CHAT)
        await card_edit(telegram, card_id, done)
    await telegram.push_text(ANN, f"/ship {order.number} DHL JD014600003828", chat_id=MERCHANT_CHAT)
    await card_edit(telegram, card_id, "Shipped by")
    return order.number, card_id


async def test_two_staff_prompts_open_at_once_never_cross_on_both_runtimes(bot, telegram, connection, shop):
    clock, desk = bot
    telegram.user(ANN, first_name="Ann")
    telegram.user(BEN, first_name="Ben")
    cards = {}
    for who in (ANN, BEN):
        order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
        card_id = await send_card(connection, shop, order.number)
        for action, done in ((AcceptOrder, "Accepted by"), (PackOrder, "Packed by")):
            await telegram.press(who, card_id, pack(action(order.number)), chat_id=MERCHANT_CHAT)
            await card_edit(telegram, card_id, done)
        cards[who] = (order.number, card_id)
    for who in (ANN, BEN):
        number, card_id = cards[who]
        await telegram.press(who, card_id, pack(ShipOrder(number)), chat_id=MERCHANT_CHAT)
        await telegram.wait_for("sendMessage", lambda p, n=number: p["text"].startswith(f"✍ {n}"))
    ann_prompt = next(
        c for c in telegram.calls_of("sendMessage") if c.params["text"].startswith(f"✍ {cards[ANN][0]}")
    )

    await telegram.push_text(BEN, "UPS 1Z999AA10123456784", chat_id=MERCHANT_CHAT)
    await card_edit(telegram, cards[BEN][1], "Shipped by Ben", "1Z999AA10123456784")
    prompt_id = ann_prompt.result["message_id"]
    await telegram.push_text(ANN, "DHL JD014600003828", chat_id=MERCHANT_CHAT, reply_to=prompt_id)
    await card_edit(telegram, cards[ANN][1], "Shipped by Ann", "JD014600003828")
    assert shop.state.orders[cards[ANN][0]].tracking_number == "JD014600003828"
    assert shop.state.orders[cards[BEN][0]].tracking_number == "1Z999AA10123456784"


async def open_field_prompt(telegram: FakeTelegram, who: int, field: str):
    """`who` finds Black tea with /products in the merchant group and presses ✏ on one of its fields."""
    mark = len(telegram.calls_of("sendMessage"))
    await telegram.push_text(who, "/products black", chat_id=MERCHANT_CHAT)
    listing = await telegram.wait_for(
        "sendMessage",
        lambda p: "Products matching" in p["text"] and p is not None and _after(telegram, p, mark),
    )
    edit = pack(EditProduct("TEA-BLACK", field))
    await telegram.press(who, listing.result["message_id"], edit, chat_id=MERCHANT_CHAT)
    return await telegram.wait_for(
        "sendMessage", lambda p: p["text"].startswith("✍ TEA-BLACK") and _after(telegram, p, mark)
    )


def _after(telegram: FakeTelegram, params: dict, mark: int) -> bool:
    """`params` are those of a sendMessage call made after the first `mark` ones."""
    return any(call.params is params for call in telegram.calls_of("sendMessage")[mark:])


async def test_a_product_field_prompt_ended_by_a_command_takes_no_later_message_on_both_runtimes(
    bot, telegram, connection, shop
):
    """Issue 17's catalog prompts on the desk's rules: /stock between ✏ Price and a plain message ends the
    prompt and says so; the plain message changes nothing."""
    telegram.user(ANN, first_name="Ann")
    prompt = await open_field_prompt(telegram, ANN, "price")
    assert prompt.params["reply_markup"]["force_reply"] is True
    await telegram.push_text(ANN, "/stock", chat_id=MERCHANT_CHAT)
    await telegram.wait_for("sendMessage", lambda p: "The prompt ended: /stock came first" in p["text"])
    await telegram.wait_for("sendMessage", lambda p: "Stock, low first" in p["text"])
    await telegram.push_text(ANN, "3.50", chat_id=MERCHANT_CHAT)
    await telegram.push_text(ANN, "/order NONE-1", chat_id=MERCHANT_CHAT)  # handled after the "3.50"
    await telegram.wait_for("sendMessage", lambda p: "NONE-1" in p["text"])
    assert shop.state.products["TEA-BLACK"].price == Money(900, "USD")
    assert not any("Saved" in (c.params.get("text") or "") for c in telegram.calls_of("sendMessage"))


async def test_two_staff_product_prompts_open_at_once_never_cross_on_both_runtimes(
    bot, telegram, connection, shop
):
    telegram.user(ANN, first_name="Ann")
    telegram.user(BEN, first_name="Ben")
    ann_prompt = await open_field_prompt(telegram, ANN, "price")
    await open_field_prompt(telegram, BEN, "stock")
    await telegram.push_text(BEN, "40", chat_id=MERCHANT_CHAT)  # Ben's next plain message: his answer
    await telegram.wait_for(
        "sendMessage", lambda p: p["text"].startswith("Saved.") and "on hand 40" in p["text"]
    )
    prompt_id = ann_prompt.result["message_id"]
    await telegram.push_text(ANN, "11.00", chat_id=MERCHANT_CHAT, reply_to=prompt_id)
    await telegram.wait_for("sendMessage", lambda p: "Price saved" in p["text"])
    assert shop.state.products["TEA-BLACK"].price == Money(1100, "USD")
    assert shop.state.stocks["TEA-BLACK"].on_hand == 40


async def test_a_delivery_problem_alert_lets_staff_write_to_the_customer_on_both_runtimes(
    bot, telegram, connection, shop
):
    clock, desk = bot
    telegram.user(ANN, first_name="Ann")
    number, _card_id = await shipped_card(telegram, connection, shop, clock, desk)
    async with shop() as uow:  # what the tracking poll does when the carrier reports a problem
        actor = Actor.carrier("DHL")
        await apply_carrier_status(
            uow, number, "Exception", actor=actor, now=clock.now(), merchant_chat_id=MERCHANT_CHAT
        )
        await uow.commit()
    alert_id = await deliver(connection, shop, f"order:{number}:problem")
    alert = telegram.message(MERCHANT_CHAT, alert_id)
    labels = [b["text"] for row in alert["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["✉ Contact customer", "🚚 Ship again", "↩ Mark returned", "💸 Refund"]

    await telegram.press(ANN, alert_id, pack(ContactCustomer(number)), chat_id=MERCHANT_CHAT)
    prompt = await telegram.wait_for("sendMessage", lambda p: p["text"].startswith(f"✍ {number}"))
    text = "Sorry, the parcel is lost: a new one goes out today."
    await telegram.push_text(ANN, text, chat_id=MERCHANT_CHAT, reply_to=prompt.result["message_id"])
    await telegram.wait_for("sendMessage", lambda p: p["text"].startswith("✉ Sent to the customer"))
    [note] = [m for m in shop.state.outbox if "a new one goes out today" in m.payload["text"]]
    assert note.chat_id == CAROL and number in note.payload["text"]


async def test_the_restock_button_on_a_low_stock_alert_works_on_both_runtimes(
    bot, telegram, connection, shop
):
    clock, desk = bot
    telegram.user(ANN, first_name="Ann")
    await telegram.push_text(ANN, "/setstock TEA-BLACK 1", chat_id=MERCHANT_CHAT)
    await telegram.wait_for("sendMessage", lambda p: "TEA-BLACK" in p["text"] and "on hand 1" in p["text"])
    async with shop() as uow:
        level = await uow.stocks.get("TEA-BLACK")
        level.set_safety(5)
        level.check_low()
        await uow.stocks.save(level, StockAudit("TEA-BLACK", Actor.staff(ANN), clock.now(), "safety 5"))
        await alerts_for(uow, level.events, MERCHANT_CHAT, clock.now())
        await uow.commit()
    alert_id = await deliver(connection, shop, "stock-low:TEA-BLACK")
    await telegram.press(ANN, alert_id, pack(RestockSku("TEA-BLACK")), chat_id=MERCHANT_CHAT)
    prompt = await telegram.wait_for("sendMessage", lambda p: "How many units of Black tea" in p["text"])
    assert prompt.params["reply_markup"]["force_reply"] is True
    await telegram.push_text(ANN, "24", chat_id=MERCHANT_CHAT, reply_to=prompt.result["message_id"])
    await telegram.wait_for("sendMessage", lambda p: "on hand 25" in p["text"])
    assert shop.state.stocks["TEA-BLACK"].on_hand == 25
