"""`SqlAlchemyShopFigures`: the merchant's figures as a handful of aggregate queries.

The database counts and sums; no order is loaded into Python. Every order figure is about the orders
placed in the window (`ix_orders_placed_at`); shipping times are about the orders shipped in it
(`ix_order_timeline_new_at`), payment attempts about those made in it (`payment_attempts.created_at`).
The median is `percentile_cont` on PostgreSQL and a `row_number()` window over the sorted durations on
SQLite. Reads run in a read-only transaction (no write lock on SQLite).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, extract, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.analytics import (
    DayFigures,
    Figures,
    Funnel,
    FunnelStep,
    OrderExportRow,
    ProductFigures,
    ReportWindow,
)
from domain.money import Money
from domain.order_status import OrderStatus
from domain.payment import AttemptOutcome
from storage.engine import WRITE_OPTION
from storage.order_export import order_rows
from storage.payments import PaymentAttemptRow
from storage.tables import FunnelEventRow, OrderLineRow, OrderRow, OrderTimelineRow, ProductRow, StockRow

__all__ = ["SqlAlchemyShopFigures"]

ORDER, LINE, STEP = OrderRow.__table__.c, OrderLineRow.__table__.c, OrderTimelineRow.__table__.c
_CANCELLED = (OrderStatus.CANCELLED.value, OrderStatus.REJECTED.value)
_COLLECTED = [outcome.value for outcome in AttemptOutcome if outcome.collected]


def _total(expression: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(expression), 0)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return _total(case((condition, 1), else_=0))


class _Query:
    """The conditions one report shares between its queries."""

    def __init__(self, window: ReportWindow, currency: str) -> None:
        self.window = window
        self.placed = and_(ORDER.placed_at >= window.start, ORDER.placed_at < window.end)
        # Revenue: money received for orders in the shop currency that has not gone back.
        self.earning = and_(
            ORDER.paid_at.is_not(None), ORDER.status != OrderStatus.REFUNDED.value, ORDER.currency == currency
        )

    def day_of_placement(self) -> ColumnElement[Any]:
        """0 for the window's first local day, 1 for the next, ... (DST-safe: boundaries come from Python)."""
        later_days = self.window.day_starts[1:]
        if not later_days:
            return literal(0)
        whens = [(ORDER.placed_at < start, index) for index, start in enumerate(later_days)]
        return case(*whens, else_=len(later_days))


