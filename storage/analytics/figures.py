"""`SqlAlchemyShopFigures`: the merchant's figures as a handful of aggregate queries.

The database counts and sums (storage.analytics.queries); no order is loaded into Python. Every order
figure is about the orders placed in the window; shipping times are about the orders shipped in it,
payment attempts and funnel steps about those made in it; low stock is a snapshot of now. The median is
`percentile_cont` on PostgreSQL and a `row_number()` window over the sorted durations on SQLite. All reads
run in one read-only transaction (one snapshot; no write lock on SQLite).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

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
from storage.analytics.order_export import order_rows
from storage.analytics.queries import FigureQueries
from storage.database.engine import WRITE_OPTION

__all__ = ["SqlAlchemyShopFigures"]


class SqlAlchemyShopFigures:
    """Implements `domain.ports.ShopFigures` over an engine; `top` products are listed per ranking."""

    def __init__(self, engine: AsyncEngine, currency: str, *, top: int = 5) -> None:
        self._engine = engine
        self._currency = currency
        self._top = top

    def _money(self, minor: Any) -> Money:
        return Money(int(minor), self._currency)  # PostgreSQL sums are Decimal

    @staticmethod
    async def _read_only(conn: AsyncConnection) -> None:
        await conn.execution_options(**{WRITE_OPTION: False})
        if conn.dialect.name == "postgresql":
            # These queries run in milliseconds; compiling them (JIT) would take longer than running them.
            await conn.exec_driver_sql("SET LOCAL jit = off")

    async def figures(self, window: ReportWindow) -> Figures:
        queries = FigureQueries(window, self._currency)
        async with self._engine.connect() as conn:
            await self._read_only(conn)
            totals = {
                k: int(v) for k, v in (await conn.execute(queries.order_totals())).one()._mapping.items()
            }
            attempts, succeeded = (await conn.execute(queries.payment_attempts())).one()
            funnel_rows = (await conn.execute(queries.funnel_steps())).all()
            steps: dict[Any, Any] = {step: n for step, n in funnel_rows}
            top_by_units, top_by_revenue = await self._top_products(conn, queries)
            figures = Figures(
                window=window,
                currency=self._currency,
                placed=totals["placed"],
                paid=totals["paid"],
                cancelled=totals["cancelled"],
                refunded=totals["refunded"],
                revenue=self._money(totals["revenue"]),
                revenue_orders=totals["revenue_orders"],
                discounts=self._money(totals["discounts"]) if totals["discounted_orders"] else None,
                discounted_orders=totals["discounted_orders"],
                payment_attempts=int(attempts),
                payments_succeeded=int(succeeded),
                funnel=Funnel(
                    carts_created=steps.get(FunnelStep.CART_CREATED.value, 0),
                    checkouts_started=steps.get(FunnelStep.CHECKOUT_STARTED.value, 0),
                    orders_placed=totals["placed"],
                    paid=totals["paid"],
                    delivered=totals["delivered"],
                ),
                top_by_units=top_by_units,
                top_by_revenue=top_by_revenue,
                low_stock=(await conn.execute(queries.low_stock())).scalar_one(),
                median_paid_to_shipped=await self._median(conn, queries),
                by_day=await self._by_day(conn, queries),
                by_status=tuple(
                    (OrderStatus(status), int(n)) for status, n in await conn.execute(queries.by_status())
                ),
            )
            await conn.rollback()
        return figures

    async def order_rows(self, window: ReportWindow) -> list[OrderExportRow]:
        async with self._engine.connect() as conn:
            await self._read_only(conn)
            rows = await order_rows(conn, window)
            await conn.rollback()
        return rows

    async def _top_products(
        self, conn: AsyncConnection, queries: FigureQueries
    ) -> tuple[tuple[ProductFigures, ...], tuple[ProductFigures, ...]]:
        rankings: dict[str, list[ProductFigures]] = {"units": [], "revenue": []}
        for ranking, sku, name, units, revenue in await conn.execute(queries.top_products(self._top)):
            rankings[ranking].append(ProductFigures(sku, name, int(units), self._money(revenue)))
        # The union keeps no order: rank again (a handful of rows) with the SQL's own keys.
        by_units = sorted(rankings["units"], key=lambda p: (-p.units, -p.revenue.amount_minor, p.sku))
        by_revenue = sorted(rankings["revenue"], key=lambda p: (-p.revenue.amount_minor, -p.units, p.sku))
        return tuple(by_units), tuple(by_revenue)

    @staticmethod
    async def _median(conn: AsyncConnection, queries: FigureQueries) -> timedelta | None:
        median = (await conn.execute(queries.median_paid_to_shipped(conn.dialect.name))).scalar_one()
        return None if median is None else timedelta(seconds=round(float(median)))

    async def _by_day(self, conn: AsyncConnection, queries: FigureQueries) -> tuple[DayFigures, ...]:
        found = {int(day): (int(n), revenue) for day, n, revenue in await conn.execute(queries.by_day())}
        return tuple(
            DayFigures(day, found.get(index, (0, 0))[0], self._money(found.get(index, (0, 0))[1]))
            for index, day in enumerate(queries.window.days)
        )
