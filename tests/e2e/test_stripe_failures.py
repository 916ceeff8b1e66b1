"""When Stripe says no: nothing is half-done, the refund job heals (a refused checkout link: see
test_customer_pays)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.payments.refunds import RefundState
from handlers.actions.aftercare import RefundOrder
from handlers.actions.customer import pack
from handlers.actions.merchant import RejectOrder
from handlers.merchant.desk import MerchantDesk
from jobs.retry_refunds import RetryRefunds
from tests.e2e.test_stripe_refunds import staff
from tests.fakes.payment_shop import CUSTOMER, MERCHANT_CHAT, card_edits, outbox_texts, place, stock
from tests.fakes.stripe_api import sign_payload
from tests.fakes.stripe_shop import SECRET, open_shop
from tests.shops.merchant import ANN, CARD_MESSAGE, FakeTracking


@pytest.fixture
async def shop():
    async with open_shop() as opened:
        yield opened


async def test_a_long_hold_is_clamped_to_stripes_24_hour_limit(shop):
    await stock(shop.factory, mug=2)
    order = await place(shop.factory, shop.clock)
    link = await shop.gateway.create_checkout(order, expires_at=shop.clock.now() + timedelta(days=2))
    assert link.expires_at <= shop.clock.now() + timedelta(hours=24)


@pytest.mark.parametrize("status", [503, 429])
async def test_late_payment_whose_refund_stripe_refuses_is_owed_and_paid_once_by_the_job(shop, status):
    """The webhook's transaction records the refund owed; Stripe is asked after commit, and while it refuses
    the webhook is still answered 200 (no retry storm) and the job asks again until it pays, once. The
    customer reads that the money is on its way back, and that it went back only once Stripe took it."""
    await stock(shop.factory, mug=1)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.expire(session_id))
    await place(shop.factory, shop.clock, customer=77)
    event = shop.stripe.pay(session_id)
    shop.stripe.refunds_blocked, shop.stripe.blocked_status = True, status  # for a while
    answers = [await shop.post(event) for _ in range(2)]
    assert [(r.status_code, r.text) for r in answers] == [(200, "refunded"), (200, "duplicate")]
    apology = outbox_texts(shop.factory, CUSTOMER)[-1]
    assert apology.startswith("Sorry") and "on its way back to you in full" in apology  # nothing issued yet
    (owed,) = shop.factory.state.refunds.values()
    assert (owed.state, owed.attempts, shop.stripe.refunds) == (RefundState.PENDING, 1, {})
    shop.stripe.refunds_blocked = False
    job = RetryRefunds(shop.factory, shop.gateway, shop.clock, MERCHANT_CHAT)
    shop.clock.advance(minutes=5)
    assert await job.run() == 1
    shop.clock.advance(minutes=5)
    assert await job.run() == 0
    (refund,) = shop.stripe.refunds.values()
    assert (refund["payment_intent"], refund["amount"]) == (f"pi_test_{session_id.split('_')[-1]}", 1750)
    assert (
        shop.stripe.refund_keys[refund["id"]]
        == f"shopbot-refund-{order.number}-{refund['payment_intent']}-1750"
    )
    assert not any("by hand" in text for text in outbox_texts(shop.factory, MERCHANT_CHAT))
    told = [text for text in outbox_texts(shop.factory, CUSTOMER) if text.startswith("The refund of your")]
    assert told == [
        f"The refund of your payment of $17.50 for order {order.number} has been issued; "
        "banks usually show it within 5-10 days."
    ]  # once, after the job's try


@pytest.mark.parametrize("step", ["💸 Refund", "⛔ Reject"])
async def test_a_refund_stripe_takes_at_a_later_try_shows_refunded_on_the_card(step):
    """Stripe is down when Ann refunds (or rejects) the paid order; the job's later try goes through and
    Stripe confirms it: the card in the merchant chat reads Refunded, with nothing left to press for the
    money, without anyone opening the order. (💸 Refund makes the order Refunded as it is pressed; a
    rejected order is Refunded by Stripe's confirmation, whose unit of work redraws the card.)"""
    desk = MerchantDesk(frozenset({ANN}), MERCHANT_CHAT, tracking=FakeTracking())  # run's desk, as wired
    async with open_shop(desk=desk) as shop:
        await stock(shop.factory, mug=2)
        order, session_id = await shop.checkout()
        await shop.post(shop.stripe.pay(session_id))
        shop.stripe.refunds_blocked = True  # 503 for a while
        press = RefundOrder(order.number, True) if step == "💸 Refund" else RejectOrder(order.number, "stock")
        await staff(shop).press_data(pack(press))  # on the card
        (owed,) = shop.factory.state.refunds.values()
        assert owed.state is RefundState.PENDING
        shop.stripe.refunds_blocked = False
        shop.clock.advance(minutes=5)
        assert await RetryRefunds(shop.factory, shop.gateway, shop.clock, MERCHANT_CHAT).run() == 1
        (refund,) = shop.stripe.refunds.values()
        assert (await shop.post(shop.stripe.refund_succeeded(refund["id"]))).status_code == 200

        card = card_edits(shop.factory, MERCHANT_CHAT, CARD_MESSAGE)[-1]
        assert card["text"].startswith(f"🧾 Order {order.number} — Refunded")
        assert "↩ Refunded · " in card["text"] and "not made" not in card["text"]
        labels = [b["label"] for row in card["buttons"] for b in row]
        assert not any("Refund" in label for label in labels), labels


async def test_an_event_nested_absurdly_deep_is_refused_with_400_and_changes_nothing(shop):
    body = '{"id": "evt_deep", "type": "charge.refunded", "data": ' + "[" * 50_000 + "]" * 50_000 + "}"
    signature = sign_payload(body, SECRET, int(shop.clock.now().timestamp()))
    headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
    response = await shop.http.post("/webhooks/stripe", content=body, headers=headers)
    assert response.status_code == 400
    assert shop.factory.state.webhook_events == set() and shop.factory.state.outbox == []
