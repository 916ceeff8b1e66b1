"""Staff hand a pickup order over from its card in the merchant group, through both real runtimes and a
fake Bot API: "📦 Ready to collect", then "🤝 Collected"; the card never offers to ship it."""

from __future__ import annotations

from domain.order_status import OrderStatus
from handlers.actions.customer import pack
from handlers.actions.merchant import AcceptOrder
from tests.e2e.test_merchant_card import (  # noqa: F401 - the same shop, runtimes and card helpers
    bot,
    card_edit,
    send_card,
    shop,
)
from tests.shops.merchant import ANN, CAROL, MERCHANT_CHAT, pickup_cash_order


def _labels(call) -> str:
    return str(call.params.get("reply_markup") or "")


async def test_staff_make_a_pickup_order_ready_and_hand_it_over(bot, telegram, connection, shop):  # noqa: F811
    clock, desk = bot
    number = (await pickup_cash_order(shop, clock, desk, **{"TEA-BLACK": 1})).number
    card_id = await send_card(connection, shop, number)
    telegram.user(ANN, first_name="Ann")

    await telegram.press(ANN, card_id, pack(AcceptOrder(number)), chat_id=MERCHANT_CHAT)
    accepted = await card_edit(telegram, card_id, "Accepted by Ann")
    assert "Ready to collect" in _labels(accepted) and "Packed" not in _labels(accepted)
    await telegram.press(ANN, card_id, _button(accepted, "Ready to collect"), chat_id=MERCHANT_CHAT)
    made_ready = await card_edit(telegram, card_id, "Ready to collect, by Ann")
    assert "Collected" in _labels(made_ready) and "Ship" not in _labels(made_ready)
    await telegram.press(ANN, card_id, _button(made_ready, "Collected"), chat_id=MERCHANT_CHAT)
    await card_edit(telegram, card_id, "🤝 Collected")

    order = shop.state.orders[number]
    assert order.status is OrderStatus.DELIVERED and order.is_paid
    told = [m.payload["text"] for m in shop.state.outbox if m.chat_id == CAROL]
    assert f"Your order {number} is ready to collect at the shop." in told
    assert f"You collected your order {number}. Enjoy!" in told


def _button(call, label: str) -> str:
    """The callback data of the card's button labelled `label`, as the edit showed it."""
    rows = call.params["reply_markup"]["inline_keyboard"]
    [data] = [b["callback_data"] for row in rows for b in row if label in b["text"]]
    return data
