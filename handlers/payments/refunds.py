"""Refunds: money back through the payment provider, always owed first and asked for after commit.

Every refund the shop gives through the provider (a paid order withdrawn by the shop or the customer,
💸 Refund and part-returns on the order card, a payment that arrived for an order that cannot take it) is
a row of the refunds table, written in the transaction that decided it (`owe_refund`, `refund_or_alert`).
The provider is called only after commit (`issue_after_commit` in a turn, `issue_refund` elsewhere), then
by the `retry_refunds` job until it answers: each row has its own idempotency key, so every try is the same
refund and two equal part-returns are two. A process that dies between the commit and the call leaves the
refund owed; the job pays it. When that cannot happen (no gateway, no charge, the provider kept failing,
or refused for good: a charge already refunded, more than was charged) staff are asked in the merchant chat
to refund by hand, at once for a refusal, with the reason. In the same transaction the order card in the
merchant chat is redrawn to say so, with a ✅ for them to confirm the money went back
(`handlers.merchant.aftercare.returns`): the refund records `RefundFailed`, which the turn (through the
app) or the caller of `issue_refund` feeds to the merchant desk's `refresh_cards`. Cash-on-delivery
money is handed back by the merchant.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import structlog

from domain.clock import Clock
from domain.errors import PaymentRefused, PaymentUnavailable
from domain.money import Money
from domain.order import Order
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.refunds import (
    MAX_REFUND_ATTEMPTS,
    REFUSED,
    PendingRefund,
    RefundNotice,
    RefundState,
    refund_backoff,
    refund_key,
)
from domain.ports import PaymentGateway, UnitOfWork, UnitOfWorkFactory
from handlers.actions.aftercare import RefundedByHand
from handlers.actions.customer import pack
from handlers.actions.merchant import OpenOrder
from handlers.kernel.i18n import MERCHANT_LANGUAGE, translations
from handlers.kernel.money_text import money_text
from handlers.kernel.outbox import write_reply
from handlers.kernel.reply import Button, Outcome, Reply
from handlers.kernel.turn import Finish, Turn
from handlers.payments.notices import PaymentNotices, RefreshCards

__all__ = [
    "REFUNDABLE",
    "attempt_refund",
    "issue_after_commit",
    "issue_refund",
    "owe_refund",
    "refund_by_hand_alert",
    "refund_or_alert",
    "send_back",
    "settle_refund",
    "tell_issued",
]

log = structlog.get_logger(__name__)

REFUNDABLE = frozenset({OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.RETURNED})
JOB_GRACE = timedelta(minutes=1)  # the job leaves a new refund to the turn that owes it, for a while


async def owe_refund(
    uow: UnitOfWork,
    order: Order,
    amount: Money,
    *,
    now: datetime,
    purpose: str = "",
    charge_ref: str | None = None,
    notice: RefundNotice = RefundNotice.NONE,
) -> PendingRefund:
    """Record in `uow`'s transaction that `amount` of `charge_ref` (by default the order's charge) goes
    back. `purpose` tells apart refunds of one amount; the same refund owed twice is recorded once (its
    `id` is then None: nothing more to ask the provider for)."""
    charge = charge_ref or order.provider_charge_id or ""
    key = refund_key(order.number, charge, amount, purpose)
    refund = PendingRefund(
        order.number, charge, amount, now, next_attempt_at=now + JOB_GRACE, key=key, notice=notice
    )
    await uow.refunds.add(refund)
    log.info("refund_owed", order=order.number, new=refund.id is not None)
    return refund


async def refund_or_alert(
    uow: UnitOfWork,
    gateway: PaymentGateway | None,
    order: Order,
    *,
    merchant_chat_id: int | None,
    now: datetime,
    language: str = MERCHANT_LANGUAGE,
) -> PendingRefund | None:
    """Owe the money of a paid order just withdrawn (got for update), to be issued after commit
    (`issue_after_commit`, then the `retry_refunds` job); a second withdrawal owes nothing more.

    None when the money has to go back by hand (no gateway, no charge to refund): the merchant chat is
    then told so, in `language`, once.
    """
    refundable = (
        order.status in REFUNDABLE and order.is_paid and order.payment_method is not PaymentMethod.CASH
    )
    if gateway is not None and refundable and order.provider_charge_id:
        return await owe_refund(uow, order, order.total, now=now)
    log.warning(
        "refund_not_started", order=order.number, reason="no_gateway" if gateway is None else "no_charge"
    )
    await refund_by_hand_alert(uow, order, merchant_chat_id, now, language)
    return None


async def attempt_refund(gateway: PaymentGateway, order: Order, refund: PendingRefund) -> str | Exception:
    """Call the provider (no transaction may be open): the refund id, or why it failed. Never raises."""
    charged = dataclasses.replace(order, provider_charge_id=refund.charge_ref)  # the refund's own charge
    try:
        return await gateway.refund(charged, refund.amount, key=refund.key)
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
) -> PendingRefund | None:
    """Record what the provider answered for refund `refund_id`: issued (the customer told when the
    refund says so), due again later, or failed with the merchant asked to refund by hand: after
    `MAX_REFUND_ATTEMPTS`, or at once when the provider refused for good.

    Returns the refund as recorded (None: no such refund), with the events it recorded: `RefundFailed`
    when it failed, for the caller to redraw the order's card with in this transaction."""
    refund = await uow.refunds.get(refund_id)
    if refund is None or refund.state is not RefundState.PENDING:
        return refund
    order = await uow.orders.get(refund.order_number)
    if isinstance(result, str):
        refund.state, refund.refund_ref = RefundState.ISSUED, result
        attempt = await uow.payment_attempts.find(refund.charge_ref)
        if attempt is not None:
            attempt.refund_ref = result
            await uow.payment_attempts.save(attempt)
        if order is not None:
            await tell_issued(uow, order, refund, merchant_chat_id, now)
        log.info("refund_issued", order=refund.order_number, refund=result)
    else:
        refund.attempts += 1
        refused = isinstance(result, PaymentRefused)  # an invalid request: the same answer every time
        refund.last_error = (
            REFUSED + result.reason if isinstance(result, PaymentRefused) else type(result).__name__
        )
        retryable = isinstance(result, PaymentUnavailable | OSError) and not refused  # may answer later
        if refund.attempts >= MAX_REFUND_ATTEMPTS or not retryable:
            refund.give_up()
            if order is not None:
                await refund_by_hand_alert(uow, order, merchant_chat_id, now, language, refund=refund)
            log.warning("refund_failed", order=refund.order_number, attempts=refund.attempts, refused=refused)
        else:
            refund.next_attempt_at = now + refund_backoff(refund.attempts)
            log.info("refund_retry_later", order=refund.order_number, attempts=refund.attempts)
    await uow.refunds.save(refund)
    return refund


