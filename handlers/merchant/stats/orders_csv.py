"""The period's orders as CSV for the merchant's books and spreadsheets.

Amounts are decimal strings in the order's currency ("12.50"), instants ISO 8601 in UTC. Text a person
typed (carrier names) that a spreadsheet would run as a formula is neutralised with a leading quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from domain.analytics import OrderExportRow
from domain.money import Money

__all__ = ["CSV_COLUMNS", "orders_csv"]

# Column names stay English whatever the staff member's language: CSV is a machine format that
# spreadsheets, scripts and accountants' imports key on, so the header must not change with who asked.
CSV_COLUMNS = (
    "number",
    "placed_at",
    "paid_at",
    "shipped_at",
    "status",
    "customer_id",
    "items",
    "currency",
    "subtotal",
    "discount",
    "shipping",
    "total",
    "payment_method",
    "payment_ref",
    "carrier",
    "tracking_number",
    "promo_code",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _instant(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _cells(row: OrderExportRow) -> list[str]:
    items = "; ".join(f"{sku} x{qty}" for sku, qty in row.items)
    return [
        row.number,
        _instant(row.placed_at),
        _instant(row.paid_at),
        _instant(row.shipped_at),
        str(row.status),
        str(row.customer_id),
        _text(items),
        row.total.currency,
        row.subtotal.format_plain(),
        (row.discount or Money.zero(row.total.currency)).format_plain(),
        row.shipping.format_plain(),
        row.total.format_plain(),
        row.payment_method,
        _text(row.payment_ref),
        _text(row.carrier),
        _text(row.tracking_number),
        row.promo_code,
    ]


def orders_csv(rows: Iterable[OrderExportRow]) -> bytes:
    """UTF-8 CSV with a header row and one row per order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_cells(row) for row in rows)
    return buffer.getvalue().encode("utf-8")
