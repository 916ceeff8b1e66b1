"""Payment attempts: every try to collect money for an order and how it ended.

One attempt per checkout link or invoice. Its outcome moves PENDING -> SUCCEEDED | FAILED | EXPIRED, and a
succeeded attempt may later become REFUNDED. The payment success rate is succeeded (refunded included: the
money did arrive) divided by attempted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.money import Money
from domain.order_status import PaymentMethod

__all__ = ["AttemptOutcome", "PaymentAttempt", "PaymentStats"]


class AttemptOutcome(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # refused, or money that did not match the order (not accepted)
    EXPIRED = "expired"
    REFUNDED = "refunded"  # the money arrived and went back (late payment without stock, cancel, reject)

    @property
    def collected(self) -> bool:
        return self in (AttemptOutcome.SUCCEEDED, AttemptOutcome.REFUNDED)


@dataclass(slots=True)
class PaymentAttempt:
    order_number: str
    method: PaymentMethod
    amount: Money
    created_at: datetime
    provider_ref: str = ""  # Stripe checkout session id, Telegram invoice payload
    charge_ref: str = ""  # what a refund is issued against: payment intent / provider charge id
    refund_ref: str = ""
    outcome: AttemptOutcome = AttemptOutcome.PENDING
    settled_at: datetime | None = None
    note: str = ""
    id: int | None = None

    def settle(self, outcome: AttemptOutcome, at: datetime, note: str = "") -> None:
        self.outcome = outcome
        self.settled_at = at
        if note:
            self.note = note[:200]


@dataclass(frozen=True, slots=True)
class PaymentStats:
    attempted: int
    succeeded: int

    @property
    def success_rate(self) -> Decimal | None:
        """succeeded / attempted, exact; None when nothing was attempted."""
        return Decimal(self.succeeded) / Decimal(self.attempted) if self.attempted else None
