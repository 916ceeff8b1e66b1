"""Counting wrappers around the ports where countable things happen, wired at the composition root:
messages delivered or failed (the relay's notifier), carrier tracking requests, and card payments (a
checkout link handed out is an attempt, a checkout Stripe reports paid a success). Telegram payments are
counted where their updates are handled (`bot.observability.instrumentation`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.observability.metrics import Metrics
from bot.providers.stripe_webhook import StripeEventHandler
from domain.errors import DeliveryFailed, RecipientBlocked
from domain.money import Money
from domain.order import Order
from domain.order_status import PaymentMethod
from domain.ports import CarrierTracking, CheckoutLink, Notifier, PaymentGateway, TrackingStatus
from handlers.payments.settlement import Settlement
from handlers.payments.stripe_events import WebhookAnswer

__all__ = ["MeteredNotifier", "MeteredTracking", "MeteredGateway", "MeteredStripeEvents"]

_CARD = PaymentMethod.STRIPE.value
_CHECKOUT_PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


async def _close(inner: object) -> None:
    close = getattr(inner, "aclose", None)
    if close is not None:
        await close()


class MeteredNotifier:
    def __init__(self, notifier: Notifier, metrics: Metrics) -> None:
        self._notifier = notifier
        self._metrics = metrics

    async def deliver(self, chat_id: int, payload: dict[str, Any]) -> int | None:
        try:
            message_id = await self._notifier.deliver(chat_id, payload)
        except (DeliveryFailed, RecipientBlocked):
            self._metrics.outbox_failures.inc()
            raise
        self._metrics.outbox_sent.inc()
        return message_id

    async def aclose(self) -> None:
        await _close(self._notifier)


class MeteredTracking:
    def __init__(self, tracking: CarrierTracking, metrics: Metrics) -> None:
        self._tracking = tracking
        self._metrics = metrics

    async def register(self, tracking_number: str, carrier: str | None = None) -> None:
        await self._tracking.register(tracking_number, carrier)

    async def register_many(self, parcels: Sequence[tuple[str, str | None]]) -> dict[str, str]:
        return await self._tracking.register_many(parcels)

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[TrackingStatus]:
        try:
            statuses = await self._tracking.fetch(tracking_numbers)
        except Exception:
            self._metrics.tracking_polls.labels("error").inc()
            raise
        self._metrics.tracking_polls.labels("ok").inc()
        return statuses


class MeteredGateway:
    def __init__(self, gateway: PaymentGateway, metrics: Metrics) -> None:
        self._gateway = gateway
        self._metrics = metrics

    async def create_checkout(
        self, order: Order, *, expires_at: datetime, language: str = "en"
    ) -> CheckoutLink:
        link = await self._gateway.create_checkout(order, expires_at=expires_at, language=language)
        self._metrics.payment_attempts.labels(_CARD).inc()
        return link

    async def refund(self, order: Order, amount: Money, *, key: str = "") -> str:
        return await self._gateway.refund(order, amount, key=key)

    async def aclose(self) -> None:
        await _close(self._gateway)


class MeteredStripeEvents:
    def __init__(self, events: StripeEventHandler, metrics: Metrics) -> None:
        self._events = events
        self._metrics = metrics

    async def handle(self, event: Any) -> WebhookAnswer:
        answer = await self._events.handle(event)
        paid = answer.status == 200 and answer.text == Settlement.PAID.value  # not a repeat, not refunded
        if paid and isinstance(event, Mapping) and event.get("type") in _CHECKOUT_PAID:
            self._metrics.payment_successes.labels(_CARD).inc()
        return answer
