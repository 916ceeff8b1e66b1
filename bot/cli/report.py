"""`shopbot report`: the merchant's figures as terminal tables, plus the chart (PNG) and orders (CSV).

shopbot report --days 30 --chart report.png --csv orders.csv
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.preflight import load_settings, require_database
from bot.clock import UtcClock
from bot.settings import Settings
from domain.analytics import MAX_REPORT_DAYS, Figures, OrderExportRow, ProductFigures, ReportWindow
from handlers.merchant.stats.orders_csv import orders_csv
from handlers.merchant.stats.text import duration_text, period_title, rate_text
from storage.analytics.figures import SqlAlchemyShopFigures
from storage.database.engine import create_engine, dispose

__all__ = ["report"]


def _summary(figures: Figures) -> Table:
    table = Table(title=period_title(figures), show_header=False, title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("Orders placed", f"{figures.placed:,}"),
        ("Paid", f"{figures.paid:,}"),
        ("Cancelled or rejected", f"{figures.cancelled:,}"),
        ("Refunded", f"{figures.refunded:,}"),
        ("Revenue", str(figures.revenue)),
        ("Average order value", str(figures.average_order_value)),
        (
            "Payment success rate",
            f"{rate_text(figures.payment_success_rate)} "
            f"({figures.payments_succeeded:,} of {figures.payment_attempts:,})",
        ),
        ("Median paid → shipped", duration_text(figures.median_paid_to_shipped)),
        ("Low-stock products", f"{figures.low_stock:,}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def _funnel(figures: Figures) -> Table:
    table = Table(title="Funnel", title_justify="left")
    table.add_column("step")
    table.add_column("count", justify="right")
    for step, count in figures.funnel.steps():
        table.add_row(step, f"{count:,}")
    return table


def _products(title: str, products: tuple[ProductFigures, ...]) -> Table:
    table = Table(title=title, title_justify="left")
    for name, justify in (("sku", "left"), ("product", "left"), ("units", "right"), ("revenue", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for product in products:
        table.add_row(product.sku, product.name, f"{product.units:,}", str(product.revenue))
    return table


def _per_day(figures: Figures) -> Table:
    table = Table(title="Per day", title_justify="left")
    for name, justify in (("day", "left"), ("orders", "right"), ("revenue", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for day in figures.by_day:
        table.add_row(day.day.isoformat(), f"{day.orders:,}", str(day.revenue))
    return table


def _by_status(figures: Figures) -> Table:
    table = Table(title="Orders by status", title_justify="left")
    table.add_column("status")
    table.add_column("orders", justify="right")
    for status, count in figures.by_status:
        table.add_row(str(status), f"{count:,}")
    return table


async def _gather(
    settings: Settings, window: ReportWindow, export: bool
) -> tuple[Figures, list[OrderExportRow]]:
    engine = create_engine(settings.database_url)
    try:
        shop = SqlAlchemyShopFigures(engine, settings.currency)
        figures = await shop.figures(window)
        rows = await shop.order_rows(window) if export else []
        return figures, rows
    finally:
        await dispose(engine)


def report(
    days: int = typer.Option(30, min=1, max=MAX_REPORT_DAYS, help="Today and the days before it."),
    chart: Path | None = typer.Option(None, help="Write the chart here (PNG)."),
    csv: Path | None = typer.Option(None, help="Write the period's orders here (CSV)."),
    end: datetime | None = typer.Option(
        None, help="Report up to this instant, UTC (ISO 8601); default now.", formats=["%Y-%m-%dT%H:%M:%S"]
    ),
) -> None:
    """Print the shop's figures for the last DAYS days; optionally write the chart and the orders."""
    settings = load_settings()
    require_database(settings.database_url)
    now = end.replace(tzinfo=UTC) if end else UtcClock().now()
    window = ReportWindow.last_days(days, now, settings.timezone)
    figures, rows = asyncio.run(_gather(settings, window, export=csv is not None))
    console = Console()
    for table in (
        _summary(figures),
        _funnel(figures),
        _products("Top products by units", figures.top_by_units),
        _products("Top products by revenue", figures.top_by_revenue),
        _by_status(figures),
        _per_day(figures),
    ):
        console.print(table)
    if chart is not None:
        from bot.figures_chart import render_figures_png  # matplotlib only when a chart is asked for

        chart.write_bytes(render_figures_png(figures))
        console.print(f"chart written to {chart}")
    if csv is not None:
        csv.write_bytes(orders_csv(rows))
        console.print(f"{len(rows):,} orders written to {csv}")
