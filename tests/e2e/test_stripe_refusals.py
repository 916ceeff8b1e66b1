"""A refund Stripe refuses for good (an invalid request: the charge was refunded already, no such charge)
is not asked again: the merchant chat reads it at once with the order and Stripe's reason, and the order
card, redrawn in the same transaction, offers the next step (✅ Refunded by hand once the money went back).
Over the official SDK and the fake Stripe API."""

from __future__ import annotations

import pytest

from domain.payments.refunds import RefundState
from handlers.actions.aftercare import RefundOrder
from handlers.actions.customer import pack
from handlers.actions.merchant import RejectOrder
from handlers.merchant.desk import MerchantDesk
from jobs.retry_refunds import RetryRefunds
from tests.e2e.test_stripe_refunds import staff
from tests.fakes.payment_shop import CUSTOMER, MERCHANT_CHAT, card_edits, outbox_texts, stock
from tests.fakes.stripe_shop import Shop, open_shop
from tests.shops.merchant import ANN, CARD_MESSAGE, FakeTracking


@pytest.fixture
async def shop():
    async with open_shop() as opened:
        yield opened


def refused_before(shop: Shop, intent: str, why: str) -> str:
    """Make Stripe's side such that a refund of the whole charge is refused; Stripe's words for it."""
    if why == "refunded in the dashboard":  # its charge.refunded webhook has not arrived yet
        shop.stripe.charges[intent]["refunded"] = shop.stripe.charges[intent]["amount"]
        return "Charge has already been refunded."
    del shop.stripe.charges[intent]  # a charge Stripe does not know (another account, a test key)
    return f"No such charge: {intent}"


@pytest.mark.parametrize("why", ["refunded in the dashboard", "no such charge"])
async def test_a_refund_stripe_refuses_for_good_is_put_to_the_merchant_at_once(shop, why):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.pay(session_id))
    reason = refused_before(shop, shop.stripe.sessions[session_id]["payment_intent"], why)
    ann = staff(shop)
    await ann.press_data(pack(RefundOrder(order.number)))
    await ann.press_data(pack(RefundOrder(order.number, True)))

    (refund,) = shop.factory.state.refunds.values()
    assert (refund.state, refund.attempts, refund.refusal) == (RefundState.FAILED, 1, reason)
    [alert] = [m.payload for m in shop.factory.state.outbox if "refused the refund" in m.payload["text"]]
    assert f"Order {order.number}" in alert["text"] and "$17.50" in alert["text"]
    assert f"“{reason}”" in alert["text"] and "not tried again" in alert["text"]
    labels = [b["label"] for row in alert["buttons"] for b in row]
    assert labels == ["✅ Refunded by hand", f"🧾 Order {order.number}"]
    job = RetryRefunds(shop.factory, shop.gateway, shop.clock, MERCHANT_CHAT)
    shop.clock.advance(hours=2)
    assert await job.run() == 0  # never asked again
    assert [path for path, _params in shop.stripe.requests].count("/v1/refunds") == 1

    await ann.command("order", order.number)  # the card shows what is left to do
    assert f"⚠ Refund $17.50 not made: refused: “{reason}”" in ann.text
    await ann.press("✅ Refunded by hand ($17.50)")
    assert "went back to the customer by hand" in ann.text
    assert shop.factory.state.refunds[refund.id].state is RefundState.BY_HAND
    told = [t for t in outbox_texts(shop.factory, CUSTOMER) if "Your refund of $17.50" in t]
    assert len(told) == 1 and "has been issued" in told[0]
    await ann.command("order", order.number)
    assert "not made" not in ann.text and not any("Refunded by hand" in label for label in ann.labels())


@pytest.mark.parametrize("step", ["💸 Refund", "⛔ Reject"])
async def test_the_order_card_shows_a_refund_stripe_refused_with_its_buttons_at_once(shop, step):
    """The card Ann pressed is redrawn with the refusal, by the unit of work that records it (right after
    the alert), not when someone next opens the order."""
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.pay(session_id))
    reason = refused_before(shop, shop.stripe.sessions[session_id]["payment_intent"], "no such charge")
    press = RefundOrder(order.number, True) if step == "💸 Refund" else RejectOrder(order.number, "stock")
    await staff(shop).press_data(pack(press))  # on the card: its message becomes the order's card

    (refund,) = shop.factory.state.refunds.values()
    assert refund.state is RefundState.FAILED
    *_pressed, alert, card = [m.payload for m in shop.factory.state.outbox if m.chat_id == MERCHANT_CHAT]
    assert "refused the refund" in alert["text"]
    assert card == card_edits(shop.factory, MERCHANT_CHAT, CARD_MESSAGE)[-1]  # the card's own message
    status = "Refunded" if step == "💸 Refund" else "Rejected"
    assert card["text"].startswith(f"🧾 Order {order.number} — {status}")
    assert (
        f"⚠ Refund $17.50 not made: refused: “{reason}”. Refund it in the provider's dashboard"
        in card["text"]
    )
    labels = [b["label"] for row in card["buttons"] for b in row]
    assert labels[0] == "✅ Refunded by hand ($17.50)"
    assert "💸 Refund" not in labels  # it would ask Stripe for the refund it refused


async def test_a_second_payment_stripe_will_not_send_back_shows_on_the_paid_orders_card_at_once():
    """The refund a webhook owes (a second payment of a paid order) and Stripe refuses: the unit of work
    recording the refusal redraws the order's card through the desk `run` lends the payments."""
    desk = MerchantDesk(frozenset({ANN}), MERCHANT_CHAT, tracking=FakeTracking())
    async with open_shop(desk=desk) as shop:
        await stock(shop.factory, mug=2)
        order, first = await shop.checkout()
        shop.clock.advance(minutes=2)
        second = await shop.gateway.create_checkout(order, expires_at=order.reserved_until)
        await shop.post(shop.stripe.pay(first))
        shop.order(order.number).merchant_message_id = CARD_MESSAGE  # the relay reported the card's id
        paid_twice = shop.stripe.pay(second.session_id)
        reason = refused_before(
            shop, shop.stripe.sessions[second.session_id]["payment_intent"], "no such charge"
        )
        assert (await shop.post(paid_twice)).text == "refunded"  # owed, and asked of Stripe: refused

        (refund,) = shop.factory.state.refunds.values()
        assert refund.state is RefundState.FAILED
        card = card_edits(shop.factory, MERCHANT_CHAT, CARD_MESSAGE)[-1]
        assert card["text"].startswith(f"🧾 Order {order.number} — Paid")
        assert f"⚠ Refund $17.50 not made: refused: “{reason}”" in card["text"]
        labels = [b["label"] for row in card["buttons"] for b in row]
        assert labels[:3] == ["✅ Refunded by hand ($17.50)", "✅ Accept", "⛔ Reject"]


async def test_a_passing_stripe_failure_is_still_retried_and_told_by_hand_only_at_last(shop):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.pay(session_id))
    shop.stripe.refunds_blocked = True  # 503 every time
    await staff(shop).press_data(pack(RefundOrder(order.number, True)))
    (refund,) = shop.factory.state.refunds.values()
    assert (refund.state, refund.refusal) == (RefundState.PENDING, "")
    assert not any("refused" in text for text in outbox_texts(shop.factory, MERCHANT_CHAT))