async def tell_issued(
    uow: UnitOfWork, order: Order, refund: PendingRefund, merchant_chat_id: int | None, now: datetime
) -> None:
    """The customer reads the refund went back, as the refund says (by the provider, or by hand)."""
    notices = PaymentNotices(merchant_chat_id)
    if refund.notice is RefundNotice.WHOLE:
        await notices.refunded(uow, order, refund.amount, now)
    elif refund.notice is RefundNotice.PART:
        await notices.partly_refunded(uow, order, refund.amount, now, key=f"refund:{refund.id}")
    elif refund.notice is RefundNotice.LAST:
        await notices.refunded_after_returns(uow, order, refund.amount, now)
    elif refund.notice is RefundNotice.SENT_BACK:
        await notices.payment_returned(uow, order, refund.amount, f"refund:{refund.id}", now)


def issue_after_commit(turn: Turn, gateway: PaymentGateway, order: Order, refund: PendingRefund) -> None:
    """Ask the provider for `refund` once `turn` is committed; the answer is recorded in a unit of its own,
    whose turn carries the refund's events (the app redraws the order's card with them). Nothing to ask
    when the refund was owed already (its id is None)."""
    if refund.id is None:
        return
    refund_id, chat = refund.id, turn.config.merchant_chat_id

    async def call() -> Finish:
        result = await attempt_refund(gateway, order, refund)

        async def record(later: Turn) -> Outcome:
            settled = await settle_refund(later.uow, refund_id, result, now=later.now, merchant_chat_id=chat)
            later.events.extend(settled.events if settled is not None else ())
            return Outcome()

        return record

    turn.after_commit(call)


