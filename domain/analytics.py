"""Shop figures for merchants: the report window and the plain values a report is made of.

Every order figure is about the orders *placed* in the window (a cohort), so the funnel and the rates
read consistently: of the orders placed this week, how many were paid, cancelled, delivered. Two figures
are about events in the window instead: payment attempts made, and orders shipped (the median time from
paid to shipped). Low stock is a snapshot of now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.clock import require_utc
from domain.errors import InvalidInput
from domain.money import Money
from domain.order_status import OrderStatus

__all__ = [
    "MAX_REPORT_DAYS",
    "ReportPeriod",
    "ReportWindow",
    "FunnelStep",
    "Funnel",
    "DayFigures",
    "ProductFigures",
    "Figures",
    "OrderExportRow",
    "percent",
]

MAX_REPORT_DAYS = 366


def percent(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole`, half-up to one decimal; None when `whole` is 0 (no rate)."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class ReportPeriod(StrEnum):
    """The periods a merchant picks with a button."""

    TODAY = "today"
    WEEK = "7d"
    MONTH = "30d"

    @property
    def days(self) -> int:
        return {ReportPeriod.TODAY: 1, ReportPeriod.WEEK: 7, ReportPeriod.MONTH: 30}[self]


@dataclass(frozen=True, slots=True)
class ReportWindow:
    """[start, end) in UTC, cut into the shop's local days (`day_starts`, first == start)."""

    start: datetime
    end: datetime
    day_starts: tuple[datetime, ...]
    zone: str = "UTC"

    @classmethod
    def last_days(cls, days: int, now: datetime, zone: str = "UTC") -> ReportWindow:
        """Today and the `days - 1` local days before it, up to `now` (today: since local midnight)."""
        require_utc(now)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_REPORT_DAYS:
            raise InvalidInput(f"days must be between 1 and {MAX_REPORT_DAYS}", "days")
        tz = ZoneInfo(zone)
        today = now.astimezone(tz).date()
        firsts = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]
        starts = tuple(datetime.combine(d, time(0), tz).astimezone(now.tzinfo) for d in firsts)
        return cls(start=starts[0], end=now, day_starts=starts, zone=zone)

    @classmethod
    def for_period(cls, period: ReportPeriod, now: datetime, zone: str = "UTC") -> ReportWindow:
        return cls.last_days(period.days, now, zone)

    @property
    def days(self) -> tuple[date, ...]:
        tz = ZoneInfo(self.zone)
        return tuple(start.astimezone(tz).date() for start in self.day_starts)


class FunnelStep(StrEnum):
    """Steps before an order exists, recorded as they happen (see ports.FunnelEvents)."""

    CART_CREATED = "cart_created"  # the first item went into an empty cart
    CHECKOUT_STARTED = "checkout_started"  # the customer pressed "check out" on a non-empty cart


@dataclass(frozen=True, slots=True)
class Funnel:
    carts_created: int
    checkouts_started: int
    orders_placed: int
    paid: int
    delivered: int

    def steps(self) -> tuple[tuple[str, int], ...]:
        return (
            ("carts created", self.carts_created),
            ("checkouts started", self.checkouts_started),
            ("orders placed", self.orders_placed),
            ("paid", self.paid),
            ("delivered", self.delivered),
        )


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: date  # the shop's local day
    orders: int  # placed that day
    revenue: Money  # of the orders placed that day that were paid and not refunded


@dataclass(frozen=True, slots=True)
class ProductFigures:
    sku: str
    name: str
    units: int
    revenue: Money


@dataclass(frozen=True, slots=True)
class Figures:
    window: ReportWindow
    currency: str
    placed: int
    paid: int  # money received (cash on delivery: at the door)
    cancelled: int  # cancelled or rejected by the merchant
    refunded: int
    revenue: Money  # totals of paid orders that were not refunded
    revenue_orders: int  # how many orders make up `revenue`
    payment_attempts: int
    payments_succeeded: int
    funnel: Funnel
    top_by_units: tuple[ProductFigures, ...]
    top_by_revenue: tuple[ProductFigures, ...]
    low_stock: int  # products whose available stock is below their safety stock, now
    median_paid_to_shipped: timedelta | None  # of orders shipped in the window; None when none were
    by_day: tuple[DayFigures, ...]
    by_status: tuple[tuple[OrderStatus, int], ...]  # most frequent first
    discounts: Money | None = None  # promo-code discounts of the revenue orders; None: none given
    discounted_orders: int = 0  # how many revenue orders had a promo code

    @property
    def average_order_value(self) -> Money:
        """Revenue per revenue order, rounded half-up to the minor unit; zero when there were none."""
        if self.revenue_orders == 0:
            return Money.zero(self.currency)
        total, count = self.revenue.amount_minor, self.revenue_orders
        return Money((2 * total + count) // (2 * count), self.currency)

    @property
    def payment_success_rate(self) -> Decimal | None:
        """Successful payments per payment attempt, in percent; None when nothing was attempted."""
        return percent(self.payments_succeeded, self.payment_attempts)


@dataclass(frozen=True, slots=True)
class OrderExportRow:
    """One order as exported for the merchant's books (no address or phone: customer id only)."""

    number: str
    placed_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    status: OrderStatus
    customer_id: int
    items: tuple[tuple[str, int], ...]  # (sku, quantity)
    subtotal: Money
    shipping: Money
    total: Money
    payment_method: str
    payment_ref: str
    carrier: str
    tracking_number: str
    discount: Money | None = None  # what a promo code took off; None: no code
    promo_code: str = ""