class SqlAlchemyShopFigures:
    """Implements `domain.ports.ShopFigures` over an engine; `top` products are listed per ranking."""

    def __init__(self, engine: AsyncEngine, currency: str, *, top: int = 5) -> None:
        self._engine = engine
        self._currency = currency
        self._top = top

    async def figures(self, window: ReportWindow) -> Figures:
        query = _Query(window, self._currency)
        async with self._engine.connect() as conn:
            await conn.execution_options(**{WRITE_OPTION: False})
            totals = await self._order_totals(conn, query)
            attempts, succeeded = (await conn.execute(self._payment_attempts(window))).one()
            steps = dict((await conn.execute(self._funnel_steps(window))).all())
            figures = Figures(
                window=window,
                currency=self._currency,
                placed=totals["placed"],
                paid=totals["paid"],
                cancelled=totals["cancelled"],
                refunded=totals["refunded"],
                revenue=Money(totals["revenue"], self._currency),
                revenue_orders=totals["revenue_orders"],
                payment_attempts=int(attempts),
                payments_succeeded=int(succeeded),
                funnel=Funnel(
                    carts_created=steps.get(FunnelStep.CART_CREATED.value, 0),
                    checkouts_started=steps.get(FunnelStep.CHECKOUT_STARTED.value, 0),
                    orders_placed=totals["placed"],
                    paid=totals["paid"],
                    delivered=totals["delivered"],
                ),
                top_by_units=await self._top_products(conn, query, by_revenue=False),
                top_by_revenue=await self._top_products(conn, query, by_revenue=True),
                low_stock=(await conn.execute(self._low_stock())).scalar_one(),
                median_paid_to_shipped=await self._median_paid_to_shipped(conn, window),
                by_day=await self._by_day(conn, query),
                by_status=await self._by_status(conn, query),
            )
            await conn.rollback()
        return figures

    async def order_rows(self, window: ReportWindow) -> list[OrderExportRow]:
        async with self._engine.connect() as conn:
            await conn.execution_options(**{WRITE_OPTION: False})
            rows = await order_rows(conn, window)
            await conn.rollback()
        return rows

    async def _order_totals(self, conn: AsyncConnection, query: _Query) -> dict[str, int]:
        delivered = exists().where(STEP.order_number == ORDER.number, STEP.new == OrderStatus.DELIVERED.value)
        statement = select(
            func.count().label("placed"),
            func.count(ORDER.paid_at).label("paid"),
            _count_if(ORDER.status.in_(_CANCELLED)).label("cancelled"),
            _count_if(ORDER.status == OrderStatus.REFUNDED.value).label("refunded"),
            _total(case((query.earning, ORDER.total_minor), else_=0)).label("revenue"),
            _count_if(query.earning).label("revenue_orders"),
            _count_if(delivered).label("delivered"),
        ).where(query.placed)
        row = (await conn.execute(statement)).one()
        return {key: int(value) for key, value in row._mapping.items()}

    @staticmethod
    def _payment_attempts(window: ReportWindow) -> Any:
        p = PaymentAttemptRow.__table__.c
        return select(func.count(), _count_if(p.outcome.in_(_COLLECTED))).where(
            p.created_at >= window.start, p.created_at < window.end
        )

    @staticmethod
    def _funnel_steps(window: ReportWindow) -> Any:
        f = FunnelEventRow.__table__.c
        return select(f.step, func.count()).where(f.at >= window.start, f.at < window.end).group_by(f.step)

    @staticmethod
    def _low_stock() -> Any:
        s, p = StockRow.__table__.c, ProductRow.__table__.c
        return (
            select(func.count())
            .select_from(StockRow.__table__.join(ProductRow.__table__, p.sku == s.sku))
            .where(p.active.is_(True), s.on_hand - s.reserved < s.safety)
        )

    async def _top_products(
        self, conn: AsyncConnection, query: _Query, *, by_revenue: bool
    ) -> tuple[ProductFigures, ...]:
        units = func.sum(LINE.quantity)
        revenue = func.sum(LINE.quantity * LINE.unit_price_minor)
        ranking = (revenue.desc(), units.desc()) if by_revenue else (units.desc(), revenue.desc())
        statement = (
            select(LINE.sku, func.max(LINE.name), units, revenue)
            .select_from(OrderLineRow.__table__.join(OrderRow.__table__, ORDER.number == LINE.order_number))
            .where(query.placed, query.earning)
            .group_by(LINE.sku)
            .order_by(*ranking, LINE.sku)
            .limit(self._top)
        )
        return tuple(
            ProductFigures(sku, name, int(sold), Money(int(amount), self._currency))
            for sku, name, sold, amount in await conn.execute(statement)
        )

    @staticmethod
    async def _median_paid_to_shipped(conn: AsyncConnection, window: ReportWindow) -> timedelta | None:
        shipped_in_window = and_(
            STEP.new == OrderStatus.SHIPPED.value,
            STEP.at >= window.start,
            STEP.at < window.end,
            ORDER.paid_at.is_not(None),
            ORDER.paid_at <= STEP.at,
        )
        joined = OrderTimelineRow.__table__.join(OrderRow.__table__, ORDER.number == STEP.order_number)
        if conn.dialect.name == "postgresql":
            seconds = extract("epoch", STEP.at - ORDER.paid_at)
            statement = (
                select(func.percentile_cont(0.5).within_group(seconds))
                .select_from(joined)
                .where(shipped_in_window)
            )
        else:
            seconds = (func.julianday(STEP.at) - func.julianday(ORDER.paid_at)) * 86400.0
            ranked = (
                select(
                    seconds.label("seconds"),
                    func.row_number().over(order_by=seconds).label("rank"),
                    func.count().over().label("n"),
                )
                .select_from(joined)
                .where(shipped_in_window)
                .subquery()
            )
            middle = or_(ranked.c.rank == (ranked.c.n + 1) // 2, ranked.c.rank == (ranked.c.n + 2) // 2)
            statement = select(func.avg(ranked.c.seconds)).where(middle)
        median = (await conn.execute(statement)).scalar_one()
        return None if median is None else timedelta(seconds=round(float(median)))

    async def _by_day(self, conn: AsyncConnection, query: _Query) -> tuple[DayFigures, ...]:
        # Grouped over a subquery: PostgreSQL would not match a CASE with bound parameters in GROUP BY.
        placed = select(
            query.day_of_placement().label("day"),
            case((query.earning, ORDER.total_minor), else_=0).label("revenue"),
        ).where(query.placed)
        inner = placed.subquery()
        statement = select(inner.c.day, func.count(), _total(inner.c.revenue)).group_by(inner.c.day)
        found = {int(day): (int(n), int(revenue)) for day, n, revenue in await conn.execute(statement)}
        return tuple(
            DayFigures(date, found.get(index, (0, 0))[0], Money(found.get(index, (0, 0))[1], self._currency))
            for index, date in enumerate(query.window.days)
        )

    @staticmethod
    async def _by_status(conn: AsyncConnection, query: _Query) -> tuple[tuple[OrderStatus, int], ...]:
        count = func.count()
        statement = (
            select(ORDER.status, count)
            .where(query.placed)
            .group_by(ORDER.status)
            .order_by(count.desc(), ORDER.status)
        )
        return tuple((OrderStatus(status), int(n)) for status, n in await conn.execute(statement))
