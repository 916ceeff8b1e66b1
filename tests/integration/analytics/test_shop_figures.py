"""The merchant's figures, computed by the database, on a shop whose answers are known (see known_shop)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain.analytics import ReportWindow
from domain.money import Money
from domain.order_status import OrderStatus
from storage.analytics.figures import SqlAlchemyShopFigures
from tests.integration.analytics.known_shop import NOW, at, load_known_shop

WEEK = ReportWindow.last_days(7, NOW)


def usd(minor: int) -> Money:
    return Money(minor, "USD")


async def test_order_counts_revenue_and_average_of_the_week(uow_factory):
    await load_known_shop(uow_factory)
    figures = await SqlAlchemyShopFigures(uow_factory.engine, "USD").figures(WEEK)
    assert (figures.placed, figures.paid, figures.cancelled, figures.refunded) == (6, 4, 1, 1)
    assert figures.revenue == usd(10_500)
    assert figures.revenue_orders == 3
    assert figures.average_order_value == usd(3_500)


async def test_payment_success_rate_is_collected_attempts_over_all_attempts(uow_factory):
    await load_known_shop(uow_factory)
    figures = await SqlAlchemyShopFigures(uow_factory.engine, "USD").figures(WEEK)
    assert (figures.payments_succeeded, figures.payment_attempts) == (900, 1000)
    assert figures.payment_success_rate == Decimal("90.0")


async def test_funnel_runs_from_carts_to_delivered(uow_factory):
    await load_known_shop(uow_factory)
    figures = await SqlAlchemyShopFigures(uow_factory.engine, "USD").figures(WEEK)
    assert figures.funnel.steps() == (
        ("carts created", 10),
        ("checkouts started", 8),
        ("orders placed", 6),
        ("paid", 4),
        ("delivered", 2),
    )


async def test_top_products_rank_paid_units_and_revenue_of_unrefunded_orders(uow_factory):
    await load_known_shop(uow_factory)
    figures = await SqlAlchemyShopFigures(uow_factory.engine, "USD").figures(WEEK)
    assert [(p.sku, p.name, p.units, p.revenue) for p in figures.top_by_units] == [
        ("CAP", "Cap", 3, usd(4_500)),
        ("MUG", "Mug", 2, usd(2_000)),
        ("TEE", "T-shirt", 1, usd(2_500)),
    ]
    assert [p.sku for p in figures.top_by_revenue] == ["CAP", "TEE", "MUG"]


async def test_top_list_is_cut_to_the_asked_length(uow_factory):
    await load_known_shop(uow_factory)
    figures = await SqlAlchemyShopFigures(uow_factory.engine, "USD", top=1).figures(WEEK)
    assert [p.sku for p in figures.top_by_units] == ["CAP"]


async def test_low_stock_counts_products_still_sold_below_their_safety_stock(uow_factory):
    await load_known_shop(uow_factory)
    figures = await SqlAlchemyShopFigures(uow_factory.engine, "USD").figures(WEEK)
    assert figures.low_stock == 2


async def test_median_paid_to_shipped_covers_orders_shipped_in_the_window(uow_factory):
    await load_known_shop(uow_factory)
    shop = SqlAlchemyShopFigures(uow_factory.engine, "USD")
    assert (await shop.figures(WEEK)).median_paid_to_shipped == timedelta(hours=24)
    # 4 March alone: A (2 h) and G (72 h) were shipped that day; an even count averages the middle two.
    fourth = ReportWindow(start=at(4, 0), end=at(5, 0), day_starts=(at(4, 0),))
    assert (await shop.figures(fourth)).median_paid_to_shipped == timedelta(hours=37)


async def test_orders_and_revenue_per_local_day_and_by_status(uow_factory):
    await load_known_shop(uow_factory)
    figures = await SqlAlchemyShopFigures(uow_factory.engine, "USD").figures(WEEK)
    assert [(d.day, d.orders, d.revenue.amount_minor) for d in figures.by_day] == [
        (date(2026, 3, 4), 1, 2_500),
        (date(2026, 3, 5), 2, 3_000),
        (date(2026, 3, 6), 0, 0),
        (date(2026, 3, 7), 1, 0),
        (date(2026, 3, 8), 1, 5_000),
        (date(2026, 3, 9), 0, 0),
        (date(2026, 3, 10), 1, 0),
    ]
    assert figures.by_status == (
        (OrderStatus.DELIVERED, 2),
        (OrderStatus.CANCELLED, 1),
        (OrderStatus.PLACED, 1),
        (OrderStatus.REFUNDED, 1),
        (OrderStatus.SHIPPED, 1),
    )


async def test_days_follow_the_shop_time_zone(uow_factory):
    await load_known_shop(uow_factory)
    # In Shanghai (UTC+8) order F, placed 10 March 11:00 UTC, falls on the 10th; B (09:00 UTC) on the 5th,
    # and C (5 March 15:00 UTC = 23:00 local) still on the 5th; A at 18:00 local on the 4th.
    shanghai = ReportWindow.last_days(7, NOW, "Asia/Shanghai")
    figures = await SqlAlchemyShopFigures(uow_factory.engine, "USD").figures(shanghai)
    assert [d.orders for d in figures.by_day] == [1, 2, 0, 1, 1, 0, 1]


async def test_a_period_without_orders_gives_zeros_and_no_rates(uow_factory):
    await load_known_shop(uow_factory)
    empty = ReportWindow.last_days(30, at(1, 0) - timedelta(days=60))
    figures = await SqlAlchemyShopFigures(uow_factory.engine, "USD").figures(empty)
    assert (figures.placed, figures.paid, figures.revenue, figures.revenue_orders) == (0, 0, usd(0), 0)
    assert figures.average_order_value == usd(0)
    assert figures.payment_success_rate is None
    assert figures.median_paid_to_shipped is None
    assert figures.by_status == () and figures.top_by_units == ()
    assert len(figures.by_day) == 30 and all(d.orders == 0 for d in figures.by_day)
    assert figures.low_stock == 2  # a snapshot of now, whatever the period


async def test_an_empty_shop_has_figures_too(uow_factory):
    figures = await SqlAlchemyShopFigures(uow_factory.engine, "USD").figures(ReportWindow.last_days(1, NOW))
    assert figures.placed == 0 and figures.low_stock == 0 and figures.funnel.carts_created == 0


async def test_export_lists_the_window_orders_oldest_first_with_items_and_shipping(uow_factory):
    await load_known_shop(uow_factory)
    rows = await SqlAlchemyShopFigures(uow_factory.engine, "USD").order_rows(WEEK)
    assert [r.number for r in rows] == ["ORD-A", "ORD-B", "ORD-C", "ORD-D", "ORD-E", "ORD-F"]
    a = rows[0]
    assert (a.placed_at, a.paid_at, a.shipped_at) == (at(4, 10), at(4, 10, 5), at(4, 12, 5))
    assert (a.status, a.items, a.total, a.carrier, a.tracking_number) == (
        OrderStatus.DELIVERED,
        (("MUG", 2),),
        usd(2_500),
        "DHL",
        "JD0001",
    )
    c = rows[2]
    assert c.items == (("CAP", 1), ("MUG", 1)) and c.payment_ref == "cs_ORD-C" and c.shipped_at is None
