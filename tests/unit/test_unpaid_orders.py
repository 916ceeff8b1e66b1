"""An unpaid card order can be paid from the order view while its items are held; once it expires, its
message puts the items back in the cart with one tap."""

from __future__ import annotations

import dataclasses

import pytest

from domain.order_status import OrderStatus, PaymentMethod
from handlers.app import ShopApp
from jobs.expire_reservations import expire_reservations
from tests.unit.chat import Chat, check_out, fill_cart


@pytest.fixture
def carol(shop, clock, config, payments) -> Chat:
    card = dataclasses.replace(config, payment_methods=(PaymentMethod.STRIPE,))
    return Chat(ShopApp(shop, clock, card, payments=payments.starters()), 444, name="Carol")


async def _card_order(chat: Chat, shop) -> str:
    await fill_cart(shop, chat.user_id, {"TEA-BLACK": 2})
    await check_out(chat)
    await chat.press("Card (online)")
    [number] = shop.state.orders
    return number


async def test_pay_now_gives_a_link_while_the_items_are_held(carol: Chat, shop, clock):
    number = await _card_order(carol, shop)
    assert carol.link("Pay $23.00")
    clock.advance(minutes=10)
    await carol.command("orders")
    await carol.press(number)
    await carol.press("Pay now")
    assert carol.link("Pay $23.00") and "held for 20 minutes" in carol.text


async def test_an_expired_order_offers_no_pay_now_and_its_message_restores_the_cart(carol: Chat, shop, clock):
    number = await _card_order(carol, shop)
    clock.advance(minutes=31)
    assert await expire_reservations(shop, clock) == 1
    [notice] = [m for m in shop.state.outbox if m.dedupe_key == f"order:{number}:payment_expired"]
    assert "Restore your cart to order them again." in notice.payload["text"]
    [[restore]] = notice.payload["buttons"]
    await carol.command("orders")
    await carol.press(number)
    assert "Pay now" not in carol.labels()
    assert restore["label"] == "🛒 Restore cart"
    await carol.press_data(restore["action"])
    assert "Black tea" in carol.text and "Subtotal: $18.00" in carol.text
    assert shop.state.orders[number].status is OrderStatus.PAYMENT_EXPIRED
