"""Reading a Stripe event's fields: a field Stripe always sends that is missing, null or of the wrong
type raises `MalformedEvent` (the webhook answers 400 and keeps nothing) instead of a 500 Stripe retries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.payments.attempts import PaymentAttempt
from domain.payments.currency import STRIPE_AMOUNTS

__all__ = ["MalformedEvent", "Obj", "whole", "text", "order_number", "stripe_minor"]

Obj = Mapping[str, Any]


class MalformedEvent(ValueError):
    """A field Stripe always sends is missing, null or of the wrong type: answered 400, nothing kept."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def whole(obj: Obj, key: str, *, at_most: int = 2**53) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= at_most:
        raise MalformedEvent(key)
    return value


def stripe_minor(attempt: PaymentAttempt, stripe_amount: int) -> int:
    """A Stripe integer (refunded so far on `attempt`'s charge) in the currency's ISO minor units."""
    return STRIPE_AMOUNTS.received(stripe_amount, attempt.amount.currency, attempt.amount).amount_minor


def text(obj: Obj, key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value or len(value) > 255:
        raise MalformedEvent(key)
    return value


def order_number(session: Obj) -> str | None:
    metadata = session.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    number = metadata.get("order_number") or session.get("client_reference_id")
    return str(number)[:16] if isinstance(number, str | int) and number else None
