"""Refunds: money back for paid orders the shop will not fulfil, and the order's REFUNDED status.

A merchant who cancels or rejects a paid order calls `cancel_with_refund`; the gateway issues the refund
(idempotent: pressing twice refunds once). The order becomes REFUNDED when the provider reports the refund
succeeded (`record_refund`, from the Stripe webhook). Cash-on-delivery money is handed back by the merchant.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from domain.actor import Actor
from domain.order import Order
from domain.order_status import OrderStatus, PaymentMethod
from domain.payment import AttemptOutcome, PaymentAttempt
from domain.ports import PaymentGateway, UnitOfWork
from domain.services import change_status
from handlers.payment_notices import PaymentNotices

__all__ = ["REFUNDABLE", "cancel_with_refund", "refund_order", "record_refund"]

log = structlog.get_logger(__name__)

REFUNDABLE = frozenset({OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.RETURNED})


async def refund_order(uow: UnitOfWork, gateway: PaymentGateway, order: Order) -> str | None:
    """Issue a full refund of a paid, withdrawn order through the gateway; returns the refund id.

    None when there is nothing the gateway can refund (unpaid, cash on delivery, no charge recorded).
    """
    if order.status not in REFUNDABLE or not order.is_paid:
        return None
    if order.payment_method is PaymentMethod.CASH or not order.provider_charge_id:
        return None
    refund_id = await gateway.refund(order, order.total)
    attempt = await uow.payment_attempts.find(order.provider_charge_id)
    if attempt is not None:
        attempt.refund_ref = refund_id
        await uow.payment_attempts.save(attempt)
    log.info("refund_issued", order=order.number, refund=refund_id)
    return refund_id


async def cancel_with_refund(
    uow: UnitOfWork,
    gateway: PaymentGateway,
    order: Order,
    target: OrderStatus,
    actor: Actor,
    now: datetime,
    note: str = "",
) -> str | None:
    """Cancel or reject `order` (got for update), releasing its stock, and refund it when it was paid."""
    await change_status(uow, order, target, actor, now, note)
    return await refund_order(uow, gateway, order)


async def record_refund(
    uow: UnitOfWork,
    notices: PaymentNotices,
    order: Order,
    attempt: PaymentAttempt,
    *,
    actor: Actor,
    now: datetime,
) -> bool:
    """A refund of `attempt` succeeded: the attempt is REFUNDED, and a withdrawn order paid by it is too.

    True when the order moved to REFUNDED; repeated reports change nothing.
    """
    if attempt.outcome is not AttemptOutcome.REFUNDED:
        attempt.settle(AttemptOutcome.REFUNDED, now)
        await uow.payment_attempts.save(attempt)
    paid_by_it = bool(attempt.charge_ref) and attempt.charge_ref == order.provider_charge_id
    if not paid_by_it or order.status not in REFUNDABLE or not order.can(OrderStatus.REFUNDED):
        return False
    await change_status(uow, order, OrderStatus.REFUNDED, actor, now)
    await notices.refunded(uow, order, attempt.amount, now)
    return True
