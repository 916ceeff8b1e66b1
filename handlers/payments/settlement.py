"""What happens to an order when money arrives, or does not arrive in time.

Shared by the Stripe webhook, Telegram's successful_payment and the expiry job. Rule: an order is never
paid without stock behind it. Money that cannot be accepted (late payment after the items sold out, an
order cancelled meanwhile, a second payment) goes back: a refund owed, recorded with the settlement and
asked of the provider after commit (`handlers.payments.refunds`); money that does not match the order is
never accepted and is raised to the merchant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import structlog

from domain.actor import Actor
from domain.errors import OutOfStock
from domain.events import StockLow
from domain.money import Money
from domain.order import Order
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.attempts import AttemptOutcome, PaymentAttempt
from domain.payments.refunds import PendingRefund, RefundNotice
from domain.ports import UnitOfWork
from domain.services import change_status
from handlers.kernel.i18n import N_
from handlers.kernel.notifications import enqueue
from handlers.payments.notices import PaymentNotices
from handlers.payments.refunds import owe_refund

__all__ = ["ReceivedPayment", "Settled", "Settlement", "settle_payment", "expire_order", "start_attempt"]

log = structlog.get_logger(__name__)
_SOLD_OUT = N_("its items sold out")  # why money went back: catalog msgids, "{status}" is the order's


class Settlement(StrEnum):
    PAID = "paid"
    ALREADY_PAID = "already_paid"  # the same payment seen again
    MISMATCH = "mismatch"  # amount or currency differ from the order: not accepted, merchant alerted
    REFUNDED = "refunded"  # money arrived for an order that cannot take it: sent back


@dataclass(frozen=True, slots=True)
class Settled:
    outcome: Settlement
    refund: PendingRefund | None = None  # money sent back: owed, for the provider once this commits


@dataclass(frozen=True, slots=True)
class ReceivedPayment:
    method: PaymentMethod
    amount: Money
    attempt_ref: str  # what the attempt was started under: checkout session id, invoice payload
    payment_ref: str  # the payment itself: checkout session id, Telegram charge id
    charge_ref: str  # what a refund is issued against: payment intent, provider charge id


async def start_attempt(
    uow: UnitOfWork, order: Order, method: PaymentMethod, provider_ref: str, now: datetime
) -> PaymentAttempt:
    """Record a new attempt; showing the same link or invoice again reuses the pending one."""
    latest = await uow.payment_attempts.latest(order.number)
    if latest and latest.provider_ref == provider_ref and latest.outcome is AttemptOutcome.PENDING:
        return latest
    attempt = PaymentAttempt(order.number, method, order.total, now, provider_ref=provider_ref)
    await uow.payment_attempts.add(attempt)
    return attempt


async def _attempt_for(
    uow: UnitOfWork, order: Order, payment: ReceivedPayment, now: datetime
) -> PaymentAttempt:
    attempt = await uow.payment_attempts.find(payment.attempt_ref)
    open_outcomes = (AttemptOutcome.PENDING, AttemptOutcome.EXPIRED)
    if attempt is None or attempt.order_number != order.number or attempt.outcome not in open_outcomes:
        attempt = await start_attempt(uow, order, payment.method, payment.attempt_ref, now)
    attempt.charge_ref = payment.charge_ref
    return attempt


async def settle_payment(
    uow: UnitOfWork,
    notices: PaymentNotices,
    order: Order,
    payment: ReceivedPayment,
    *,
    actor: Actor,
    now: datetime,
) -> Settled:
    """Accept `payment` for `order` (got for update) or send it back; idempotent per payment_ref.

    Money sent back is a refund owed (`Settled.refund`): the caller asks the provider for it once its unit
    of work is committed (`handlers.payments.refunds.issue_refund`); the job retries it until it answers.
    """
    if order.is_paid and order.payment_ref == payment.payment_ref:
        return Settled(Settlement.ALREADY_PAID)
    attempt = await _attempt_for(uow, order, payment, now)
    if payment.amount != order.total:
        attempt.settle(AttemptOutcome.FAILED, now, f"received {payment.amount}, expected {order.total}")
        await uow.payment_attempts.save(attempt)
        await notices.amount_mismatch(uow, order, payment.amount, payment.payment_ref, now)
        log.warning("payment_amount_mismatch", order=order.number, ref=payment.payment_ref)
        return Settled(Settlement.MISMATCH)
    if order.can(OrderStatus.PAID):  # awaiting payment, or expired (a late payment)
        late = order.status is OrderStatus.PAYMENT_EXPIRED
        try:
            events = await change_status(
                uow, order, OrderStatus.PAID, actor, now, "late payment" if late else ""
            )
        except OutOfStock:
            return await _send_back(uow, notices, order, payment, attempt, _SOLD_OUT, now)
        order.payment_ref = payment.payment_ref
        order.provider_charge_id = payment.charge_ref or None
        await uow.orders.save(order)
        attempt.settle(AttemptOutcome.SUCCEEDED, now, "late payment, stock re-reserved" if late else "")
        await uow.payment_attempts.save(attempt)
        await notices.paid(uow, order, now)
        low = [event for event in events if isinstance(event, StockLow)]  # re-held stock may dip
        await enqueue(uow, low, merchant_chat_id=notices.merchant_chat_id, now=now)
        log.info("order_paid", order=order.number, method=payment.method.value, late=late)
        return Settled(Settlement.PAID)
    if order.is_paid:
        reason = N_("it was already paid")
    elif order.payment_method is PaymentMethod.CASH:
        reason = N_("it was set to cash on delivery")
    else:
        reason = N_("it was {status}")
    return await _send_back(uow, notices, order, payment, attempt, reason, now)


async def _send_back(
    uow: UnitOfWork,
    notices: PaymentNotices,
    order: Order,
    payment: ReceivedPayment,
    attempt: PaymentAttempt,
    reason: str,
    now: datetime,
) -> Settled:
    # Refund this payment's charge, not whatever the order holds (it may hold an earlier payment's).
    refund = await owe_refund(
        uow, order, payment.amount, now=now, charge_ref=payment.charge_ref, notice=RefundNotice.SENT_BACK
    )
    attempt.settle(AttemptOutcome.REFUNDED, now, "refunded: " + reason.format(status=order.status.value))
    await uow.payment_attempts.save(attempt)
    await notices.refunded_unaccepted(uow, order, payment.amount, payment.payment_ref, reason, now)
    log.info("payment_sent_back", order=order.number, reason=reason)
    return Settled(Settlement.REFUNDED, refund)


async def expire_order(
    uow: UnitOfWork, notices: PaymentNotices, order: Order, *, actor: Actor, now: datetime
) -> bool:
    """An unpaid prepaid order gives its stock back, and its card in the merchant chat, if it has one, is
    redrawn (`notices.refresh_cards`); False when it is no longer awaiting payment."""
    if order.status is not OrderStatus.PLACED or not order.payment_method.prepaid:
        return False
    events = await change_status(uow, order, OrderStatus.PAYMENT_EXPIRED, actor, now)
    await notices.refresh_cards(uow, events, now)
    attempt = await uow.payment_attempts.latest(order.number)
    if attempt is not None and attempt.outcome is AttemptOutcome.PENDING:
        attempt.settle(AttemptOutcome.EXPIRED, now)
        await uow.payment_attempts.save(attempt)
    await notices.expired(uow, order, now)
    log.info("order_payment_expired", order=order.number)
    return True
