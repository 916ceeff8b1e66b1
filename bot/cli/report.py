"""`shopbot report`: the merchant's figures as terminal tables, plus the chart (PNG) and orders (CSV).

shopbot report --days 30 --chart report.png --csv orders.csv
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import click

from bot.cli.output import Table
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
    table = Table(period_title(figures), ("figure", "value"), right=frozenset({"value"}), header=False)
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
    table = Table("Funnel", ("step", "count"), right=frozenset({"count"}))
    for step, count in figures.funnel.steps():
        table.add_row(step, f"{count:,}")
    return table


def _products(title: str, products: tuple[ProductFigures, ...]) -> Table:
    table = Table(title, ("sku", "product", "units", "revenue"), right=frozenset({"units", "revenue"}))
    for product in products:
        table.add_row(product.sku, product.name, f"{product.units:,}", str(product.revenue))
    return table


def _per_day(figures: Figures) -> Table:
    table = Table("Per day", ("day", "orders", "revenue"), right=frozenset({"orders", "revenue"}))
    for day in figures.by_day:
        table.add_row(day.day.isoformat(), f"{day.orders:,}", str(day.revenue))
    return table


def _by_status(figures: Figures) -> Table:
    table = Table("Orders by status", ("status", "orders"), right=frozenset({"orders"}))
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


_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.option(
    "--days",
    type=click.IntRange(1, MAX_REPORT_DAYS),
    default=30,
    show_default=True,
    help="Today and the days before it.",
)
@click.option("--chart", type=_FILE, help="Write the chart here (PNG).")
@click.option("--csv", type=_FILE, help="Write the period's orders here (CSV).")
@click.option(
    "--end",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S"]),
    help="Report up to this instant, UTC (ISO 8601); default now.",
)
def report(days: int, chart: Path | None, csv: Path | None, end: datetime | None) -> None:
    """Print the shop's figures for the last DAYS days; optionally write the chart and the orders."""
    settings = load_settings()
    require_database(settings.database_url)
    now = end.replace(tzinfo=UTC) if end else UtcClock().now()
    window = ReportWindow.last_days(days, now, settings.timezone)
    figures, rows = asyncio.run(_gather(settings, window, export=csv is not None))
    for table in (
        _summary(figures),
        _funnel(figures),
        _products("Top products by units", figures.top_by_units),
        _products("Top products by revenue", figures.top_by_revenue),
        _by_status(figures),
        _per_day(figures),
    ):
        table.echo()
    if chart is not None:
        from bot.figures_chart import render_figures_png  # matplotlib only when a chart is asked for

        chart.write_bytes(render_figures_png(figures))
        click.echo(f"chart written to {chart}")
    if csv is not None:
        csv.write_bytes(orders_csv(rows))
        click.echo(f"{len(rows):,} orders written to {csv}")
