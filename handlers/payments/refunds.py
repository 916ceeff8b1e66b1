"""Refunds: money back for paid orders the shop will not fulfil, and the order's REFUNDED status.

A paid order the shop or the customer withdraws gets its money back through the gateway
(`refund_or_alert`, or `cancel_with_refund`; idempotent: pressing twice refunds once); when that cannot
happen (no gateway, the provider failed) staff are asked in the merchant chat to refund it by hand. The
order becomes REFUNDED when the provider reports the refund succeeded (`record_refund`, from the Stripe
webhook). Cash-on-delivery money is handed back by the merchant.
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
from handlers.kernel.i18n import MERCHANT_LANGUAGE, translations
from handlers.kernel.money_text import money_text
from handlers.kernel.outbox import write_reply
from handlers.kernel.reply import Reply
from handlers.payments.notices import PaymentNotices

__all__ = [
    "REFUNDABLE",
    "cancel_with_refund",
    "refund_order",
    "refund_or_alert",
    "refund_by_hand_alert",
    "record_refund",
]

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


async def refund_or_alert(
    uow: UnitOfWork,
    gateway: PaymentGateway | None,
    order: Order,
    *,
    merchant_chat_id: int | None,
    now: datetime,
    language: str = MERCHANT_LANGUAGE,
) -> bool:
    """Give the money of a paid order just withdrawn (got for update) back through `gateway`.

    True when the gateway issued the refund. False when the money has to go back by hand (no gateway,
    the provider failed, no charge to refund): the merchant chat is then told so, in `language`, once.
    """
    refund_id = None
    if gateway is None:
        log.warning("refund_not_started", order=order.number, reason="no_gateway")
    else:
        try:
            refund_id = await refund_order(uow, gateway, order)
        except Exception:  # noqa: BLE001 - the order is withdrawn either way; staff refund by hand
            log.warning("refund_failed", order=order.number, exc_info=True)
    if refund_id is not None:
        return True
    await refund_by_hand_alert(uow, order, merchant_chat_id, now, language)
    return False


async def refund_by_hand_alert(
    uow: UnitOfWork,
    order: Order,
    merchant_chat_id: int | None,
    now: datetime,
    language: str = MERCHANT_LANGUAGE,
) -> None:
    """Ask staff once, in the merchant chat, to refund the order in the provider's dashboard."""
    if merchant_chat_id is None:
        return
    text = translations(language).gettext(
        "⚠ Order {number}: refund {amount} by hand in the payment provider's dashboard."
    )
    reply = Reply(text.format(number=order.number, amount=money_text(order.total, language)))
    key = f"order:{order.number}:refund_by_hand"
    await write_reply(uow, merchant_chat_id, reply, now, dedupe_key=key)


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
