"""The daily report's aggregate on real SQLite and PostgreSQL, over the `orders` columns it reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import BigInteger, Column, MetaData, String, Table

from domain.money import Money
from storage.base import UtcDateTime
from storage.sales_stats import SqlAlchemySalesStats
from tests.integration.databases import KINDS, sessions_for

DAY = datetime(2026, 3, 10, tzinfo=UTC)
# The columns the query reads, as the storage module's `orders` table has them (a stand-in here).
ORDERS = Table(
    "orders",
    MetaData(),
    Column("number", String(16), primary_key=True),
    Column("placed_at", UtcDateTime),
    Column("paid_at", UtcDateTime),
    Column("status", String(24)),
    Column("currency", String(3)),
    Column("total_minor", BigInteger),
)


@pytest.fixture(params=KINDS)
async def sessions(request, tmp_path):
    async with sessions_for(request.param, tmp_path, tables=False) as sessions:
        async with sessions() as session, session.begin():
            await session.run_sync(lambda s: ORDERS.create(s.connection()))
        yield sessions


async def test_a_day_counts_its_orders_paid_revenue_and_unpaid_expiries_only(sessions):
    noon = DAY + timedelta(hours=12)
    rows = [
        ("A1", noon, noon, "accepted", "USD", 2500),
        ("A2", noon, noon, "paid", "USD", 1000),
        ("A3", noon, None, "payment_expired", "USD", 9900),
        ("A4", noon, None, "placed", "USD", 500),  # cash, not collected yet
        ("B1", DAY - timedelta(minutes=1), DAY, "paid", "USD", 7000),  # the day before
        ("C1", DAY + timedelta(days=1), None, "placed", "USD", 100),  # the day after
    ]
    async with sessions() as session, session.begin():
        await session.execute(
            ORDERS.insert(),
            [
                dict(
                    zip(
                        ("number", "placed_at", "paid_at", "status", "currency", "total_minor"),
                        r,
                        strict=True,
                    )
                )
                for r in rows
            ],
        )
    summary = await SqlAlchemySalesStats(sessions).summary(DAY, DAY + timedelta(days=1), "USD")
    assert (summary.orders, summary.paid, summary.payment_expired) == (4, 2, 1)
    assert summary.revenue == Money(3500, "USD")


async def test_a_quiet_day_is_all_zeros(sessions):
    summary = await SqlAlchemySalesStats(sessions).summary(DAY, DAY + timedelta(days=1), "USD")
    assert (summary.orders, summary.revenue, summary.paid, summary.payment_expired) == (
        0,
        Money(0, "USD"),
        0,
        0,
    )
