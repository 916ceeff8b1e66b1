"""Paying with a Telegram invoice: the invoice, the pre-checkout answer and successful_payment."""

from __future__ import annotations

from domain.actor import Actor
from domain.clock import FixedClock
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.attempts import AttemptOutcome
from domain.payments.refunds import MAX_REFUND_ATTEMPTS, RefundState
from domain.services import change_status
from handlers.kernel.incoming import Incoming, Kind, Payment
from handlers.payments.telegram import TelegramPayments, invoice_payload, telegram_invoice_reply
from jobs.expire_reservations import expire_reservations
from jobs.retry_refunds import RetryRefunds
from tests.fakes.memory import FakeUnitOfWorkFactory
from tests.fakes.payment_shop import CUSTOMER, MERCHANT_CHAT, NOTICES, FakeGateway, outbox_texts, place, stock

TELEGRAM = PaymentMethod.TELEGRAM


def setup() -> tuple[FakeUnitOfWorkFactory, FixedClock, FakeGateway, TelegramPayments]:
    factory, clock, gateway = FakeUnitOfWorkFactory(), FixedClock(), FakeGateway()
    return factory, clock, gateway, TelegramPayments(factory, gateway, NOTICES, clock)


def precheckout(payload: str, total: int, user: int = CUSTOMER, currency: str = "USD") -> Incoming:
    payment = Payment(payload=payload, currency=currency, total_amount=total, query_id="q1")
    return Incoming(Kind.PRECHECKOUT, user, user, payment=payment)


def paid(payload: str, total: int, charge: str = "tg_1", provider: str = "ch_1") -> Incoming:
    payment = Payment(payload, "USD", total, telegram_charge_id=charge, provider_charge_id=provider)
    return Incoming(Kind.PAYMENT, CUSTOMER, CUSTOMER, payment=payment)


async def invoice_for(factory, clock, **cart):
    order = await place(factory, clock, TELEGRAM, **cart)
    async with factory() as uow:
        reply = await telegram_invoice_reply(uow, order, clock.now())
        await uow.commit()
    return order, reply


async def sold_out_while_unpaid(factory, clock):
    """The order's hold lapses and another customer takes the only mug."""
    order, _ = await invoice_for(factory, clock)
    clock.advance(minutes=31)
    await expire_reservations(factory, clock)
    await place(factory, clock, TELEGRAM, customer=7)
    return order


async def test_invoice_lists_every_line_and_shipping_in_minor_units():
    factory, clock, _, _ = setup()
    await stock(factory, mug=5, tee=5)
    order, reply = await invoice_for(factory, clock, mug=2, tee=1)
    assert reply.invoice is not None
    assert reply.invoice.payload == invoice_payload(order)
    assert reply.invoice.currency == "USD"
    assert reply.invoice.prices == (("Mug × 2", 2500), ("Tee × 1", 1250), ("Standard (3-5 days)", 500))
    assert sum(amount for _, amount in reply.invoice.prices) == order.total.amount_minor
    assert factory.state.payment_attempts[0].outcome is AttemptOutcome.PENDING


async def test_precheckout_accepts_an_order_still_awaiting_payment():
    factory, clock, _, payments = setup()
    await stock(factory, mug=5)
    order, _ = await invoice_for(factory, clock)
    outcome = await payments(precheckout(invoice_payload(order), 1750))
    assert outcome.precheckout_ok is True


async def test_precheckout_refuses_when_the_items_sold_out_after_the_hold_lapsed():
    factory, clock, _, payments = setup()
    await stock(factory, mug=1)
    order = await sold_out_while_unpaid(factory, clock)
    outcome = await payments(precheckout(invoice_payload(order), 1750))
    assert outcome.precheckout_ok is False
    assert "sold out" in outcome.precheckout_error and "not charged" in outcome.precheckout_error


async def test_precheckout_accepts_a_lapsed_order_whose_stock_can_be_held_again():
    factory, clock, _, payments = setup()
    await stock(factory, mug=3)
    order, _ = await invoice_for(factory, clock)
    clock.advance(minutes=31)
    await expire_reservations(factory, clock)
    assert (await payments(precheckout(invoice_payload(order), 1750))).precheckout_ok is True


async def test_precheckout_refuses_another_customers_order_and_a_changed_total():
    factory, clock, _, payments = setup()
    await stock(factory, mug=5)
    order, _ = await invoice_for(factory, clock)
    stranger = await payments(precheckout(invoice_payload(order), 1750, user=999))
    changed = await payments(precheckout(invoice_payload(order), 1000))
    foreign = await payments(precheckout("something-else", 1750))
    assert [o.precheckout_ok for o in (stranger, changed, foreign)] == [False, False, False]
    assert "changed" in changed.precheckout_error


