"""/stats and /export wired from settings over a real database: what a staff member and a stranger see."""

from __future__ import annotations

import csv
import io

from bot.settings import Settings
from bot.wiring.stats import build_merchant_stats
from domain.clock import FixedClock
from handlers.kernel.incoming import Incoming, Kind
from handlers.merchant.stats.handler import STAFF_ONLY
from tests.integration.analytics.known_shop import NOW, load_known_shop

STAFF, STRANGER, GROUP = 11, 99, -100500


def command(name: str, args: str = "", *, user: int = STAFF, private: bool = False) -> Incoming:
    return Incoming(Kind.COMMAND, user_id=user, chat_id=user if private else GROUP, text=name, args=args,
                    private=private)  # fmt: skip


async def test_staff_see_the_weeks_figures_and_a_real_chart(uow_factory):
    await load_known_shop(uow_factory)
    settings = Settings(merchant_user_ids=[STAFF], currency="USD", timezone="UTC")
    stats = build_merchant_stats(settings, uow_factory.engine, FixedClock(NOW))
    chart, text = (await stats(command("stats"))).replies
    assert chart.photo_bytes.startswith(b"\x89PNG\r\n\x1a\n") and len(chart.photo_bytes) > 20_000
    assert "Orders: 6 placed · 4 paid · 1 cancelled · 1 refunded" in text.text
    assert "Revenue: $105.00 · average order $35.00" in text.text
    assert "Payment success: 90.0 % (900 of 1,000 attempts)" in text.text
    assert (
        "Funnel: 10 carts created → 8 checkouts started → 6 orders placed → 4 paid → 2 delivered" in text.text
    )
    assert "1. Cap (CAP): 3 × · $45.00" in text.text


async def test_a_stranger_gets_neither_figures_nor_the_orders(uow_factory):
    await load_known_shop(uow_factory)
    settings = Settings(merchant_user_ids=[STAFF], currency="USD", timezone="UTC")
    stats = build_merchant_stats(settings, uow_factory.engine, FixedClock(NOW))
    for event in (command("stats", user=STRANGER), command("export", "7d", user=STRANGER, private=True)):
        assert [(r.text, r.photo_bytes, r.document) for r in (await stats(event)).replies] == [
            (STAFF_ONLY, None, None)
        ]


async def test_staff_export_lists_the_weeks_orders_with_formulas_neutralised(uow_factory):
    await load_known_shop(uow_factory)
    settings = Settings(merchant_user_ids=[STAFF], currency="USD", timezone="UTC")
    stats = build_merchant_stats(settings, uow_factory.engine, FixedClock(NOW))
    (reply,) = (await stats(command("export", "7d", private=True))).replies
    rows = list(csv.DictReader(io.StringIO(reply.document.content.decode("utf-8"))))
    assert [r["number"] for r in rows] == ["ORD-A", "ORD-B", "ORD-C", "ORD-D", "ORD-E", "ORD-F"]
    cash = rows[4]
    assert (cash["payment_method"], cash["total"], cash["carrier"]) == ("cash", "50.00", "'=HYPERLINK(1)")
    assert cash["paid_at"] == "2026-03-09T14:00:00+00:00" and cash["items"] == "CAP x3"
