"""The desk's figures page: the chat's /stats answer itself (`MerchantStats`, the same figures, text and
period buttons), with the chart drawn as SVG (`bot.webapp.chart`) for the page to show inline."""

from __future__ import annotations

from typing import Any

from bot.webapp.context import MiniApp, app_language
from bot.webapp.events import incoming
from bot.webapp.init_data import WebAppUser
from domain.analytics import ReportPeriod
from handlers.actions.codec import StaleAction, unpack
from handlers.kernel.incoming import Kind
from handlers.merchant.stats.handler import MerchantStats, ShowStats

__all__ = ["stats_screen"]


async def stats_screen(
    shop: MiniApp, stats: MerchantStats, user: WebAppUser, period: ReportPeriod
) -> dict[str, Any]:
    event = incoming(user, Kind.COMMAND, text="stats", args=period.value)
    outcome = await stats(event, await app_language(shop, user))  # staff checked there too
    chart = next((r.photo_bytes for r in outcome.replies if r.photo_bytes is not None), b"")
    last = outcome.replies[-1]
    periods = []
    for row in last.buttons:
        for button in row:
            try:
                action = unpack(button.action or "")
            except StaleAction:
                continue
            if isinstance(action, ShowStats):
                periods.append({"label": button.label, "period": action.period})
    return {
        "title": outcome.replies[0].text if chart else "",
        "text": last.text,
        "chart": chart.decode(),
        "periods": periods,
    }
