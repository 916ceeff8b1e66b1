"""The /stats chart for the Mini App: an SVG drawn on the server from the same `Figures` as the chat's
/stats (it is the `render_chart` of the app's `MerchantStats`; the chat's is the matplotlib PNG).

Two panels, one bar per day of the report in each: orders placed, and revenue (money stays in minor units;
only labels format it). Plain SVG with presentation attributes only (the page's CSP allows no inline
style), no script, every text escaped; no words in it either, so it suits every language: the page puts
the translated headings above it. Small: a 30-day report is about 8 KB.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from domain.analytics import Figures
from domain.money import Money

__all__ = ["render_figures_svg"]

_WIDTH, _PANEL, _TOP, _BOTTOM, _LEFT = 360, 120, 14, 18, 46
_ORDERS_COLOUR = "#e76f51"
_REVENUE_COLOUR = "#2a9d8f"


def _panel(name: str, y0: int, values: list[int], top: str, titles: list[str], labels: list[str]) -> str:
    """One bar chart: a bar per value (its `<title>` the day and value), the scale's top, day labels."""
    inner = _WIDTH - _LEFT - 4
    slot = inner / max(len(values), 1)
    bar = max(slot * 0.7, 1.0)
    high = max(values, default=0) or 1
    base = y0 + _TOP + _PANEL
    parts = [
        f'<g data-series="{name}">',
        f'<line x1="{_LEFT}" y1="{base}" x2="{_WIDTH - 4}" y2="{base}" stroke="#c7c7cc"/>',
        f'<text x="{_LEFT - 4}" y="{y0 + _TOP + 4}" font-size="10" text-anchor="end" fill="#8a8a8e">'
        f"{escape(top)}</text>",
    ]
    for i, (value, title, label) in enumerate(zip(values, titles, labels, strict=True)):
        height = round(_PANEL * value / high, 1)
        x = round(_LEFT + i * slot + (slot - bar) / 2, 1)
        colour = _ORDERS_COLOUR if name == "orders" else _REVENUE_COLOUR
        parts.append(
            f'<rect class="bar" data-value="{value}" x="{x}" y="{round(base - height, 1)}" '
            f'width="{round(bar, 1)}" height="{height}" fill="{colour}"><title>{escape(title)}</title></rect>'
        )
        if label:
            parts.append(
                f'<text x="{round(x + bar / 2, 1)}" y="{base + 13}" font-size="10" text-anchor="middle" '
                f'fill="#8a8a8e">{escape(label)}</text>'
            )
    parts.append("</g>")
    return "".join(parts)


def render_figures_svg(figures: Figures) -> bytes:
    days = [day.day for day in figures.by_day]
    step = max(1, len(days) // 7)  # at most about eight day labels across a phone screen
    labels = [f"{d:%d.%m}" if i % step == 0 else "" for i, d in enumerate(days)]
    orders = [day.orders for day in figures.by_day]
    revenue = [day.revenue.amount_minor for day in figures.by_day]
    titles = [f"{day.day}: {day.orders} · {day.revenue.format()}" for day in figures.by_day]
    height = 2 * (_TOP + _PANEL + _BOTTOM)
    top_money = Money(max(revenue, default=0), figures.currency).format()
    panels = [
        _panel("orders", 0, orders, str(max(orders, default=0)), titles, labels),
        _panel("revenue", _TOP + _PANEL + _BOTTOM, revenue, top_money, titles, labels),
    ]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" width="100%" '
        f'role="img" data-days={quoteattr(str(len(days)))}>{"".join(panels)}</svg>'
    )
    return svg.encode()
