"""Counting wrappers around the ports where countable things happen, wired at the composition root:
messages delivered or failed (the relay's notifier) and carrier tracking requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.metrics import Metrics
from domain.errors import DeliveryFailed, RecipientBlocked
from domain.ports import CarrierTracking, Notifier, TrackingStatus

__all__ = ["MeteredNotifier", "MeteredTracking"]


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
        close = getattr(self._notifier, "aclose", None)
        if close is not None:
            await close()


class MeteredTracking:
    def __init__(self, tracking: CarrierTracking, metrics: Metrics) -> None:
        self._tracking = tracking
        self._metrics = metrics

    async def register(self, tracking_number: str, carrier: str | None = None) -> None:
        await self._tracking.register(tracking_number, carrier)

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[TrackingStatus]:
        try:
            statuses = await self._tracking.fetch(tracking_numbers)
        except Exception:
            self._metrics.tracking_polls.labels("error").inc()
            raise
        self._metrics.tracking_polls.labels("ok").inc()
        return statuses
