"""Hand-built figures and export rows for the presentation tests (no database)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from domain.analytics import DayFigures, Figures, Funnel, OrderExportRow, ProductFigures, ReportWindow
from domain.money import Money
from domain.order_status import OrderStatus

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def sample_figures(days: int = 7, *, orders: bool = True) -> Figures:
    window = ReportWindow.last_days(days, NOW)
    per_day = tuple(
        DayFigures(day, (3 * i) % 7 if orders else 0, usd(((5 * i) % 9) * 12_345 if orders else 0))
        for i, day in enumerate(window.days)
    )
    return Figures(
        window=window,
        currency="USD",
        placed=120 if orders else 0,
        paid=100 if orders else 0,
        cancelled=5 if orders else 0,
        refunded=2 if orders else 0,
        revenue=usd(1_234_500 if orders else 0),
        revenue_orders=98 if orders else 0,
        payment_attempts=1000 if orders else 0,
        payments_succeeded=900 if orders else 0,
        funnel=Funnel(300, 200, 120, 100, 80) if orders else Funnel(0, 0, 0, 0, 0),
        top_by_units=(ProductFigures("MUG", "Mug", 40, usd(40_000)),) if orders else (),
        top_by_revenue=(ProductFigures("TEE", "T-shirt", 20, usd(50_000)),) if orders else (),
        low_stock=3,
        median_paid_to_shipped=timedelta(hours=20, minutes=5) if orders else None,
        by_day=per_day,
        by_status=((OrderStatus.DELIVERED, 80), (OrderStatus.PAID, 20), (OrderStatus.CANCELLED, 5))
        if orders
        else (),
    )


def export_row(number: str = "K7M-2QXD", **changes: object) -> OrderExportRow:
    values: dict[str, object] = {
        "number": number,
        "placed_at": datetime(2026, 3, 9, 8, 30, tzinfo=UTC),
        "paid_at": datetime(2026, 3, 9, 8, 35, 12, tzinfo=UTC),
        "shipped_at": None,
        "status": OrderStatus.PAID,
        "customer_id": 4242,
        "items": (("MUG", 2), ("TEE", 1)),
        "subtotal": usd(4_500),
        "shipping": usd(500),
        "total": usd(5_000),
        "payment_method": "stripe",
        "payment_ref": "cs_test_1",
        "carrier": "",
        "tracking_number": "",
    }
    values.update(changes)
    return OrderExportRow(**values)  # type: ignore[arg-type]


class SampleShopFigures:
    """`ShopFigures` answering the sample figures for whatever window is asked; remembers the windows."""

    def __init__(self) -> None:
        self.windows: list[ReportWindow] = []

    async def figures(self, window: ReportWindow) -> Figures:
        self.windows.append(window)
        return dataclasses.replace(sample_figures(len(window.day_starts)), window=window)

    async def order_rows(self, window: ReportWindow) -> list[OrderExportRow]:
        return []
