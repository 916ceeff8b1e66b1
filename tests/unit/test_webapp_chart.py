"""The Mini App's /stats chart: one bar per day of the report, heights from the figures, plain SVG only."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from bot.webapp.chart import render_figures_svg
from domain.analytics import DayFigures, Figures, Funnel, ReportWindow
from domain.money import Money

SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)


def _figures(days: int, orders: dict[int, tuple[int, int]]) -> Figures:
    """`orders`: day index -> (orders placed, revenue in cents)."""
    window = ReportWindow.last_days(days, NOW)
    by_day = tuple(
        DayFigures(day, orders.get(i, (0, 0))[0], Money(orders.get(i, (0, 0))[1], "USD"))
        for i, day in enumerate(window.days)
    )
    return Figures(
        window=window,
        currency="USD",
        placed=sum(n for n, _ in orders.values()),
        paid=0,
        cancelled=0,
        refunded=0,
        revenue=Money(sum(c for _, c in orders.values()), "USD"),
        revenue_orders=0,
        payment_attempts=0,
        payments_succeeded=0,
        funnel=Funnel(0, 0, 0, 0, 0),
        top_by_units=(),
        top_by_revenue=(),
        low_stock=0,
        median_paid_to_shipped=None,
        by_day=by_day,
        by_status=(),
    )


def _bars(svg: bytes, series: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    group = next(g for g in root.iter(f"{SVG}g") if g.get("data-series") == series)
    return [rect for rect in group.iter(f"{SVG}rect") if rect.get("class") == "bar"]


def test_one_bar_per_day_as_high_as_that_days_figure():
    svg = render_figures_svg(_figures(30, {0: (1, 1250), 29: (4, 5000)}))
    orders, revenue = _bars(svg, "orders"), _bars(svg, "revenue")
    assert len(orders) == len(revenue) == 30
    assert [b.get("data-value") for b in orders][:2] == ["1", "0"]
    assert orders[-1].get("data-value") == "4"
    assert float(orders[-1].get("height")) == 4 * float(orders[0].get("height"))
    assert float(revenue[-1].get("height")) == 4 * float(revenue[0].get("height"))
    assert orders[-1].find(f"{SVG}title").text == "2026-12-05: 4 · $50.00"
    assert len(svg) < 16_000


def test_a_day_without_orders_draws_flat_bars_and_no_script_or_style():
    svg = render_figures_svg(_figures(1, {}))
    assert [b.get("height") for b in _bars(svg, "orders")] == ["0.0"]
    root = ET.fromstring(svg)
    assert not [e for e in root.iter() if e.tag in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")]
    assert not [e for e in root.iter() if "style" in e.attrib or any(a.startswith("on") for a in e.attrib)]
