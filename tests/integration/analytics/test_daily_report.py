"""The daily report on a real database reads the figures /stats reads (see known_shop)."""

from __future__ import annotations

from sqlalchemy import select

from domain.clock import FixedClock
from jobs.daily_report import DailyReport
from storage.analytics.figures import SqlAlchemyShopFigures
from storage.queues.outbox_table import OutboxRow
from tests.integration.analytics.known_shop import at, load_known_shop

MERCHANT = -100500


async def _texts_to(uow_factory, chat_id: int) -> list[str]:
    async with uow_factory(write=False) as uow:
        payloads = await uow.session.scalars(select(OutboxRow.payload).where(OutboxRow.chat_id == chat_id))
        return [payload["text"] for payload in payloads]


async def test_the_report_for_5_march_has_that_days_orders_revenue_and_payment_success(uow_factory):
    await load_known_shop(uow_factory)
    figures = SqlAlchemyShopFigures(uow_factory.engine, "USD")
    job = DailyReport(uow_factory, figures, FixedClock(at(6, 9)), MERCHANT)

    assert await job.run()

    [report] = await _texts_to(uow_factory, MERCHANT)
    assert report.startswith("📊 Yesterday, 05 Mar 2026")
    assert "Orders: 2 placed · 2 paid · 0 cancelled · 1 refunded" in report  # B, and C refunded
    assert "Revenue: $30.00" in report  # B only: C's money went back
    assert "Payment success: 100.0 % (160 of 160 attempts)" in report  # an attempt every 9 minutes
