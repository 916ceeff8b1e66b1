"""Card payments end to end: the official Stripe SDK talks to a fake Stripe API over loopback HTTP, and
webhooks signed as Stripe signs them are posted to the real aiohttp server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.observability.metrics import Metrics
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.attempts import AttemptOutcome
from tests.fakes.card_link import card_checkout_reply
from tests.fakes.payment_shop import CUSTOMER, MERCHANT_CHAT, outbox_texts, place, place_in, stock
from tests.fakes.stripe_shop import open_shop


@pytest.fixture
async def shop():
    async with open_shop() as opened:
        yield opened


async def test_checkout_link_is_a_stripe_session_for_the_order_with_its_shipping_line(shop):
    await stock(shop.factory, mug=5)
    order, session_id = await shop.checkout(mug=2)
    session = shop.stripe.sessions[session_id]
    assert session["currency"] == "usd" and session["amount_total"] == order.total.amount_minor == 3000
    assert [(i["price_data"]["product_data"]["name"], i["quantity"]) for i in session["line_items_sent"]] == [
        ("Mug", "2"),
        ("Standard (3-5 days)", "1"),
    ]
    assert session["metadata"] == {"order_number": order.number}
    assert session["client_reference_id"] == order.number
    assert session["success_url"].startswith("https://shop.example/payments/done")
    # the 30-minute hold is shorter than Stripe's 30-minute floor from creation: clamped up to it
    assert session["expires_at"] >= shop.clock.now().timestamp() + 1800


async def test_asking_twice_for_the_same_link_creates_one_stripe_session(shop):
    await stock(shop.factory, mug=5)
    order = await place(shop.factory, shop.clock)
    links = [await shop.gateway.create_checkout(order, expires_at=order.reserved_until) for _ in range(2)]
    assert links[0] == links[1] and len(shop.stripe.sessions) == 1


async def test_paying_marks_the_order_paid_once_even_when_stripe_sends_the_event_twice(shop):
    await stock(shop.factory, mug=5)
    order, session_id = await shop.checkout()
    event = shop.stripe.pay(session_id)
    first, second = await shop.post(event), await shop.post(event)
    assert (first.status_code, second.status_code, second.text) == (200, 200, "duplicate")
    paid = shop.order(order.number)
    assert paid.status is OrderStatus.PAID and paid.payment_ref == session_id
    assert paid.provider_charge_id == shop.stripe.sessions[session_id]["payment_intent"]
    assert shop.factory.state.reservations[0].state == "committed"
    assert (
        len(outbox_texts(shop.factory, CUSTOMER)) == 1
        and "Payment received" in outbox_texts(shop.factory, CUSTOMER)[0]
    )
    assert len(outbox_texts(shop.factory, MERCHANT_CHAT)) == 1
    assert shop.factory.state.payment_attempts[0].outcome is AttemptOutcome.SUCCEEDED


async def test_completion_arriving_before_the_order_is_committed_is_retried_until_it_is(shop):
    await stock(shop.factory, mug=5)
    async with shop.factory() as uow:  # the conversation's transaction, not committed yet
        order = await place_in(uow, shop.clock, PaymentMethod.STRIPE, CUSTOMER, {"mug": 1})
        await card_checkout_reply(uow, shop.gateway, order, shop.clock.now())
        event = shop.stripe.pay(list(shop.stripe.sessions)[-1])
        early = await shop.post(event)
        await uow.commit()
    retried = await shop.post(event)
    assert early.status_code == 409
    assert retried.status_code == 200 and shop.order(order.number).status is OrderStatus.PAID


async def test_an_old_event_for_an_order_the_shop_never_had_is_acknowledged(shop):
    event = shop.stripe.event(
        "checkout.session.completed",
        {"id": "cs_x", "object": "checkout.session", "metadata": {"order_number": "NOP-E000"}},
        at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
    )
    response = await shop.post(event)
    assert (response.status_code, response.text) == (200, "unknown order")


@pytest.mark.parametrize(
    "tamper",
    [
        {"secret": "whsec_forged"},
        {"at": datetime(2026, 3, 2, 8, 54, tzinfo=UTC)},  # six minutes old
        {"header": ""},
        {"header": "t=1,v0=abc"},
    ],
    ids=["forged", "stale", "missing", "garbled"],
)
async def test_unsigned_forged_or_stale_webhooks_are_refused_and_change_nothing(shop, tamper):
    await stock(shop.factory, mug=5)
    order, session_id = await shop.checkout()
    response = await shop.post(shop.stripe.pay(session_id), **tamper)
    assert response.status_code == 400
    assert shop.order(order.number).status is OrderStatus.PLACED
    assert shop.factory.state.webhook_events == set() and shop.factory.state.outbox == []


async def test_a_payment_of_the_wrong_amount_is_not_accepted_and_the_merchant_is_alerted(shop):
    await stock(shop.factory, mug=5)
    order, session_id = await shop.checkout()
    other, other_session = await shop.checkout()
    response = await shop.post(shop.stripe.pay(session_id, amount_total=100))
    wrong_currency = await shop.post(shop.stripe.pay(other_session, currency="eur"))
    assert response.status_code == wrong_currency.status_code == 200
    assert shop.order(order.number).status is shop.order(other.number).status is OrderStatus.PLACED
    alerts = outbox_texts(shop.factory, MERCHANT_CHAT)
    assert len(alerts) == 2 and "NOT marked paid" in alerts[0] and "$1.00" in alerts[0]
    assert outbox_texts(shop.factory, CUSTOMER) == []


async def test_expired_session_releases_stock_and_a_later_expiry_after_payment_does_nothing(shop):
    await stock(shop.factory, mug=1, tee=1)
    lapsed, lapsed_session = await shop.checkout(mug=1)
    paid, paid_session = await shop.checkout(tee=1)
    await shop.post(shop.stripe.expire(lapsed_session))
    await shop.post(shop.stripe.pay(paid_session))
    await shop.post(shop.stripe.expire(paid_session))  # out of order: expiry after completion
    assert shop.order(lapsed.number).status is OrderStatus.PAYMENT_EXPIRED
    assert shop.factory.state.stocks["mug"].available == 1
    assert "not paid in time" in outbox_texts(shop.factory, CUSTOMER)[0]
    assert shop.order(paid.number).status is OrderStatus.PAID


async def test_late_payment_is_accepted_when_the_stock_can_be_held_again(shop):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.expire(session_id))
    await shop.post(shop.stripe.pay(session_id))
    late = shop.order(order.number)
    assert late.status is OrderStatus.PAID
    assert shop.factory.state.stocks["mug"].available == 1
    assert shop.stripe.refunds == {}


async def test_late_payment_for_sold_out_items_is_refunded_with_an_apology(shop):
    await stock(shop.factory, mug=1)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.expire(session_id))
    await place(shop.factory, shop.clock, customer=77)  # the last mug went to someone else
    response = await shop.post(shop.stripe.pay(session_id))
    assert response.status_code == 200 and response.text == "refunded"
    assert shop.order(order.number).status is OrderStatus.PAYMENT_EXPIRED
    (refund,) = shop.stripe.refunds.values()
    assert refund["payment_intent"] == shop.stripe.sessions[session_id]["payment_intent"]
    assert refund["amount"] == 1750
    apology, issued = outbox_texts(shop.factory, CUSTOMER)[-2:]
    assert apology.startswith("Sorry") and "on its way back to you in full" in apology
    assert issued.startswith("The refund of your payment of $17.50") and "has been issued" in issued
    assert "being refunded automatically" in outbox_texts(shop.factory, MERCHANT_CHAT)[-1]
    assert shop.factory.state.stocks["mug"].reserved == 1  # only the other customer's hold


async def test_health_check_reports_the_database(shop):
    assert (await shop.http.get("/healthz")).json() == {"database": "ok"}
    shop.database_up[0] = False
    assert (await shop.http.get("/healthz")).status_code == 503


async def test_a_checkout_the_shop_did_not_create_is_acknowledged_not_retried(shop):
    foreign = {"id": "cs_other", "object": "checkout.session", "metadata": {}, "payment_status": "paid"}
    response = await shop.post(shop.stripe.event("checkout.session.completed", foreign))
    assert (response.status_code, response.text) == (200, "not a shop checkout")


async def test_a_bank_debit_is_paid_only_when_its_money_arrives(shop):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    pending = {**shop.stripe.sessions[session_id], "payment_status": "unpaid", "status": "complete"}
    await shop.post(shop.stripe.event("checkout.session.completed", pending))
    assert shop.order(order.number).status is OrderStatus.PLACED
    succeeded = shop.stripe.pay(session_id)
    succeeded["type"] = "checkout.session.async_payment_succeeded"
    await shop.post(succeeded)
    assert shop.order(order.number).status is OrderStatus.PAID


async def test_card_payments_attempted_and_paid_show_on_the_metrics_once_each():
    metrics = Metrics.create()
    async with open_shop(metrics=metrics) as shop:
        await stock(shop.factory, mug=5)
        _, paid_session = await shop.checkout()
        await shop.checkout()  # a second customer who never pays
        event = shop.stripe.pay(paid_session)
        await shop.post(event)
        await shop.post(event)  # Stripe sends it again
    exposed = metrics.render().decode()
    assert 'shopbot_payment_attempts_total{method="stripe"} 2.0' in exposed
    assert 'shopbot_payment_successes_total{method="stripe"} 1.0' in exposed
