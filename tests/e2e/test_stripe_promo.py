"""A discounted card order through the official Stripe SDK and the fake Stripe API: the session charges the
discounted total without a negative price (Stripe refuses those), and paying it marks the order paid."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.order_status import OrderStatus, PaymentMethod
from domain.promo import PromoCode, PromoKind
from domain.services import place_order
from tests.fakes.card_link import card_checkout_reply
from tests.fakes.payment_shop import CUSTOMER, STANDARD, outbox_texts, stock
from tests.fakes.stripe_shop import open_shop


@pytest.fixture
async def shop():
    async with open_shop() as opened:
        yield opened


async def test_a_discounted_card_order_is_charged_its_discounted_total(shop):
    await stock(shop.factory, mug=5)
    async with shop.factory() as uow:
        await uow.promos.add(PromoCode("MUG5", PromoKind.FIXED, 500, "USD", shop.clock.now()))
        cart = await uow.carts.get(CUSTOMER)
        cart.add("mug", 2)
        await uow.carts.save(cart, now=shop.clock.now())
        order, _events = await place_order(
            uow,
            customer_id=CUSTOMER,
            delivery=STANDARD,
            payment_method=PaymentMethod.STRIPE,
            address=None,
            now=shop.clock.now(),
            reservation=timedelta(minutes=30),
            promo_code="MUG5",
        )
        await uow.commit()
    async with shop.factory() as uow:
        await card_checkout_reply(uow, shop.gateway, order, shop.clock.now())
        await uow.commit()
    [session_id] = shop.stripe.sessions
    session = shop.stripe.sessions[session_id]
    assert session["amount_total"] == order.total.amount_minor == 2 * 1250 - 500 + 500
    assert all(int(i["price_data"]["unit_amount"]) >= 0 for i in session["line_items_sent"])
    assert "MUG5" in session["line_items_sent"][0]["price_data"]["product_data"]["name"]
    await shop.post(shop.stripe.pay(session_id))
    assert shop.order(order.number).status is OrderStatus.PAID
    [receipt] = outbox_texts(shop.factory, CUSTOMER)
    assert "Discount (MUG5): −$5.00" in receipt
