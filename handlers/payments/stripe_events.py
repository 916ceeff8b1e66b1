"""Stripe webhook events, after `bot/` verified their signature: parsed JSON in, an HTTP answer out.

Each event id is processed once (`uow.webhook_events`). Out-of-order and repeated events are harmless:
an `expired` after `completed` finds the order paid and does nothing; a `completed` for an expired order is
a late payment (re-reserved or refunded by `settle_payment`).

The created-order race: the checkout session is created before the transaction that stores the order
commits, so `checkout.session.completed` can arrive for an order not visible yet. An unknown order in an
event younger than `race_window` is answered 409 with nothing recorded, so Stripe retries it (with backoff,
for up to three days); an older one is acknowledged and logged: Stripe would retry it in vain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from domain.actor import Actor
from domain.clock import Clock
from domain.order_status import PaymentMethod
from domain.payments.attempts import AttemptOutcome, PaymentAttempt
from domain.payments.currency import STRIPE_AMOUNTS
from domain.payments.refunds import PendingRefund
from domain.ports import PaymentGateway, UnitOfWork, UnitOfWorkFactory
from handlers.payments.notices import PaymentNotices
from handlers.payments.provider_refunds import provider_refunded
from handlers.payments.refunds import send_back
from handlers.payments.settlement import ReceivedPayment, Settlement, expire_order, settle_payment
from handlers.payments.stripe_fields import MalformedEvent, Obj, order_number, stripe_minor, text, whole

__all__ = ["StripeEvents", "WebhookAnswer"]

log = structlog.get_logger(__name__)
STRIPE = Actor.system("stripe")
_PAID_STATES = ("paid", "no_payment_required")


@dataclass(frozen=True, slots=True)
class WebhookAnswer:
    status: int
    text: str
    refund: PendingRefund | None = field(default=None, compare=False)  # owed: asked for after commit


_Handler = Callable[[UnitOfWork, Obj, datetime, datetime], Awaitable[WebhookAnswer]]


class StripeEvents:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        gateway: PaymentGateway,
        notices: PaymentNotices,
        clock: Clock,
        *,
        race_window: timedelta = timedelta(hours=1),
    ) -> None:
        self._uow_factory = uow_factory
        self._gateway = gateway
        self._notices = notices
        self._clock = clock
        self._race_window = race_window
        self._handlers: dict[str, _Handler] = {
            "checkout.session.completed": self._session_completed,
            "checkout.session.async_payment_succeeded": self._session_completed,
            "checkout.session.async_payment_failed": self._session_failed,
            "checkout.session.expired": self._session_expired,
            "charge.refunded": self._charge_refunded,
            "refund.updated": self._refund_updated,
            "refund.created": self._refund_updated,
        }

    async def handle(self, event: Any) -> WebhookAnswer:
        if not isinstance(event, Mapping) or not isinstance(event.get("data"), Mapping):
            return WebhookAnswer(400, "not a Stripe event")
        obj = event["data"].get("object")
        try:
            event_id, kind = text(event, "id"), text(event, "type")
            sent_at = datetime.fromtimestamp(whole(event, "created", at_most=2**40), UTC)
        except MalformedEvent as exc:
            return WebhookAnswer(400, f"not a Stripe event: {exc.field}")
        handler = self._handlers.get(kind)
        if handler is None:
            return WebhookAnswer(200, "ignored")
        if not isinstance(obj, Mapping):
            return WebhookAnswer(400, "not a Stripe event: data.object")
        now = self._clock.now()
        try:
            async with self._uow_factory() as uow:  # left without commit: nothing of it is kept
                if not await uow.webhook_events.first_time("stripe", event_id, now):
                    return WebhookAnswer(200, "duplicate")
                answer = await handler(uow, obj, sent_at, now)
                if answer.status < 300:
                    await uow.commit()
        except MalformedEvent as exc:
            log.warning("stripe_event_malformed", event_id=event_id, field=exc.field)
            return WebhookAnswer(400, f"malformed {kind}: {exc.field}")
        if answer.refund is not None and answer.status < 300:  # money sent back: committed as owed
            await send_back(self._uow_factory, self._gateway, self._clock, answer.refund, self._notices)
        log.info("stripe_event", event_id=event["id"], type=event["type"], status=answer.status)
        return answer

    def _unknown_order(self, obj: Obj, sent_at: datetime, now: datetime) -> WebhookAnswer:
        if now - sent_at < self._race_window:
            return WebhookAnswer(409, "order not stored yet; retry later")
        log.warning("stripe_unknown_order", object=obj.get("id"))
        return WebhookAnswer(200, "unknown order")

    async def _session_completed(
        self, uow: UnitOfWork, obj: Obj, sent_at: datetime, now: datetime
    ) -> WebhookAnswer:
        number = order_number(obj)
        if number is None:
            return WebhookAnswer(200, "not a shop checkout")
        order = await uow.orders.get_for_update(number)
        if order is None:
            return self._unknown_order(obj, sent_at, now)
        if obj.get("payment_status") not in _PAID_STATES:
            return WebhookAnswer(200, "awaiting asynchronous payment")
        session_id, intent = text(obj, "id"), obj.get("payment_intent")
        payment = ReceivedPayment(
            method=PaymentMethod.STRIPE,
            # Stripe's integer, read by Stripe's rules (JPY whole yen, ISK hundredths, KWD thousandths).
            amount=STRIPE_AMOUNTS.received(
                whole(obj, "amount_total"), text(obj, "currency").upper()[:3], order.total
            ),
            attempt_ref=session_id,
            payment_ref=session_id,
            charge_ref=intent if isinstance(intent, str) else "",
        )
        settled = await settle_payment(uow, self._notices, order, payment, actor=STRIPE, now=now)
        outcome = settled.outcome
        refund = await self._early_refund(uow, payment.charge_ref, now) if outcome is Settlement.PAID else ""
        return WebhookAnswer(200, f"{outcome.value}; {refund}" if refund else outcome.value, settled.refund)

    async def _early_refund(self, uow: UnitOfWork, charge_ref: str, now: datetime) -> str:
        """A refund of this payment reported before it: applied now that the payment is recorded."""
        kept, refunded = await uow.early_refunds.take(charge_ref) if charge_ref else (False, None)
        attempt = await uow.payment_attempts.find(charge_ref) if kept else None
        order = await uow.orders.get_for_update(attempt.order_number) if attempt else None
        if attempt is None or order is None:
            return ""
        total = attempt.amount.amount_minor if refunded is None else stripe_minor(attempt, refunded)
        return await provider_refunded(uow, self._notices, order, attempt, total, actor=STRIPE, now=now)

    async def _session_failed(
        self, uow: UnitOfWork, obj: Obj, sent_at: datetime, now: datetime
    ) -> WebhookAnswer:
        """A delayed payment method (bank debit) failed: the order stays reserved until its hold ends."""
        attempt = await uow.payment_attempts.find(str(obj.get("id") or ""))
        if attempt is not None and attempt.outcome is AttemptOutcome.PENDING:
            attempt.settle(AttemptOutcome.FAILED, now, "asynchronous payment failed")
            await uow.payment_attempts.save(attempt)
        return WebhookAnswer(200, "payment failed")

    async def _session_expired(
        self, uow: UnitOfWork, obj: Obj, sent_at: datetime, now: datetime
    ) -> WebhookAnswer:
        number = order_number(obj)
        order = await uow.orders.get_for_update(number) if number else None
        if order is None:
            return WebhookAnswer(200, "unknown order")
        latest = await uow.payment_attempts.latest(order.number)
        if latest is not None and latest.provider_ref != obj.get("id"):
            return WebhookAnswer(200, "an older checkout link expired")
        expired = await expire_order(uow, self._notices, order, actor=STRIPE, now=now)
        return WebhookAnswer(200, "expired" if expired else "not awaiting payment")

    async def _refunded(
        self, uow: UnitOfWork, refs: tuple[Any, ...], total: int | None, now: datetime, *, payment: str
    ) -> WebhookAnswer:
        """`total`: refunded so far on the payment; None: all of it. `payment`: its intent (or charge) id,
        under which a refund that came before the payment is kept until `checkout.session.completed`."""
        attempt = await self._attempt(uow, refs)
        if attempt is None:
            await uow.early_refunds.keep(payment, total, now)
            log.info("stripe_refund_before_payment", payment=payment)
            return WebhookAnswer(200, "refund kept until its payment arrives")
        order = await uow.orders.get_for_update(attempt.order_number)
        if order is None:
            return WebhookAnswer(200, "unknown order")
        refunded = attempt.amount.amount_minor if total is None else stripe_minor(attempt, total)
        before = len(order.events)
        outcome = await provider_refunded(uow, self._notices, order, attempt, refunded, actor=STRIPE, now=now)
        await self._notices.refresh_cards(uow, order.events[before:], now)  # Refunded: the card says so
        return WebhookAnswer(200, outcome)

    async def _charge_refunded(
        self, uow: UnitOfWork, obj: Obj, sent_at: datetime, now: datetime
    ) -> WebhookAnswer:
        """A refund made by the bot or in Stripe's dashboard; `amount_refunded` is the running total."""
        refunded = whole(obj, "amount_refunded")
        total = None if obj.get("refunded") is True else refunded
        intent, charge = obj.get("payment_intent"), text(obj, "id")
        payment = intent if isinstance(intent, str) and intent else charge
        return await self._refunded(uow, (intent, charge), total, now, payment=payment)

    async def _refund_updated(
        self, uow: UnitOfWork, obj: Obj, sent_at: datetime, now: datetime
    ) -> WebhookAnswer:
        """One refund's own amount: only a full one settles anything (`charge.refunded` has the total)."""
        if obj.get("status") != "succeeded":
            return WebhookAnswer(200, f"refund {str(obj.get('status'))[:20]}")
        amount = whole(obj, "amount")
        refs = (text(obj, "id"), obj.get("payment_intent"), obj.get("charge"))
        attempt = await self._attempt(uow, refs)
        if attempt is not None and amount < STRIPE_AMOUNTS.to_minor(attempt.amount):  # Stripe's integers
            return WebhookAnswer(200, "partial refund")
        payment = next((r for r in refs[1:] if isinstance(r, str) and r), "")
        if attempt is None and not payment:
            return WebhookAnswer(200, "unknown payment")
        return await self._refunded(uow, refs, amount, now, payment=payment)

    async def _attempt(self, uow: UnitOfWork, refs: tuple[Any, ...]) -> PaymentAttempt | None:
        for ref in refs:
            attempt = await uow.payment_attempts.find(ref) if isinstance(ref, str) and ref else None
            if attempt is not None:
                return attempt
        return None
