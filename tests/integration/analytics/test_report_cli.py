"""`shopbot report` prints the figures as tables and writes the chart and the orders on request."""

from __future__ import annotations

import asyncio
import csv
import io

from click.testing import CliRunner

from bot.cli import app
from storage.database.engine import create_engine, dispose
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.integration.analytics.known_shop import load_known_shop

END = "2026-03-10T12:00:00"  # known_shop.NOW


def _load(url: str) -> None:
    async def load() -> None:
        engine = create_engine(url)
        try:
            await load_known_shop(SqlAlchemyUnitOfWorkFactory(engine))
        finally:
            await dispose(engine)

    asyncio.run(load())


def _run(url: str, *args: str):
    env = {"SHOPBOT_DATABASE_URL": url, "SHOPBOT_CURRENCY": "USD", "SHOPBOT_TIMEZONE": "UTC"}
    return CliRunner().invoke(app, ["report", *args], env=env)


def test_report_prints_the_weeks_figures_as_tables(database_url):
    _load(database_url)
    result = _run(database_url, "--days", "7", "--end", END)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Last 7 days, 04 Mar – 10 Mar 2026" in out
    for figure, value in [
        ("Orders placed", "6"),
        ("Revenue", "$105.00"),
        ("Average order value", "$35.00"),
        ("Payment success rate", "90.0 % (900 of 1,000)"),
        ("Median paid → shipped", "1 d"),
        ("Low-stock products", "2"),
    ]:
        line = next(line for line in out.splitlines() if figure in line)
        assert value in line, line
    assert "carts created" in out and "2026-03-08" in out and "$50.00" in out


def test_report_writes_the_chart_and_the_orders_csv(database_url, tmp_path):
    _load(database_url)
    chart, orders = tmp_path / "chart.png", tmp_path / "orders.csv"
    result = _run(database_url, "--days", "7", "--end", END, "--chart", str(chart), "--csv", str(orders))
    assert result.exit_code == 0, result.output
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and chart.stat().st_size > 20_000
    rows = list(csv.DictReader(io.StringIO(orders.read_text(encoding="utf-8"))))
    assert [row["number"] for row in rows] == ["ORD-A", "ORD-B", "ORD-C", "ORD-D", "ORD-E", "ORD-F"]
    assert "6 orders written" in result.output


def test_report_refuses_a_period_it_cannot_cover(database_url):
    result = _run(database_url, "--days", "0")
    assert result.exit_code != 0
    assert "days" in result.output
