"""Refunds end to end: through the official SDK to the fake Stripe API, confirmed by signed webhooks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from domain.actor import Actor
from domain.money import Money
from domain.order import Order
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.attempts import AttemptOutcome
from domain.payments.refunds import RefundState
from domain.ports import CheckoutLink, PaymentGateway
from domain.tracking.statuses import CarrierStatus
from handlers.actions.aftercare import RefundOrder, ReturnLine
from handlers.actions.customer import CancelOrder, pack
from handlers.actions.merchant import AcceptOrder, CancelByShop, PackOrder, RejectOrder
from handlers.app import ShopApp
from handlers.kernel.config import ShopConfig
from handlers.kernel.incoming import Incoming, Kind, Payment
from handlers.merchant.desk import MerchantDesk
from handlers.payments.telegram import invoice_payload, telegram_invoice_reply
from jobs.apply_tracking import apply_carrier_status
from jobs.retry_refunds import RetryRefunds
from tests.fakes.payment_shop import CUSTOMER, MERCHANT_CHAT, card_edits, outbox_texts, place, stock
from tests.fakes.stripe_shop import Shop, open_shop
from tests.shops.merchant import ANN, CARD_MESSAGE, FakeTracking, StaffChat
from tests.unit.chat import Chat


@pytest.fixture
async def shop():
    async with open_shop() as opened:
        yield opened


def staff(shop: Shop, gateway: PaymentGateway | None = None) -> StaffChat:
    """Ann on the order cards in the merchant chat."""
    config = ShopConfig("Mugs", "USD", merchant_chat_id=MERCHANT_CHAT)
    desk = MerchantDesk(
        frozenset({ANN}), MERCHANT_CHAT, gateway=gateway or shop.gateway, tracking=FakeTracking()
    )
    return StaffChat(
        ShopApp(shop.factory, shop.clock, config, merchant=desk), ANN, "Ann", chat_id=MERCHANT_CHAT
    )


async def withdraw(shop: Shop, number: str, target: OrderStatus) -> None:
    """Staff reject or cancel the order on its card."""
    step = RejectOrder(number, "stock") if target is OrderStatus.REJECTED else CancelByShop(number, True)
    await staff(shop).press_data(pack(step))
    assert shop.order(number).status is target


async def test_cancelled_card_order_is_refunded_once_and_becomes_refunded_when_stripe_confirms(shop):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.pay(session_id))
    await withdraw(shop, order.number, OrderStatus.CANCELLED)
    await staff(shop).press_data(pack(CancelByShop(order.number, True)))  # pressed again: refunded once
    (refund,) = shop.stripe.refunds.values()
    assert refund["payment_intent"] == shop.stripe.sessions[session_id]["payment_intent"]
    assert refund["amount"] == 1750
    assert shop.order(order.number).status is OrderStatus.CANCELLED
    confirmed = shop.stripe.refund_succeeded(refund["id"])
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


async def test_a_partial_refund_in_stripes_dashboard_redraws_the_orders_card_with_what_went_back():
    """The webhook's unit of work redraws the card through the desk `run` lends the payments."""
    desk = MerchantDesk(frozenset({ANN}), MERCHANT_CHAT, tracking=FakeTracking())
    async with open_shop(desk=desk) as shop:
        await stock(shop.factory, mug=2)
        order, session_id = await shop.checkout()
        await shop.post(shop.stripe.pay(session_id))
        shop.order(order.number).merchant_message_id = CARD_MESSAGE  # the relay reported the card's id

        partly = await shop.post(dashboard_refund(shop, session_id, 500, full=False))
        assert partly.text == "partly refunded"
        [card] = card_edits(shop.factory, MERCHANT_CHAT, CARD_MESSAGE)
        assert card["text"].startswith(f"🧾 Order {order.number} — Paid")
        assert "↩ Refunded so far: $5.00 of $17.50" in card["text"]
        again = await shop.post(dashboard_refund(shop, session_id, 500, full=False))
        assert again.text == "refund recorded"  # nothing new: not redrawn again
        assert len(card_edits(shop.factory, MERCHANT_CHAT, CARD_MESSAGE)) == 1


async def test_a_stripe_checkout_expiring_redraws_the_orders_card():
    desk = MerchantDesk(frozenset({ANN}), MERCHANT_CHAT, tracking=FakeTracking())
    async with open_shop(desk=desk) as shop:
        await stock(shop.factory, mug=2)
        order, session_id = await shop.checkout()
        shop.order(order.number).merchant_message_id = CARD_MESSAGE  # staff pressed its card (/order)
        assert (await shop.post(shop.stripe.expire(session_id))).text == "expired"
        [card] = card_edits(shop.factory, MERCHANT_CHAT, CARD_MESSAGE)
        assert card["text"].startswith(f"🧾 Order {order.number} — Payment expired")


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


