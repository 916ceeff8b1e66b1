"""Refunds the payment provider reports (`charge.refunded`, `refund.updated`), including ones staff made
in the provider's dashboard, not through the bot.

All of the payment back: the order becomes Refunded. Still in the warehouse (paid, accepted, packed), it
is cancelled first, so its stock goes back on sale; a parcel on its way or delivered keeps the stock as it
is (the goods left). Part of it: the order stays where it is and remembers the amount. Either way the
customer and the merchant chat are told, once per amount.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from domain.actor import Actor
from domain.order import Order
from domain.order_status import OrderStatus
from domain.payments.attempts import AttemptOutcome, PaymentAttempt
from domain.ports import UnitOfWork
from domain.services import change_status
from handlers.payments.notices import PaymentNotices

__all__ = ["provider_refunded"]

log = structlog.get_logger(__name__)

S = OrderStatus
_IN_WAREHOUSE = (S.PAID, S.ACCEPTED, S.PACKED)
_NOTE = "refunded in the payment provider"


async def provider_refunded(
    uow: UnitOfWork,
    notices: PaymentNotices,
    order: Order,
    attempt: PaymentAttempt,
    refunded_minor: int,
    *,
    actor: Actor,
    now: datetime,
) -> str:
    """`refunded_minor`: the provider's total refunded so far on `attempt` (got for update: `order`).

    Returns what happened: "refunded", "partly refunded" or "refund recorded" (nothing new).
    """
    paid_by_it = bool(attempt.charge_ref) and attempt.charge_ref == order.provider_charge_id
    if refunded_minor >= attempt.amount.amount_minor and attempt.outcome is not AttemptOutcome.REFUNDED:
        attempt.settle(AttemptOutcome.REFUNDED, now)
        await uow.payment_attempts.save(attempt)
    if not paid_by_it or order.status is S.REFUNDED:
        return "refund recorded"
    before = order.refunded
    if not order.record_refunded(refunded_minor, actor):
        return "refund recorded"
    if order.refunded_minor < order.total.amount_minor:
        await uow.orders.save(order)
        await notices.partly_refunded(uow, order, order.refunded - before, now)
        log.info("order_partly_refunded", order=order.number)
        return "partly refunded"
    if order.status in _IN_WAREHOUSE:
        await change_status(uow, order, S.CANCELLED, actor, now, _NOTE)  # its stock goes back on sale
    if not order.can(S.REFUNDED):
        await uow.orders.save(order)
        log.warning("refund_on_unrefundable_order", order=order.number, status=str(order.status))
        return "refund recorded"
    await change_status(uow, order, S.REFUNDED, actor, now, _NOTE)
    await notices.refunded(uow, order, order.refunded - before, now)
    await notices.refunded_merchant(uow, order, now)
    return "refunded"