async def send_back(
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    refund: PendingRefund,
    notices: PaymentNotices,
) -> RefundState | None:
    """A payment sent back outside a turn (it came late, or twice: the Stripe webhook, Telegram payments):
    `issue_refund`, the merchant chat told and the card redrawn as `notices` tell and redraw."""
    return await issue_refund(
        uow_factory,
        gateway,
        clock,
        refund,
        merchant_chat_id=notices.merchant_chat_id,
        refresh_cards=notices.refresh_cards,
    )


async def issue_refund(
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    refund: PendingRefund,
    *,
    merchant_chat_id: int | None,
    order: Order | None = None,
    refresh_cards: RefreshCards | None = None,
) -> RefundState | None:
    """Ask the provider for `refund` (committed; no transaction open) and record its answer in a unit of
    work of its own: for callers outside a turn (the Stripe webhook, Telegram payments, the job). `order`
    is read when not given; `refresh_cards` (the merchant desk's) redraws the order's card in that unit
    when the answer changed what it shows (the refund failed). Returns the refund's new state."""
    if refund.id is None:
        return None
    if order is None:
        async with uow_factory(write=False) as uow:
            order = await uow.orders.get(refund.order_number)
    if order is None:
        result: str | Exception = LookupError(f"order {refund.order_number} not found")
    else:
        result = await attempt_refund(gateway, order, refund)
    async with uow_factory() as uow:
        now = clock.now()
        settled = await settle_refund(uow, refund.id, result, now=now, merchant_chat_id=merchant_chat_id)
        if settled is not None and refresh_cards is not None:
            await refresh_cards(uow, settled.events, now)
        await uow.commit()
    return None if settled is None else settled.state


async def refund_by_hand_alert(
    uow: UnitOfWork,
    order: Order,
    merchant_chat_id: int | None,
    now: datetime,
    language: str = MERCHANT_LANGUAGE,
    *,
    refund: PendingRefund | None = None,
) -> None:
    """Ask staff once (per refund owed), in the merchant chat, to refund the order (by default its total)
    in the provider's dashboard; for a refund owed, why it was not made (the provider's words when it
    refused) and the buttons to confirm it went back by hand and to open the order."""
    if merchant_chat_id is None:
        return
    _ = translations(language).gettext
    amount = money_text(order.total if refund is None else refund.amount, language)
    text = _("⚠ Order {number}: refund {amount} by hand in the payment provider's dashboard.")
    rows: tuple[tuple[Button, ...], ...] = ()
    if refund is not None and refund.id is not None:
        if refund.refusal:
            text = _(
                "⚠ Order {number}: the payment provider refused the refund of {amount}, for good: “{reason}” "
                "It is not tried again. Check the payment in the provider's dashboard and refund it there if "
                "the money has not gone back."
            )
        text += "\n" + _("Once the money is back with the customer, press ✅ Refunded by hand.")
        rows = (
            (
                Button(_("✅ Refunded by hand"), pack(RefundedByHand(order.number, refund.id))),
                Button(_("🧾 Order {number}").format(number=order.number), pack(OpenOrder(order.number))),
            ),
        )
    reply = Reply(
        text.format(number=order.number, amount=amount, reason=refund.refusal if refund else ""), rows
    )
    key = f"order:{order.number}:refund_by_hand" + ("" if refund is None else f":{refund.id}")
    await write_reply(uow, merchant_chat_id, reply, now, dedupe_key=key)
