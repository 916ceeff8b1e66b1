"""Refunds end to end: through the official SDK to the fake Stripe API, confirmed by signed webhooks."""

from __future__ import annotations

import pytest

from domain.actor import Actor
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.attempts import AttemptOutcome
from handlers.actions.customer import CancelOrder, pack
from handlers.app import ShopApp
from handlers.kernel.config import ShopConfig
from handlers.kernel.incoming import Incoming, Kind, Payment
from handlers.payments.refunds import cancel_with_refund, refund_order
from handlers.payments.telegram import invoice_payload, telegram_invoice_reply
from tests.fakes.payment_shop import CUSTOMER, MERCHANT_CHAT, outbox_texts, place, stock
from tests.fakes.stripe_shop import Shop, open_shop
from tests.unit.chat import Chat

MERCHANT = Actor.staff(1)


@pytest.fixture
async def shop():
    async with open_shop() as opened:
        yield opened


async def withdraw(shop: Shop, number: str, target: OrderStatus) -> str | None:
    async with shop.factory() as uow:
        order = await uow.orders.get_for_update(number)
        refund_id = await cancel_with_refund(uow, shop.gateway, order, target, MERCHANT, shop.clock.now())
        await uow.commit()
    return refund_id


async def refund_again(shop: Shop, number: str) -> str | None:
    async with shop.factory() as uow:
        refund_id = await refund_order(uow, shop.gateway, await uow.orders.get_for_update(number))
        await uow.commit()
    return refund_id


async def test_cancelled_card_order_is_refunded_once_and_becomes_refunded_when_stripe_confirms(shop):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.pay(session_id))
    refund_id = await withdraw(shop, order.number, OrderStatus.CANCELLED)
    assert await refund_again(shop, order.number) == refund_id  # same idempotency key, same refund
    (refund,) = shop.stripe.refunds.values()
    assert refund["payment_intent"] == shop.stripe.sessions[session_id]["payment_intent"]
    assert refund["amount"] == 1750
    assert shop.order(order.number).status is OrderStatus.CANCELLED
    confirmed = shop.stripe.refund_succeeded(refund_id)
    assert (await shop.post(confirmed)).text == "refunded"
    assert (await shop.post(confirmed)).text == "duplicate"
    assert shop.order(order.number).status is OrderStatus.REFUNDED
    assert shop.factory.state.payment_attempts[0].outcome is AttemptOutcome.REFUNDED
    assert len([t for t in outbox_texts(shop.factory, CUSTOMER) if "refund of $17.50" in t]) == 1


async def test_rejected_telegram_payment_is_refunded_through_stripe_with_the_provider_charge(shop):
    await stock(shop.factory, mug=2)
    order = await place(shop.factory, shop.clock, PaymentMethod.TELEGRAM)
    async with shop.factory() as uow:
        await telegram_invoice_reply(uow, order, shop.clock.now())
        await uow.commit()
    shop.stripe.charge("ch_tg_1", 1750, "USD")  # Telegram's Stripe provider charged the card
    payment = Payment(
        invoice_payload(order), "USD", 1750, telegram_charge_id="tg_1", provider_charge_id="ch_tg_1"
    )
    await shop.payments.telegram(Incoming(Kind.PAYMENT, CUSTOMER, CUSTOMER, payment=payment))
    assert shop.order(order.number).status is OrderStatus.PAID
    await withdraw(shop, order.number, OrderStatus.REJECTED)
    (refund,) = shop.stripe.refunds.values()
    assert (refund["charge"], refund["amount"]) == ("ch_tg_1", 1750)
    charge = {"id": "ch_tg_1", "object": "charge", "amount": 1750, "amount_refunded": 1750, "refunded": True}
    await shop.post(shop.stripe.event("charge.refunded", charge))
    assert shop.order(order.number).status is OrderStatus.REFUNDED


async def test_a_partial_refund_does_not_mark_the_order_refunded(shop):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.pay(session_id))
    await withdraw(shop, order.number, OrderStatus.CANCELLED)
    intent = shop.stripe.sessions[session_id]["payment_intent"]
    charge = {"id": "ch_1", "object": "charge", "payment_intent": intent, "amount": 1750}
    response = await shop.post(shop.stripe.event("charge.refunded", {**charge, "amount_refunded": 500}))
    assert response.text == "partly refunded"
    assert shop.order(order.number).status is OrderStatus.CANCELLED
    assert shop.order(order.number).refunded_minor == 500


async def test_second_payment_of_a_paid_order_is_sent_back_and_the_order_stays_paid(shop):
    await stock(shop.factory, mug=2)
    order, first = await shop.checkout()
    shop.clock.advance(minutes=2)  # the customer asks for a link again: a new session
    second = await shop.gateway.create_checkout(order, expires_at=order.reserved_until)
    assert second.session_id != first
    await shop.post(shop.stripe.pay(first))
    response = await shop.post(shop.stripe.pay(second.session_id))
    assert response.text == "refunded"
    (refund,) = shop.stripe.refunds.values()
    assert refund["payment_intent"] == shop.stripe.sessions[second.session_id]["payment_intent"]
    assert shop.order(order.number).status is OrderStatus.PAID
    assert shop.order(order.number).payment_ref == first
    confirmed = await shop.post(shop.stripe.refund_succeeded(refund["id"]))
    assert confirmed.text == "refund recorded" and shop.order(order.number).status is OrderStatus.PAID


