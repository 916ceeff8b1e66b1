"""The daily report to the merchant chat: yesterday's figures, the same numbers and lines as /stats.

"Yesterday" is the shop's calendar day (Settings.timezone). The figures come from the `ShopFigures` port
that /stats and `shopbot report` read, so revenue, payment success (successful payment attempts of all
attempts) and low stock agree wherever the merchant looks. The report's dedupe key is the day, so a
second run the same day (or a second worker) sends nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.analytics import ReportWindow
from domain.clock import Clock
from domain.ports import ShopFigures, UnitOfWorkFactory
from handlers.kernel import outbox
from jobs.notices import daily_report

__all__ = ["DailyReport", "previous_day"]


def previous_day(now: datetime, zone: str) -> ReportWindow:
    """The shop's previous calendar day, [local midnight, next local midnight) in UTC."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    start = datetime.combine(today - timedelta(days=1), time(0), tz).astimezone(now.tzinfo)
    end = datetime.combine(today, time(0), tz).astimezone(now.tzinfo)
    return ReportWindow(start=start, end=end, day_starts=(start,), zone=zone)


@dataclass
class DailyReport:
    uow_factory: UnitOfWorkFactory
    figures: ShopFigures
    clock: Clock
    merchant_chat_id: int | None
    zone: str = "UTC"

    async def run(self) -> bool:
        if self.merchant_chat_id is None:
            return False
        now = self.clock.now()
        figures = await self.figures.figures(previous_day(now, self.zone))
        async with self.uow_factory() as uow:
            await outbox.write(uow, daily_report(figures, self.merchant_chat_id, now))
            await uow.commit()
        return True