async def test_successful_payment_marks_the_order_paid_once_and_keeps_both_charge_ids():
    factory, clock, _, payments = setup()
    await stock(factory, mug=5)
    order, _ = await invoice_for(factory, clock)
    await payments(paid(invoice_payload(order), 1750))
    await payments(paid(invoice_payload(order), 1750))  # Telegram delivered the update twice
    stored = factory.state.orders[order.number]
    assert stored.status is OrderStatus.PAID
    assert (stored.payment_ref, stored.provider_charge_id) == ("tg_1", "ch_1")
    assert [t.new for t in stored.timeline].count(OrderStatus.PAID) == 1
    assert len(outbox_texts(factory, CUSTOMER)) == 1
    assert len(outbox_texts(factory, MERCHANT_CHAT)) == 1
    assert [a.outcome for a in factory.state.payment_attempts] == [AttemptOutcome.SUCCEEDED]
    assert factory.state.reservations[0].state == "committed"


async def test_payment_that_lost_the_race_for_the_last_unit_is_refunded_with_an_apology():
    factory, clock, gateway, payments = setup()
    await stock(factory, mug=1)
    order = await sold_out_while_unpaid(factory, clock)
    await payments(paid(invoice_payload(order), 1750, provider="ch_late"))
    assert factory.state.orders[order.number].status is OrderStatus.PAYMENT_EXPIRED
    assert list(gateway.refunds) == [f"{order.number}-ch_late-1750"]  # the whole payment's key
    apology, issued = outbox_texts(factory, CUSTOMER)[-2:]
    assert "on its way back to you in full" in apology and "refunded" not in apology
    assert issued.startswith("The refund of your payment of $17.50") and "has been issued" in issued
    assert "being refunded automatically" in outbox_texts(factory, MERCHANT_CHAT)[-1]
    assert factory.state.payment_attempts[-1].outcome is AttemptOutcome.REFUNDED


async def test_a_failed_automatic_refund_is_owed_retried_and_put_in_front_of_the_merchant_at_last():
    factory, clock, gateway, payments = setup()
    await stock(factory, mug=1)
    order = await sold_out_while_unpaid(factory, clock)
    gateway.fail_refunds = True  # the provider is unreachable, for good
    await payments(paid(invoice_payload(order), 1750))
    assert "on its way back to you" in outbox_texts(factory, CUSTOMER)[-1]  # not "refunded": not yet
    assert [r.state for r in factory.state.refunds.values()] == [RefundState.PENDING]  # owed
    job = RetryRefunds(factory, gateway, clock, MERCHANT_CHAT)
    for _ in range(MAX_REFUND_ATTEMPTS - 1):
        assert not any("by hand" in text for text in outbox_texts(factory, MERCHANT_CHAT))
        clock.advance(hours=1)
        assert await job.run() == 1
    assert "refund $17.50 by hand" in outbox_texts(factory, MERCHANT_CHAT)[-1]
    assert factory.state.orders[order.number].status is OrderStatus.PAYMENT_EXPIRED
    assert not any(text.startswith("The refund of your payment") for text in outbox_texts(factory, CUSTOMER))


async def test_money_for_an_order_cancelled_meanwhile_goes_back_and_the_order_stays_cancelled():
    factory, clock, gateway, payments = setup()
    await stock(factory, mug=2)
    order, _ = await invoice_for(factory, clock)
    async with factory() as uow:
        stored = await uow.orders.get_for_update(order.number)
        await change_status(uow, stored, OrderStatus.CANCELLED, Actor.customer(CUSTOMER), clock.now())
        await uow.commit()
    await payments(paid(invoice_payload(order), 1750, provider="ch_after_cancel"))
    assert factory.state.orders[order.number].status is OrderStatus.CANCELLED
    assert list(gateway.refunds) == [f"{order.number}-ch_after_cancel-1750"]
    assert "after it was cancelled" in outbox_texts(factory, CUSTOMER)[-2]
    assert outbox_texts(factory, CUSTOMER)[-1].startswith("The refund of your payment of $17.50")
    assert factory.state.stocks["mug"].available == 2


async def test_a_late_payment_that_holds_stock_below_safety_again_alerts_the_merchant():
    factory, clock, _, payments = setup()
    await stock(factory, mug=2)
    factory.state.stocks["mug"].safety = 2
    order, _ = await invoice_for(factory, clock)  # 1 available: the dip of the placing
    clock.advance(minutes=31)
    await expire_reservations(factory, clock)  # 2 available again: re-armed
    await payments(paid(invoice_payload(order), 1750))
    assert factory.state.orders[order.number].status is OrderStatus.PAID
    assert [t for t in outbox_texts(factory, MERCHANT_CHAT) if "Low stock: Mug (mug)" in t] != []
