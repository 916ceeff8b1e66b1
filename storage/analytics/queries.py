"""The aggregate statements behind the merchant's figures, one function per figure.

Each reads a narrow index only (see the analytics indexes in storage/tables/orders.py): the orders placed
in a window come from `ix_orders_placed_at` (placed_at, status, paid_at, currency, total_minor, number),
transitions from `ix_order_timeline_new_at` (new, at, order_number) with the payment instant from
`ix_orders_number_paid_at`, lines from `ix_order_lines_sold`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    extract,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)

from domain.analytics import ReportWindow
from domain.order_status import OrderStatus
from domain.payments.attempts import AttemptOutcome
from storage.tables import FunnelEventRow, OrderLineRow, OrderRow, OrderTimelineRow, ProductRow, StockRow
from storage.tables.payments import PaymentAttemptRow

__all__ = ["FigureQueries", "total", "count_if", "WAS_DELIVERED", "MAYBE_DELIVERED"]

ORDERS, LINES, TIMELINE = OrderRow.__table__, OrderLineRow.__table__, OrderTimelineRow.__table__
ORDER, LINE, STEP = ORDERS.c, LINES.c, TIMELINE.c
_CANCELLED = (OrderStatus.CANCELLED.value, OrderStatus.REJECTED.value)
# Every delivered order is now in one of these statuses; the first two are reached only through delivery
# (tests/unit/analytics checks both against the state machine), the others need a look at the timeline.
WAS_DELIVERED = (OrderStatus.DELIVERED, OrderStatus.COMPLETED)
MAYBE_DELIVERED = (OrderStatus.RETURNED, OrderStatus.REFUNDED)
_COLLECTED = [outcome.value for outcome in AttemptOutcome if outcome.collected]


def total(expression: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(expression), 0)


def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return total(case((condition, 1), else_=0))


def _bucket(column: ColumnElement[Any], starts: tuple[Any, ...], first: int) -> ColumnElement[Any]:
    """Index of the last start <= column, as a balanced CASE tree: log2(days) comparisons per row."""
    if len(starts) == 1:
        return literal(first)
    middle = len(starts) // 2
    return case(
        (column < starts[middle], _bucket(column, starts[:middle], first)),
        else_=_bucket(column, starts[middle:], first + middle),
    )


class FigureQueries:
    """Statements for one report window in one currency."""

    def __init__(self, window: ReportWindow, currency: str) -> None:
        self.window = window
        self.placed = and_(ORDER.placed_at >= window.start, ORDER.placed_at < window.end)
        # Revenue: money received for orders in the shop currency that has not gone back.
        self.earning = and_(
            ORDER.paid_at.is_not(None), ORDER.status != OrderStatus.REFUNDED.value, ORDER.currency == currency
        )

    def order_totals(self) -> Select[Any]:
        return select(
            func.count().label("placed"),
            func.count(ORDER.paid_at).label("paid"),
            count_if(ORDER.status.in_(_CANCELLED)).label("cancelled"),
            count_if(ORDER.status == OrderStatus.REFUNDED.value).label("refunded"),
            total(case((self.earning, ORDER.total_minor), else_=0)).label("revenue"),
            count_if(self.earning).label("revenue_orders"),
            total(case((self.earning, ORDER.discount_minor), else_=0)).label("discounts"),
            count_if(and_(self.earning, ORDER.discount_minor > 0)).label("discounted_orders"),
            count_if(self.delivered()).label("delivered"),
        ).where(self.placed)

    @staticmethod
    def delivered() -> ColumnElement[bool]:
        """The order reached `delivered`: its status says so, or (rarely) its timeline does."""
        in_timeline = exists().where(
            STEP.order_number == ORDER.number, STEP.new == OrderStatus.DELIVERED.value
        )
        return or_(
            ORDER.status.in_([s.value for s in WAS_DELIVERED]),
            and_(ORDER.status.in_([s.value for s in MAYBE_DELIVERED]), in_timeline),
        )

    def by_status(self) -> Select[Any]:
        count = func.count()
        return (
            select(ORDER.status, count)
            .where(self.placed)
            .group_by(ORDER.status)
            .order_by(count.desc(), ORDER.status)
        )

    def by_day(self) -> Select[Any]:
        # Grouped over a subquery: PostgreSQL would not match a CASE with bound parameters in GROUP BY.
        placed = select(
            _bucket(ORDER.placed_at, self.window.day_starts, 0).label("day"),
            case((self.earning, ORDER.total_minor), else_=0).label("revenue"),
        ).where(self.placed)
        inner = placed.subquery()
        return select(inner.c.day, func.count(), total(inner.c.revenue)).group_by(inner.c.day)

    def top_products(self, top: int) -> Select[Any]:
        """Rows (ranking, sku, name, units, revenue): the `top` by units, then the `top` by revenue."""
        sold = (
            select(
                LINE.sku.label("sku"),
                func.sum(LINE.quantity).label("units"),
                func.sum(LINE.quantity * LINE.unit_price_minor).label("revenue"),
            )
            .select_from(ORDERS.join(LINES, LINE.order_number == ORDER.number))
            .where(self.placed, self.earning)
            .group_by(LINE.sku)
            .cte("sold")
        )

        def ranked(name: str, first: Any, second: Any) -> Select[Any]:
            best = select(sold).order_by(first.desc(), second.desc(), sold.c.sku).limit(top).subquery()
            return select(literal_column(f"'{name}'").label("ranking"), best)

        both = union_all(
            ranked("units", sold.c.units, sold.c.revenue), ranked("revenue", sold.c.revenue, sold.c.units)
        ).subquery()
        product = ProductRow.__table__.c
        return select(
            both.c.ranking, both.c.sku, func.coalesce(product.name, both.c.sku), both.c.units, both.c.revenue
        ).select_from(both.outerjoin(ProductRow.__table__, product.sku == both.c.sku))

    def shipped_after_payment(self) -> tuple[Any, ColumnElement[bool]]:
        """(the join, the condition) of transitions to shipped in the window of orders paid before."""
        joined = TIMELINE.join(ORDERS, ORDER.number == STEP.order_number)
        condition = and_(
            STEP.new == OrderStatus.SHIPPED.value,
            STEP.at >= self.window.start,
            STEP.at < self.window.end,
            ORDER.paid_at.is_not(None),
            ORDER.paid_at <= STEP.at,
        )
        return joined, condition

    def median_paid_to_shipped(self, dialect: str) -> Select[Any]:
        joined, shipped = self.shipped_after_payment()
        if dialect == "postgresql":
            seconds: ColumnElement[Any] = extract("epoch", STEP.at - ORDER.paid_at)
            return select(func.percentile_cont(0.5).within_group(seconds)).select_from(joined).where(shipped)
        seconds = (func.julianday(STEP.at) - func.julianday(ORDER.paid_at)) * 86400.0
        ranked = (
            select(
                seconds.label("seconds"),
                func.row_number().over(order_by=seconds).label("rank"),
                func.count().over().label("n"),
            )
            .select_from(joined)
            .where(shipped)
            .subquery()
        )
        middle = (ranked.c.rank == (ranked.c.n + 1) // 2) | (ranked.c.rank == (ranked.c.n + 2) // 2)
        return select(func.avg(ranked.c.seconds)).where(middle)

    def payment_attempts(self) -> Select[Any]:
        attempt = PaymentAttemptRow.__table__.c
        return select(func.count(), count_if(attempt.outcome.in_(_COLLECTED))).where(
            attempt.created_at >= self.window.start, attempt.created_at < self.window.end
        )

    def funnel_steps(self) -> Select[Any]:
        event = FunnelEventRow.__table__.c
        return (
            select(event.step, func.count())
            .where(event.at >= self.window.start, event.at < self.window.end)
            .group_by(event.step)
        )

    @staticmethod
    def low_stock() -> Select[Any]:
        stock, product = StockRow.__table__.c, ProductRow.__table__.c
        return (
            select(func.count())
            .select_from(StockRow.__table__.join(ProductRow.__table__, product.sku == stock.sku))
            .where(product.active.is_(True), stock.on_hand - stock.reserved < stock.safety)
        )
