"""Promo codes on real SQLite and PostgreSQL: the last use goes to one customer only, a use given back
counts again for the next, and the order's discount is stored with it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from domain.actor import Actor
from domain.analytics import ReportWindow
from domain.money import Money
from domain.order_status import OrderStatus
from domain.promo import PromoCode, PromoKind, PromoRefused, Refusal
from domain.services import change_status
from handlers.merchant.stats.text import figures_text
from storage.analytics.figures import SqlAlchemyShopFigures
from storage.invariants import find_violations
from tests.shops.storage import NOW, checkout, fill_cart, stock_product


async def _shop_with_code(uow_factory, **limits) -> None:
    async with uow_factory() as uow:
        await stock_product(uow, "TEA-1", on_hand=100, price=2000)
        code = PromoCode("LAST1", PromoKind.PERCENT, 25, "USD", NOW, **limits)
        assert await uow.promos.add(code)
        assert not await uow.promos.add(code)  # a second create of the same code changes nothing
        await uow.commit()


async def _buy(uow_factory, customer: int, code: str = "LAST1"):
    async with uow_factory() as uow:
        await fill_cart(uow, customer, {"TEA-1": 1})
        try:
            order = await checkout(uow, customer, promo_code=code)
        except PromoRefused as refused:
            return refused
        await uow.commit()
        return order


async def test_two_customers_racing_for_the_last_use_only_one_gets_it(uow_factory):
    await _shop_with_code(uow_factory, max_uses=1)
    results = await asyncio.gather(*(_buy(uow_factory, customer) for customer in range(1, 9)))
    orders = [r for r in results if not isinstance(r, PromoRefused)]
    refusals = [r for r in results if isinstance(r, PromoRefused)]
    assert len(orders) == 1 and len(refusals) == 7
    assert {r.reason for r in refusals} == {Refusal.USED_UP}
    assert orders[0].discount == Money(500, "USD") and orders[0].total == Money(2000, "USD")
    async with uow_factory(write=False) as uow:
        assert (await uow.promos.get("LAST1")).uses == 1
        assert (await uow.stocks.get("TEA-1")).reserved == 1  # the refused checkouts reserved nothing
        stored = await uow.orders.get(orders[0].number)
        assert (stored.promo_code, stored.discount_minor, stored.total) == ("LAST1", 500, Money(2000, "USD"))
        report = await uow.promos.report("LAST1", "USD")
        assert (report.uses, report.discount, report.revenue) == (1, Money(500, "USD"), Money(2000, "USD"))
        assert await find_violations(uow.session) == []


async def test_a_use_given_back_by_an_expired_order_goes_to_the_next_customer(uow_factory):
    await _shop_with_code(uow_factory, max_uses=1)
    first = await _buy(uow_factory, 1)
    assert isinstance(await _buy(uow_factory, 2), PromoRefused)
    for _twice in range(2):  # two expiry runs: the use is given back once
        async with uow_factory() as uow:
            order = await uow.orders.get_for_update(first.number)
            if order.status is OrderStatus.PLACED:
                await change_status(uow, order, OrderStatus.PAYMENT_EXPIRED, Actor.system("job"), NOW)
            await uow.promos.give_back(first.number)
            await uow.commit()
    async with uow_factory(write=False) as uow:
        assert (await uow.promos.get("LAST1")).uses == 0
        assert (await uow.promos.report("LAST1", "USD")).uses == 0
    second = await _buy(uow_factory, 2)
    assert not isinstance(second, PromoRefused) and second.promo_code == "LAST1"


async def test_one_customer_racing_themselves_gets_a_once_per_customer_code_once(uow_factory):
    await _shop_with_code(uow_factory, per_customer=1)
    results = await asyncio.gather(*(_buy(uow_factory, 7) for _ in range(4)))
    assert sum(not isinstance(r, PromoRefused) for r in results) == 1
    assert {r.reason for r in results if isinstance(r, PromoRefused)} == {Refusal.ALREADY_USED}


async def test_stats_and_the_export_show_the_discount_of_paid_orders(uow_factory):
    await _shop_with_code(uow_factory)
    order = await _buy(uow_factory, 1)
    async with uow_factory() as uow:
        stored = await uow.orders.get_for_update(order.number)
        await change_status(uow, stored, OrderStatus.PAID, Actor.system("stripe"), NOW + timedelta(minutes=1))
        await uow.commit()
    shop = SqlAlchemyShopFigures(uow_factory.engine, "USD")
    window = ReportWindow.last_days(7, NOW + timedelta(hours=1))
    figures = await shop.figures(window)
    assert (figures.revenue, figures.discounts, figures.discounted_orders) == (
        Money(2000, "USD"),
        Money(500, "USD"),
        1,
    )
    assert "Promo discounts: $5.00 on 1 order" in figures_text(figures)
    (row,) = await shop.order_rows(window)
    assert (row.discount, row.promo_code, row.total) == (Money(500, "USD"), "LAST1", Money(2000, "USD"))
