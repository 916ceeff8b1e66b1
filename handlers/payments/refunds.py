"""Refunds: money back for paid orders the shop will not fulfil, and the order's REFUNDED status.

A paid order the shop or the customer withdraws gets its money back through the gateway. The refund is
recorded in the transaction that withdrew the order (`refund_or_alert`) and the provider is called only
after commit (`issue_after_commit`), then by the `retry_refunds` job until it answers (the idempotency
key makes every try the same refund; pressing twice refunds once); when that cannot happen (no
gateway, no charge, the provider kept failing) staff are asked in the merchant chat to refund by hand. The
order becomes REFUNDED when the provider reports the refund succeeded (`record_refund`, from the Stripe
webhook). Cash-on-delivery money is handed back by the merchant.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog

from domain.actor import Actor
from domain.errors import PaymentUnavailable
from domain.money import Money
from domain.order import Order
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.attempts import AttemptOutcome, PaymentAttempt
from domain.payments.refunds import MAX_REFUND_ATTEMPTS, PendingRefund, RefundState, refund_backoff
from domain.ports import PaymentGateway, UnitOfWork
from domain.services import change_status
from handlers.kernel.i18n import MERCHANT_LANGUAGE, translations
from handlers.kernel.money_text import money_text
from handlers.kernel.outbox import write_reply
from handlers.kernel.reply import Outcome, Reply
from handlers.kernel.turn import Finish, Turn
from handlers.payments.notices import PaymentNotices

__all__ = [
    "REFUNDABLE",
    "attempt_refund",
    "cancel_with_refund",
    "issue_after_commit",
    "record_refund",
    "refund_by_hand_alert",
    "refund_order",
    "refund_or_alert",
    "settle_refund",
]

log = structlog.get_logger(__name__)

REFUNDABLE = frozenset({OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.RETURNED})
JOB_GRACE = timedelta(minutes=1)  # the job leaves a new refund to the turn that owes it, for a while


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
) -> PendingRefund | None:
    """Owe the money of a paid order just withdrawn (got for update): a refund recorded in `uow`'s
    transaction, issued after commit (`issue_after_commit`, then the `retry_refunds` job).

    None when the money has to go back by hand (no gateway, no charge to refund): the merchant chat is
    then told so, in `language`, once.
    """
    refundable = (
        order.status in REFUNDABLE and order.is_paid and order.payment_method is not PaymentMethod.CASH
    )
    if gateway is not None and refundable and order.provider_charge_id:
        refund = PendingRefund(
            order.number, order.provider_charge_id, order.total, now, next_attempt_at=now + JOB_GRACE
        )
        await uow.refunds.add(refund)  # a second withdrawal of the same payment owes nothing more
        log.info("refund_owed", order=order.number)
        return refund
    log.warning(
        "refund_not_started", order=order.number, reason="no_gateway" if gateway is None else "no_charge"
    )
    await refund_by_hand_alert(uow, order, merchant_chat_id, now, language)
    return None


async def attempt_refund(gateway: PaymentGateway, order: Order, amount: Money) -> str | Exception:
    """Call the provider (no transaction may be open): the refund id, or why it failed. Never raises."""
    try:
        return await gateway.refund(order, amount)
    except Exception as exc:  # noqa: BLE001 - recorded and retried by settle_refund
        return exc


async def settle_refund(
    uow: UnitOfWork,
    refund_id: int,
    result: str | Exception,
    *,
    now: datetime,
    merchant_chat_id: int | None,
    language: str = MERCHANT_LANGUAGE,
) -> RefundState | None:
    """Record what the provider answered for refund `refund_id`: issued, due again later, or (after
    `MAX_REFUND_ATTEMPTS`) failed with the merchant asked to refund by hand. Returns its new state."""
    refund = await uow.refunds.get(refund_id)
    if refund is None or refund.state is not RefundState.PENDING:
        return None if refund is None else refund.state
    if isinstance(result, str):
        refund.state, refund.refund_ref = RefundState.ISSUED, result
        attempt = await uow.payment_attempts.find(refund.charge_ref)
        if attempt is not None:
            attempt.refund_ref = result
            await uow.payment_attempts.save(attempt)
        log.info("refund_issued", order=refund.order_number, refund=result)
    else:
        refund.attempts += 1
        refund.last_error = type(result).__name__
        retryable = isinstance(result, PaymentUnavailable | OSError)  # the provider may answer later
        if refund.attempts >= MAX_REFUND_ATTEMPTS or not retryable:
            refund.state = RefundState.FAILED
            order = await uow.orders.get(refund.order_number)
            if order is not None:
                await refund_by_hand_alert(uow, order, merchant_chat_id, now, language)
            log.warning("refund_failed", order=refund.order_number, attempts=refund.attempts)
        else:
            refund.next_attempt_at = now + refund_backoff(refund.attempts)
            log.info("refund_retry_later", order=refund.order_number, attempts=refund.attempts)
    await uow.refunds.save(refund)
    return refund.state


def issue_after_commit(turn: Turn, gateway: PaymentGateway, order: Order, refund: PendingRefund) -> None:
    """Ask the provider for `refund` once `turn` is committed; the answer is recorded in a unit of its own."""
    chat = turn.config.merchant_chat_id

    async def call() -> Finish:
        result = await attempt_refund(gateway, order, refund.amount)

        async def record(later: Turn) -> Outcome:
            if refund.id is not None:
                await settle_refund(later.uow, refund.id, result, now=later.now, merchant_chat_id=chat)
            return Outcome()

        return record

    turn.after_commit(call)


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