async def test_a_customer_cancelling_a_paid_card_order_is_refunded_through_stripe(shop):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.pay(session_id))
    config = ShopConfig("Mugs", "USD", merchant_chat_id=MERCHANT_CHAT)
    customer = Chat(ShopApp(shop.factory, shop.clock, config, gateway=shop.gateway), CUSTOMER)
    await customer.press_data(pack(CancelOrder(order.number, True)))
    assert "Your refund of $17.50 is on its way" in customer.text
    await customer.press_data(pack(CancelOrder(order.number, True)))  # pressed again: refunded once
    (refund,) = shop.stripe.refunds.values()
    assert refund["payment_intent"] == shop.stripe.sessions[session_id]["payment_intent"]
    assert (await shop.post(shop.stripe.refund_succeeded(refund["id"]))).text == "refunded"
    assert shop.order(order.number).status is OrderStatus.REFUNDED


def dashboard_refund(shop: Shop, session_id: str, refunded: int, *, full: bool) -> dict:
    """What Stripe sends when staff refund in its dashboard: `charge.refunded` with the running total."""
    intent = shop.stripe.sessions[session_id]["payment_intent"]
    charge = {"id": f"ch_{intent}", "object": "charge", "payment_intent": intent, "amount": 1750}
    return shop.stripe.event("charge.refunded", {**charge, "amount_refunded": refunded, "refunded": full})


async def test_a_dashboard_refund_of_a_paid_order_refunds_it_puts_stock_back_and_tells_everyone(shop):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.pay(session_id))
    assert shop.factory.state.stocks["mug"].available == 1

    partly = await shop.post(dashboard_refund(shop, session_id, 500, full=False))
    assert (partly.status_code, partly.text) == (200, "partly refunded")
    assert shop.order(order.number).status is OrderStatus.PAID  # still to be sent
    assert "A refund of $5.00" in outbox_texts(shop.factory, CUSTOMER)[-1]
    assert "$5.00 refunded" in outbox_texts(shop.factory, MERCHANT_CHAT)[-1]

    full = await shop.post(dashboard_refund(shop, session_id, 1750, full=True))
    assert (full.status_code, full.text) == (200, "refunded")
    assert shop.order(order.number).status is OrderStatus.REFUNDED
    assert shop.factory.state.stocks["mug"].available == 2  # back on sale
    assert "$12.50" in outbox_texts(shop.factory, CUSTOMER)[-1]  # the rest of it
    assert "refunded in full" in outbox_texts(shop.factory, MERCHANT_CHAT)[-1]
    again = await shop.post(dashboard_refund(shop, session_id, 1750, full=True))
    assert again.text == "refund recorded"


@pytest.mark.parametrize(
    "broken",
    [
        {"amount_refunded": None},
        {"amount_refunded": "500"},
        {"id": None},
    ],
)
async def test_a_stripe_event_with_a_null_or_missing_field_is_refused_and_changes_nothing(shop, broken):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.pay(session_id))
    event = dashboard_refund(shop, session_id, 1750, full=True)
    event["data"]["object"].update(broken)
    sent = len(shop.factory.state.outbox)
    response = await shop.post(event)
    assert response.status_code == 400
    assert shop.order(order.number).status is OrderStatus.PAID
    assert len(shop.factory.state.outbox) == sent
    assert (await shop.post(dashboard_refund(shop, session_id, 1750, full=True))).text == "refunded"


@pytest.mark.parametrize("field", ["amount_total", "currency", "id"])
async def test_a_checkout_event_missing_a_field_is_refused_and_the_order_stays_unpaid(shop, field):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    event = shop.stripe.pay(session_id)
    del event["data"]["object"][field]
    assert (await shop.post(event)).status_code == 400
    missing_id = {key: value for key, value in shop.stripe.pay(session_id).items() if key != "id"}
    assert (await shop.post(missing_id)).status_code == 400
    assert shop.order(order.number).status is OrderStatus.PLACED


async def test_a_refund_reported_before_the_payment_is_kept_and_applied_when_the_payment_lands(shop):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    early = await shop.post(dashboard_refund(shop, session_id, 1750, full=True))
    assert (early.status_code, early.text) == (200, "refund kept until its payment arrives")
    assert shop.order(order.number).status is OrderStatus.PLACED

    landed = await shop.post(shop.stripe.pay(session_id))
    assert (landed.status_code, landed.text) == (200, "paid; refunded")
    assert shop.order(order.number).status is OrderStatus.REFUNDED
    assert shop.factory.state.stocks["mug"].available == 2
    assert "refund of $17.50" in outbox_texts(shop.factory, CUSTOMER)[-1]
    assert shop.factory.state.early_refunds == {}


async def test_a_partial_refund_reported_before_the_payment_leaves_the_order_paid_and_remembered(shop):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(dashboard_refund(shop, session_id, 300, full=False))
    landed = await shop.post(shop.stripe.pay(session_id))
    assert landed.text == "paid; partly refunded"
    assert (shop.order(order.number).status, shop.order(order.number).refunded_minor) == (
        OrderStatus.PAID,
        300,
    )
