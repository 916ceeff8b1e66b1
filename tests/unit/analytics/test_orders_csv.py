"""The orders CSV a merchant opens in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from domain.money import Money
from domain.order_status import OrderStatus
from handlers.merchant.stats.orders_csv import CSV_COLUMNS, orders_csv
from tests.unit.analytics.sample import export_row


def read(content: bytes) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8")))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    return list(reader)


def test_columns_name_everything_the_books_need_and_no_address_or_phone():
    header = orders_csv([]).decode("utf-8").splitlines()[0]
    assert header == (
        "number,placed_at,paid_at,shipped_at,status,customer_id,items,currency,"
        "subtotal,discount,shipping,total,payment_method,payment_ref,carrier,tracking_number,promo_code"
    )


def test_an_order_reads_back_with_exact_amounts_and_utc_instants():
    shipped = export_row(
        status=OrderStatus.SHIPPED,
        shipped_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        carrier="DHL",
        tracking_number="JD014600006281",
    )
    (row,) = read(orders_csv([shipped]))
    assert row == {
        "number": "K7M-2QXD",
        "placed_at": "2026-03-09T08:30:00+00:00",
        "paid_at": "2026-03-09T08:35:12+00:00",
        "shipped_at": "2026-03-10T09:00:00+00:00",
        "status": "shipped",
        "customer_id": "4242",
        "items": "MUG x2; TEE x1",
        "currency": "USD",
        "subtotal": "45.00",
        "discount": "0.00",
        "shipping": "5.00",
        "total": "50.00",
        "payment_method": "stripe",
        "payment_ref": "cs_test_1",
        "carrier": "DHL",
        "tracking_number": "JD014600006281",
        "promo_code": "",
    }


def test_unpaid_orders_leave_dates_empty_and_zero_decimal_currencies_have_no_cents():
    yen = export_row(
        paid_at=None, subtotal=Money(1200, "JPY"), shipping=Money(0, "JPY"), total=Money(1200, "JPY")
    )
    (row,) = read(orders_csv([yen]))
    assert (row["paid_at"], row["shipped_at"], row["currency"], row["total"]) == ("", "", "JPY", "1200")


def test_text_a_spreadsheet_would_run_as_a_formula_is_neutralised():
    (row,) = read(orders_csv([export_row(carrier='=HYPERLINK("http://x")', payment_ref="+1")]))
    assert row["carrier"] == '\'=HYPERLINK("http://x")' and row["payment_ref"] == "'+1"


def test_no_orders_is_a_header_only_file():
    assert orders_csv([]).decode("utf-8") == ",".join(CSV_COLUMNS) + "\r\n"


def test_a_discounted_order_shows_its_discount_and_code():
    coded = export_row(discount=Money(450, "USD"), promo_code="SPRING10", total=Money(4550, "USD"))
    (row,) = read(orders_csv([coded]))
    assert (row["subtotal"], row["discount"], row["shipping"], row["total"]) == (
        "45.00",
        "4.50",
        "5.00",
        "45.50",
    )
    assert row["promo_code"] == "SPRING10"
