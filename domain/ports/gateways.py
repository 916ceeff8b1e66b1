"""Services outside the shop: payments, carrier tracking, message delivery."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.money import Money
from domain.order import Order

__all__ = ["CheckoutLink", "PaymentGateway", "TrackingStatus", "CarrierTracking", "Notifier"]


@dataclass(frozen=True, slots=True)
class CheckoutLink:
    session_id: str
    url: str
    expires_at: datetime


class PaymentGateway(Protocol):
    async def create_checkout(
        self, order: Order, *, expires_at: datetime, language: str = "en"
    ) -> CheckoutLink:
        """A payment page for the order, its lines named in the customer's `language`, open until about
        `expires_at`; the same order and language give the same page while it is open."""

    async def refund(self, order: Order, amount: Money, *, key: str = "") -> str:
        """Refund `amount` of the order's payment; the same idempotency `key` refunds once (by default the
        whole payment's: `domain.payments.refunds.refund_key`). Two refunds of one amount (two returns of
        one item) have two keys."""


@dataclass(frozen=True, slots=True)
class TrackingStatus:
    tracking_number: str
    status: str  # the carrier-neutral main status, e.g. "InTransit"
    detail: str = ""
    at: datetime | None = None


class CarrierTracking(Protocol):
    """Raises `RetryLater` (rate limited) or `DeliveryFailed` (down, refused, garbled) for a whole call."""

    async def register(self, tracking_number: str, carrier: str | None = None) -> None: ...
    async def fetch(self, tracking_numbers: Sequence[str]) -> list[TrackingStatus]:
        """Statuses of registered numbers; a number the provider refuses comes back with status
        `domain.tracking.statuses.REJECTED` and the reason in `detail`."""

    async def register_many(self, parcels: Sequence[tuple[str, str | None]]) -> dict[str, str]:
        """Register (number, carrier) pairs; returns the refused numbers with their reasons."""


class Notifier(Protocol):
    """Delivers one outbox payload to a chat; raises `RecipientBlocked`, `RetryLater` or
    `DeliveryFailed` (domain.errors), the last two with `unsent` set when part of the payload went out.
    Returns the platform's message id when there is one."""

    async def deliver(self, chat_id: int, payload: dict[str, Any]) -> int | None: ...


# -- jobs and outbox relay (additive) ------------------------------------------------------------