class Crash(BaseException):
    """The process dies here: nothing after it runs (no `except Exception` catches it)."""


@dataclass
class DiesAtRefund:
    """The real gateway, in a process that dies as it asks Stripe for a refund: before the request left, or
    after Stripe made the refund but before its answer was recorded."""

    gateway: PaymentGateway
    stripe_made_it: bool

    async def create_checkout(
        self, order: Order, *, expires_at: datetime, language: str = "en"
    ) -> CheckoutLink:
        return await self.gateway.create_checkout(order, expires_at=expires_at, language=language)

    async def refund(self, order: Order, amount: Money, *, key: str = "") -> str:
        if self.stripe_made_it:
            await self.gateway.refund(order, amount, key=key)
        raise Crash


def refunds_told(shop: Shop) -> list[str]:
    return [text for text in outbox_texts(shop.factory, CUSTOMER) if "refund of" in text.lower()]


@pytest.mark.parametrize("stripe_made_it", [False, True])
async def test_a_process_dying_between_commit_and_the_refund_call_leaves_it_owed_and_the_job_pays_it_once(
    shop, stripe_made_it
):
    await stock(shop.factory, mug=2)
    order, session_id = await shop.checkout()
    await shop.post(shop.stripe.pay(session_id))
    dying = staff(shop, DiesAtRefund(shop.gateway, stripe_made_it))
    await dying.press_data(pack(RefundOrder(order.number)))
    with pytest.raises(Crash):
        await dying.press_data(pack(RefundOrder(order.number, True)))
    assert shop.order(order.number).status is OrderStatus.REFUNDED  # committed before the call
    (owed,) = shop.factory.state.refunds.values()
    assert owed.state is RefundState.PENDING and refunds_told(shop) == []

    job = RetryRefunds(shop.factory, shop.gateway, shop.clock, MERCHANT_CHAT)  # the restarted worker
    shop.clock.advance(minutes=2)
    assert await job.run() == 1
    shop.clock.advance(hours=2)
    assert await job.run() == 0
    (refund,) = shop.stripe.refunds.values()  # one refund, whether or not Stripe had made it already
    assert (refund["payment_intent"], refund["amount"]) == (order_intent(shop, session_id), 1750)
    assert shop.stripe.refund_keys[refund["id"]] == f"shopbot-refund-{owed.key}"
    assert [r.state for r in shop.factory.state.refunds.values()] == [RefundState.ISSUED]
    assert len(refunds_told(shop)) == 1 and "$17.50" in refunds_told(shop)[0]


def order_intent(shop: Shop, session_id: str) -> str:
    return shop.stripe.sessions[session_id]["payment_intent"]


async def delivered(shop: Shop, ann: StaffChat, number: str) -> None:
    await ann.press_data(pack(AcceptOrder(number)))
    await ann.press_data(pack(PackOrder(number)))
    await ann.command("ship", f"{number} DHL JD014600003828")
    async with shop.factory() as uow:
        actor = Actor.carrier("DHL")
        now = shop.clock.now()
        delivered = CarrierStatus.DELIVERED
        await apply_carrier_status(
            uow, number, delivered, actor=actor, now=now, merchant_chat_id=MERCHANT_CHAT
        )
        await uow.commit()
    assert shop.order(number).status is OrderStatus.DELIVERED


async def test_two_equal_part_returns_are_two_stripe_refunds_each_paid_once(shop):
    await stock(shop.factory, mug=3)
    order, session_id = await shop.checkout(mug=2)  # 2 × $12.50 + $5.00 delivery
    await shop.post(shop.stripe.pay(session_id))
    ann = staff(shop)
    await delivered(shop, ann, order.number)
    for _unit in range(2):
        await ann.press_data(pack(ReturnLine(order.number, 0, 1, 1)))  # one mug back, on sale
    refunds = list(shop.stripe.refunds.values())
    assert [(r["payment_intent"], r["amount"]) for r in refunds] == [
        (order_intent(shop, session_id), 1250)
    ] * 2
    assert len(set(shop.stripe.refund_keys.values())) == 2  # each its own idempotency key
    assert shop.order(order.number).refunded_minor == 2500
    assert [r.state for r in shop.factory.state.refunds.values()] == [RefundState.ISSUED] * 2
    assert sum("A refund of $12.50" in text for text in refunds_told(shop)) == 2
