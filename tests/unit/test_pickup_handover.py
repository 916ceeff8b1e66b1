"""An order collected at the shop is made ready and handed over, never shipped: staff press "📦 Ready to
collect" and "🤝 Collected" on its card, the customer hears that it is ready (as the receipt promised) and
that they collected it, its stock leaves the shelf and cash at pickup counts as paid."""

from __future__ import annotations

import dataclasses

import pytest

from domain.money import Money
from domain.order_status import OrderStatus, PaymentMethod
from handlers.actions.customer import pack
from handlers.actions.merchant import AcceptOrder
from handlers.app import ShopApp
from handlers.kernel.config import DeliveryOption
from tests.shops.merchant import ANN, StaffChat, desk_for
from tests.unit.chat import Chat, check_out, fill_cart, place_order

S = OrderStatus


@pytest.fixture
def config(config):
    options = (
        DeliveryOption("standard", "Standard", Money(500, "USD")),
        DeliveryOption(
            "pickup", "Pickup in store", Money(0, "USD"), needs_address=False, label_zh="到店自取"
        ),
    )
    return dataclasses.replace(config, delivery_options=options, payment_methods=(PaymentMethod.CASH,))


def to_customer(shop, user_id: int) -> list[str]:
    return [m.payload["text"] for m in shop.state.outbox if m.chat_id == user_id]


async def test_a_pickup_order_is_made_ready_and_collected_never_shipped(shop, clock, config):
    app = ShopApp(shop, clock, config, merchant=desk_for())
    wang = Chat(app, 451, language_code="zh-hans")
    await fill_cart(shop, 451, {"TEA-BLACK": 2})
    await check_out(wang, delivery="到店自取")
    await wang.press("到店付现金")
    [number] = shop.state.orders
    ann = StaffChat(app, ANN, "Ann")

    await ann.press_data(pack(AcceptOrder(number)))
    assert "📦 Ready to collect" in ann.labels() and "📦 Packed" not in ann.labels()
    await ann.press("Ready to collect")
    assert "🤝 Collected" in ann.labels() and "🚚 Ship" not in ann.labels()
    assert "📦 Ready to collect, by Ann" in ann.text
    assert to_customer(shop, 451)[-1] == f"您的订单 {number} 已可到店自取。"

    await ann.press("Collected")
    order = shop.state.orders[number]
    assert order.status is S.DELIVERED and order.is_paid  # the cash was taken at the counter
    assert f"Order {number} — Collected" in ann.text and "🤝 Collected" in ann.text and "🚚" not in ann.text
    assert to_customer(shop, 451)[-1] == f"您已取走订单 {number}，祝您享用！"
    await wang.command("orders")
    assert f"{number} · 已取货 · US$18.00" in wang.labels()
    level = shop.state.stocks["TEA-BLACK"]
    assert (level.on_hand, level.reserved) == (48, 0)


async def test_an_order_to_ship_still_packs_and_ships(shop, clock, config):
    app = ShopApp(shop, clock, config, merchant=desk_for())
    number = await place_order(Chat(app, 452), shop, {"TEA-BLACK": 1})
    ann = StaffChat(app, ANN, "Ann")
    await ann.press_data(pack(AcceptOrder(number)))
    await ann.press("📦 Packed")
    assert "🚚 Ship" in ann.labels() and "🤝 Collected" not in ann.labels()
    assert not shop.state.orders[number].can(S.DELIVERED)


async def test_a_pickup_ready_at_the_counter_waits_under_to_hand_over_not_to_ship(shop, clock, config):
    app = ShopApp(shop, clock, config, merchant=desk_for())
    wang = Chat(app, 453, language_code="zh-hans")
    await fill_cart(shop, 453, {"TEA-BLACK": 1})
    await check_out(wang, delivery="到店自取")
    await wang.press("到店付现金")
    [pickup] = shop.state.orders
    parcel = await place_order(Chat(app, 454), shop, {"TEA-BLACK": 1})
    ann = StaffChat(app, ANN, "Ann")
    for number, packed in ((pickup, "Ready to collect"), (parcel, "📦 Packed")):
        await ann.press_data(pack(AcceptOrder(number)))
        await ann.press(packed)

    await ann.command("orders")
    assert "🚚 To ship (1)" in ann.labels() and "🤝 To hand over (1)" in ann.labels()
    await ann.press("To hand over")
    assert [label.split(" ")[0] for label in ann.labels()[:1]] == [pickup]
    await ann.command("orders")
    await ann.press("To ship")
    assert [label.split(" ")[0] for label in ann.labels()[:1]] == [parcel]
