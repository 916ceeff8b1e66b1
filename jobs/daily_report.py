"""The daily report to the merchant chat: yesterday's orders, revenue, payment success, low stock.

"Yesterday" is the shop's calendar day (Settings.timezone). The report's dedupe key is the day, so a
second run the same day (or a second worker) sends nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.clock import Clock
from domain.ports import SalesStats, UnitOfWorkFactory
from jobs.notices import daily_report

__all__ = ["DailyReport", "previous_day"]


def previous_day(now: datetime, zone: ZoneInfo) -> tuple[str, datetime, datetime]:
    """The shop's previous calendar day as (label, start UTC, end UTC)."""
    today = now.astimezone(zone).date()
    day = today - timedelta(days=1)
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(today, time(0), zone).astimezone(UTC)
    return day.isoformat(), start, end


@dataclass
class DailyReport:
    uow_factory: UnitOfWorkFactory
    stats: SalesStats
    clock: Clock
    merchant_chat_id: int | None
    currency: str
    zone: ZoneInfo = ZoneInfo("UTC")

    async def run(self) -> bool:
        if self.merchant_chat_id is None:
            return False
        now = self.clock.now()
        label, start, end = previous_day(now, self.zone)
        summary = await self.stats.summary(start, end, self.currency)
        async with self.uow_factory() as uow:
            levels, _ = await uow.stocks.list_levels(offset=0, limit=100)  # low-stock first
            low = sum(1 for level in levels if level.is_low)
            await uow.outbox.add(daily_report(label, summary, low, self.merchant_chat_id, now))
            await uow.commit()
        return True
