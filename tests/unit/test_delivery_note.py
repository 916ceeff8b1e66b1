"""A customer's delivery note, typed at the review, reaches the merchant card and the packing view."""

from __future__ import annotations

import pytest

from handlers.actions.customer import pack
from handlers.actions.merchant import AcceptOrder
from handlers.app import ShopApp
from tests.shops.merchant import ANN, StaffChat, desk_for
from tests.unit.chat import Chat, check_out, fill_cart


@pytest.fixture
def app(shop, clock, config, payments) -> ShopApp:
    starters = payments.starters()
    return ShopApp(
        shop, clock, config, payments=starters, payment_events=payments.telegram, merchant=desk_for()
    )


async def test_a_delivery_note_reaches_the_merchant_card_and_the_packing_view(shop, app):
    carol = Chat(app, 333, name="Carol")
    await fill_cart(shop, 333, {"TEA-BLACK": 1})
    await check_out(carol)
    await carol.send("Leave it at the door")  # typed without asking: the buttons are the way on
    assert "Please use the buttons below." in carol.text and "Delivery note:" not in carol.text
    await carol.press("Delivery note")
    await carol.send("x" * 501)
    assert "at most 500 characters; that one has 501" in carol.text
    assert "Delivery note:" not in carol.text
    await carol.send("Leave it at the door, please")  # still asked: the next try is taken
    assert "Delivery note: Leave it at the door, please" in carol.text
    await carol.press("Cash on delivery")
    [order] = shop.state.orders.values()
    assert order.delivery_note == "Leave it at the door, please"
    assert "📝 Delivery note: Leave it at the door, please" in desk_for().order_card(order).text

    ann = StaffChat(app, ANN, "Ann")
    await ann.press_data(pack(AcceptOrder(order.number)))
    assert "📝 Delivery note: Leave it at the door, please" in ann.text  # the card staff work on
    await ann.command("orders")
    await ann.press("To pack")
    assert f"📝 {order.number}: Leave it at the door, please" in ann.text
