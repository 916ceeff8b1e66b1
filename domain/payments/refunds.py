"""A refund the shop owes: recorded in the transaction that withdrew the paid order, issued afterwards.

The payment provider is never called while that transaction is open. The refund is tried right after
commit and, until the provider answers, again by a job with a growing delay; the provider's idempotency
key (order, charge, amount) makes every retry the same refund. After `MAX_REFUND_ATTEMPTS` the merchant
is asked to refund by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.money import Money

__all__ = ["PendingRefund", "RefundState", "MAX_REFUND_ATTEMPTS", "refund_backoff"]

MAX_REFUND_ATTEMPTS = 8


class RefundState(StrEnum):
    PENDING = "pending"  # not issued yet: tried after commit, then by the job
    ISSUED = "issued"  # the provider took it (its confirmation marks the order REFUNDED)
    FAILED = "failed"  # gave up: the merchant refunds by hand


@dataclass(slots=True)
class PendingRefund:
    order_number: str
    charge_ref: str
    amount: Money
    created_at: datetime
    id: int | None = None
    state: RefundState = RefundState.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    refund_ref: str | None = None
    last_error: str = ""


def refund_backoff(attempts: int) -> timedelta:
    """Delay after `attempts` failed tries: 30 s, 1 min, 2 min ... at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))
