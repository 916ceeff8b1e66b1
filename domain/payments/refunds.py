"""A refund the shop owes: recorded in the transaction that withdrew the paid order, issued afterwards.

The payment provider is never called while that transaction is open. The refund is tried right after
commit and, until the provider answers, again by a job with a growing delay. Each refund owed has its own
idempotency `key`, sent to the provider with every try, so every retry is the same refund and two equal
refunds (two returns of one item) are two. After `MAX_REFUND_ATTEMPTS`, or at once when the provider
refuses for good (a charge already refunded, more than was charged), the merchant is asked to refund by
hand (`give_up`, which records `RefundFailed`: the order card is redrawn to ask), and confirms on the
order card once the money went back (`BY_HAND`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.events import DomainEvent, RefundFailed
from domain.money import Money

__all__ = [
    "PendingRefund",
    "RefundNotice",
    "RefundState",
    "MAX_REFUND_ATTEMPTS",
    "refund_backoff",
    "refund_key",
]

MAX_REFUND_ATTEMPTS = 8
REFUSED = "refused: "  # how `last_error` starts when the provider refused for good


class RefundState(StrEnum):
    PENDING = "pending"  # not issued yet: tried after commit, then by the job
    ISSUED = "issued"  # the provider took it (its confirmation marks the order REFUNDED)
    FAILED = "failed"  # gave up: the merchant refunds by hand (the order card asks)
    BY_HAND = "by_hand"  # staff confirmed the money went back outside the bot


class RefundNotice(StrEnum):
    """What the customer is told once the provider took the refund."""

    NONE = ""  # told already, or told by the provider's confirmation (a withdrawn order)
    WHOLE = "whole"  # the order is Refunded: "your refund has been issued"
    PART = "part"  # some of it: "a refund of ... has been issued (... of ... so far)"
    LAST = "last"  # the part-return that made the whole order come back: "refunded in full"
    SENT_BACK = "late"  # a payment the order could not take (late, twice): "your payment has gone back"


def refund_key(order_number: str, charge_ref: str, amount: Money, purpose: str = "") -> str:
    """The idempotency key of a refund: the whole payment of a withdrawn order has one key however often
    it is withdrawn; `purpose` tells apart refunds of one amount (each part-return names its running total).
    """
    return f"{order_number}-{charge_ref}-{amount.amount_minor}{purpose and '-' + purpose}"


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
    key: str = ""  # the provider's idempotency key; by default the whole payment's (see `refund_key`)
    notice: RefundNotice = RefundNotice.NONE
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.key = self.key or refund_key(self.order_number, self.charge_ref, self.amount)

    def give_up(self) -> None:
        """The provider will not make it (refused for good, or kept failing): staff refund by hand."""
        self.state = RefundState.FAILED
        self.events.append(RefundFailed(self.order_number))

    @property
    def refusal(self) -> str:
        """The provider's words when it refused this refund for good, else ""."""
        head, _sep, reason = self.last_error.partition(REFUSED)
        return reason if not head and _sep else ""


def refund_backoff(attempts: int) -> timedelta:
    """Delay after `attempts` failed tries: 30 s, 1 min, 2 min ... at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))
