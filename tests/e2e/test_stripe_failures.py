"""When Stripe says no: nothing is half-done, Stripe's retry heals (a refused checkout link: see
test_customer_pays)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fakes.payment_shop import CUSTOMER, MERCHANT_CHAT, outbox_texts, place, stock
from tests.fakes.stripe_api import sign_payload
from tests.fakes.stripe_shop import SECRET, open_shop


@pytest.fixture
async def shop():
    async with open_shop() as opened:
        yield opened


async def test_a_long_hold_is_clamped_to_stripes_24_hour_limit(shop):
    await stock(shop.factory, mug=2)
    order = await place(shop.factory, shop.clock)
    link = await shop.gateway.create_checkout(order, expires_at=shop.clock.now() + timedelta(days=2))
    assert link.expires_at <= shop.clock.now() + timedelta(hours=24)


async def test_late_payment_whose_refund_fails_is_retried_by_stripe_and_the_merchant_told_once(shop):
    await stock(shop.factory, mug=1)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.expire(session_id))
    await place(shop.factory, shop.clock, customer=77)
    event = shop.stripe.pay(session_id)
    shop.stripe.refunds_blocked = True
    refused = [await shop.post(event) for _ in range(2)]
    assert [r.status_code for r in refused] == [503, 503]
    assert len([t for t in outbox_texts(shop.factory, MERCHANT_CHAT) if "Refund it by hand" in t]) == 1
    assert outbox_texts(shop.factory, CUSTOMER)[-1].startswith("Order")  # no apology yet: nothing done
    shop.stripe.refunds_blocked = False
    healed = await shop.post(event)
    assert (healed.status_code, healed.text) == (200, "refunded")
    assert len(shop.stripe.refunds) == 1 and "Sorry" in outbox_texts(shop.factory, CUSTOMER)[-1]


async def test_an_event_nested_absurdly_deep_is_refused_with_400_and_changes_nothing(shop):
    body = '{"id": "evt_deep", "type": "charge.refunded", "data": ' + "[" * 50_000 + "]" * 50_000 + "}"
    signature = sign_payload(body, SECRET, int(shop.clock.now().timestamp()))
    headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
    response = await shop.http.post("/webhooks/stripe", content=body, headers=headers)
    assert response.status_code == 400
    assert shop.factory.state.webhook_events == set() and shop.factory.state.outbox == []
