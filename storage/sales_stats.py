"""`SalesStats` over SQLAlchemy: one aggregate query on the `orders` table for the daily report.

It names only the `orders` columns it reads (Core `table()`), so it works against the storage module's
table definition without importing it: placed_at, paid_at, status, currency, total_minor.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, and_, case, column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.money import Money
from domain.order_status import OrderStatus
from domain.ports import SalesSummary
from storage.base import UtcDateTime

__all__ = ["SqlAlchemySalesStats"]

_orders = table(
    "orders",
    column("placed_at", UtcDateTime),
    column("paid_at", UtcDateTime),
    column("status", String),
    column("currency", String),
    column("total_minor", BigInteger),
)


class SqlAlchemySalesStats:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def summary(self, since: datetime, until: datetime, currency: str) -> SalesSummary:
        o = _orders.c
        paid = o.paid_at.is_not(None)
        query = select(
            func.count(),
            func.coalesce(func.sum(case((and_(paid, o.currency == currency), o.total_minor), else_=0)), 0),
            func.coalesce(func.sum(case((paid, 1), else_=0)), 0),
            func.coalesce(func.sum(case((o.status == OrderStatus.PAYMENT_EXPIRED.value, 1), else_=0)), 0),
        ).where(o.placed_at >= since, o.placed_at < until)
        async with self._sessions() as session:
            orders, revenue, paid_count, expired = (await session.execute(query)).one()
        return SalesSummary(int(orders), Money(int(revenue), currency), int(paid_count), int(expired))
