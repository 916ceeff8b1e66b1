"""The merchant's report chart: revenue and orders per day, and orders by status, as one PNG.

A rendering adapter (matplotlib, Agg backend, no display needed), kept out of handlers/ and domain/:
handlers get `render_figures_png` injected. It uses matplotlib's object API (`Figure`, never pyplot), so
renders share no global state and may run in a worker thread. Sized and lettered for a phone screen.
Money stays in integer minor units; only the tick labels format it, in the shop currency.
Titles and axis labels are English for every staff member: matplotlib's bundled fonts have no CJK glyphs,
so Chinese labels would draw as empty boxes; the /stats text beside the chart is translated.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from domain.analytics import Figures
from domain.money import Money

__all__ = ["render_figures_png"]

_REVENUE_COLOUR = "#2a9d8f"
_ORDERS_COLOUR = "#e76f51"
_STATUS_COLOUR = "#264653"
_FONT = 18


def _money_ticks(currency: str) -> FuncFormatter:
    def label(value: float, _position: int) -> str:
        return Money(round(value), currency).format().removesuffix(".00")

    return FuncFormatter(label)


def _day_labels(figures: Figures) -> list[str]:
    days = figures.window.days
    step = max(1, len(days) // 7)  # at most about eight labels across a phone screen
    return [day.strftime("%d %b") if i % step == 0 else "" for i, day in enumerate(days)]


def _per_day(figure: Figure, figures: Figures) -> None:
    ax = figure.add_subplot(2, 1, 1)
    xs = list(range(len(figures.by_day)))
    revenue = [day.revenue.amount_minor for day in figures.by_day]
    orders = [day.orders for day in figures.by_day]
    ax.bar(xs, revenue, color=_REVENUE_COLOUR, label="Revenue")
    ax.set_title(f"Revenue and orders per day ({figures.currency})", fontsize=_FONT + 2, pad=14)
    ax.set_ylabel(f"Revenue, {figures.currency}", fontsize=_FONT, color=_REVENUE_COLOUR)
    ax.yaxis.set_major_formatter(_money_ticks(figures.currency))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.set_ylim(bottom=0, top=max(revenue, default=0) * 1.15 or 100)
    ax.set_xticks(xs, _day_labels(figures), rotation=45, ha="right")
    ax.tick_params(labelsize=_FONT - 2)
    ax.grid(axis="y", alpha=0.3)
    count_ax = ax.twinx()
    count_ax.plot(xs, orders, color=_ORDERS_COLOUR, marker="o", linewidth=3, markersize=8)
    count_ax.set_ylabel("Orders", fontsize=_FONT, color=_ORDERS_COLOUR)
    count_ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    count_ax.set_ylim(bottom=0, top=max(orders, default=0) * 1.15 or 1)
    count_ax.tick_params(labelsize=_FONT - 2)
    if len(xs) == 1:
        ax.set_xlim(-1, 1)


def _by_status(figure: Figure, figures: Figures) -> None:
    ax = figure.add_subplot(2, 1, 2)
    ax.set_title("Orders by status", fontsize=_FONT + 2, pad=14)
    if not figures.by_status:
        ax.text(0.5, 0.5, "No orders in this period", ha="center", va="center", fontsize=_FONT)
        ax.set_axis_off()
        return
    rows = list(reversed(figures.by_status))  # most frequent on top
    labels = [str(status).replace("_", " ") for status, _ in rows]
    counts = [count for _, count in rows]
    bars = ax.barh(labels, counts, color=_STATUS_COLOUR)
    ax.bar_label(bars, padding=6, fontsize=_FONT - 2)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.set_xlim(0, max(counts) * 1.2)
    ax.tick_params(labelsize=_FONT - 2)
    ax.grid(axis="x", alpha=0.3)


def render_figures_png(figures: Figures) -> bytes:
    """A portrait PNG (about 1000 x 1300 px) of the report's per-day series and status breakdown."""
    figure = Figure(figsize=(7.5, 10), dpi=130, layout="constrained")
    FigureCanvasAgg(figure)
    _per_day(figure, figures)
    _by_status(figure, figures)
    start, last = figures.window.days[0], figures.window.days[-1]
    span = start.strftime("%d %b %Y") if start == last else f"{start:%d %b} - {last:%d %b %Y}"
    figure.suptitle(span, fontsize=_FONT, color="#555555")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
