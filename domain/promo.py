"""Promo codes: what a code takes off an order's products, and why a code is refused.

A code is percent (1-100) or a fixed amount, optionally with a minimum subtotal, a start and an end, a total
and a per-customer use limit, and a scope of products (skus) or categories. The discount only ever applies
to the lines in scope and never exceeds their sum; delivery is never discounted. Counting uses is storage's
job (a conditional UPDATE, like stock reservations): `Promos.claim` in `domain.ports`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.clock import require_utc
from domain.errors import DomainError, InvalidInput
from domain.money import Money

__all__ = ["PromoKind", "PromoCode", "PromoRefused", "Refusal", "PromoLine", "PromoReport", "normalize_code"]

_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,19}$")


class PromoKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class Refusal(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"  # past its end, not started yet, or paused by staff
    USED_UP = "used_up"
    ALREADY_USED = "already_used"  # this customer used it as often as allowed
    BELOW_MINIMUM = "below_minimum"
    NOT_FOR_PRODUCTS = "not_for_products"


class PromoRefused(DomainError):
    """A code that cannot be applied to this order; `reason` says why, `minimum` for BELOW_MINIMUM."""

    def __init__(self, code: str, reason: Refusal, minimum: Money | None = None) -> None:
        super().__init__(f"promo code refused: {reason.value}")
        self.code = code
        self.reason = reason
        self.minimum = minimum


def normalize_code(raw: object) -> str:
    """ "summer-10 " -> "SUMMER-10"; 3-20 letters, digits, '-' or '_'."""
    code = raw.strip().upper() if isinstance(raw, str) else ""
    if not _CODE_RE.match(code):
        raise InvalidInput("a code is 3-20 letters, digits, '-' or '_'", "code")
    return code


@dataclass(frozen=True, slots=True)
class PromoLine:
    """What the discount rule needs of an order line."""

    sku: str
    category: str
    total: Money


@dataclass(slots=True)
class PromoCode:
    code: str
    kind: PromoKind
    value: int  # percent (1-100) or minor units of `currency`
    currency: str
    created_at: datetime
    min_subtotal: int = 0  # minor units
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    max_uses: int | None = None
    per_customer: int | None = None
    skus: frozenset[str] = field(default_factory=frozenset)
    categories: frozenset[str] = field(default_factory=frozenset)
    paused: bool = False
    uses: int = 0

    def __post_init__(self) -> None:
        self.code = normalize_code(self.code)
        require_utc(self.created_at)
        if self.kind is PromoKind.PERCENT and not 1 <= self.value <= 100:
            raise InvalidInput("a percent discount is 1 to 100", "value")
        if self.kind is PromoKind.FIXED and self.value < 1:
            raise InvalidInput("a fixed discount must be more than zero", "value")
        if self.min_subtotal < 0:
            raise InvalidInput("the minimum subtotal cannot be negative", "min_subtotal")
        for limit, name in ((self.max_uses, "max_uses"), (self.per_customer, "per_customer")):
            if limit is not None and limit < 1:
                raise InvalidInput("a use limit must be at least 1", name)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise InvalidInput("the end must come after the start", "ends_at")

    @property
    def scoped(self) -> bool:
        return bool(self.skus or self.categories)

    def in_scope(self, line: PromoLine) -> bool:
        return not self.scoped or line.sku in self.skus or line.category in self.categories

    def check_live(self, now: datetime) -> None:
        """Refuses a paused code, one not started yet, or one past its end (EXPIRED), or used up."""
        require_utc(now)
        started = self.starts_at is None or self.starts_at <= now
        if self.paused or not started or (self.ends_at is not None and now >= self.ends_at):
            raise PromoRefused(self.code, Refusal.EXPIRED)
        if self.max_uses is not None and self.uses >= self.max_uses:
            raise PromoRefused(self.code, Refusal.USED_UP)

    def discount(self, lines: Iterable[PromoLine], now: datetime, *, customer_uses: int = 0) -> Money:
        """What this code takes off these lines now, or `PromoRefused` saying why it cannot."""
        self.check_live(now)
        if self.per_customer is not None and customer_uses >= self.per_customer:
            raise PromoRefused(self.code, Refusal.ALREADY_USED)
        lines = list(lines)
        currency = lines[0].total.currency if lines else self.currency
        if self.kind is PromoKind.FIXED and currency != self.currency:
            raise PromoRefused(self.code, Refusal.NOT_FOR_PRODUCTS)
        subtotal = sum(line.total.amount_minor for line in lines)
        if subtotal < self.min_subtotal:
            raise PromoRefused(self.code, Refusal.BELOW_MINIMUM, Money(self.min_subtotal, currency))
        eligible = sum(line.total.amount_minor for line in lines if self.in_scope(line))
        if eligible == 0:
            raise PromoRefused(self.code, Refusal.NOT_FOR_PRODUCTS)
        if self.kind is PromoKind.PERCENT:
            off = (Decimal(eligible) * self.value / 100).to_integral_value(rounding=ROUND_HALF_UP)
            return Money(int(off), currency)
        return Money(min(self.value, eligible), currency)

    def describe(self) -> str:
        """ "10%" or "$5.00" — what the code is worth, for staff lists and receipts."""
        if self.kind is PromoKind.PERCENT:
            return f"{self.value}%"
        return Money(self.value, self.currency).format()


@dataclass(frozen=True, slots=True)
class PromoReport:
    """A code's results: orders that still count it, the discount they got, and what they paid/owe."""

    code: str
    uses: int
    discount: Money
    revenue: Money
