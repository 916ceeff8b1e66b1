"""Two writers on one order, and order numbers that must stay unique under concurrent checkouts."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from domain.actor import Actor
from domain.errors import ConcurrentUpdate, OrderNumberTaken
from domain.order_status import OrderStatus
from domain.services import retry_on_taken_number
from tests.conftest import POSTGRES_ONLY
from tests.shops.storage import NOW, checkout, fill_cart, place, stock_product, stocked


@POSTGRES_ONLY
async def test_saving_an_order_someone_else_changed_meanwhile_is_refused(uow_factory, database_url):
    await stocked(uow_factory, ("A", 50, 0))
    placed = await place(uow_factory, 7, {"A": 1})

    async with uow_factory() as staff:
        stale = await staff.orders.get(placed.number)  # read without lock, e.g. to show a card
        async with uow_factory() as customer:
            mine = await customer.orders.get_for_update(placed.number)
            mine.transition(OrderStatus.CANCELLED, Actor.customer(7), NOW)
            await customer.orders.save(mine)
            await customer.commit()
        stale.transition(OrderStatus.PAID, Actor.system("stripe"), NOW)
        with pytest.raises(ConcurrentUpdate):
            await staff.orders.save(stale)

    async with uow_factory(write=False) as uow:
        stored = await uow.orders.get(placed.number)
    assert stored.status is OrderStatus.CANCELLED
    assert [t.new for t in stored.timeline] == ["placed", "cancelled"]


async def test_adding_an_order_with_a_taken_number_is_refused(uow_factory):
    await stocked(uow_factory, ("A", 50, 0))
    placed = await place(uow_factory, 7, {"A": 1})
    async with uow_factory() as uow:
        await fill_cart(uow, 8, {"A": 1})
        with pytest.raises(OrderNumberTaken):
            await checkout(uow, 8, number_factory=lambda: placed.number)


async def test_concurrent_checkouts_drawing_the_same_number_all_end_with_unique_numbers(uow_factory):
    buyers = range(1, 21)
    async with uow_factory() as uow:
        await stock_product(uow, "A", on_hand=100)
        for buyer in buyers:
            await fill_cart(uow, buyer, {"A": 1})
        await uow.commit()

    def numbers(buyer: int):
        # Every buyer's first draw is the same number; the retry draws one of its own.
        return itertools.chain(["AAA-AAAA"], (f"B{buyer:02d}-{n:04d}" for n in itertools.count())).__next__

    async def buy(buyer: int):
        draw = numbers(buyer)
        return await retry_on_taken_number(uow_factory, lambda uow: checkout(uow, buyer, number_factory=draw))

    orders = await asyncio.gather(*(buy(b) for b in buyers))
    assert len({o.number for o in orders}) == len(orders)
    assert sum(o.number == "AAA-AAAA" for o in orders) == 1
    async with uow_factory(write=False) as uow:
        assert (await uow.stocks.get("A")).reserved == 20
        assert (await uow.orders.list_by_status([OrderStatus.PLACED]))[1] == 20


@POSTGRES_ONLY
async def test_an_order_read_for_update_is_locked_until_that_unit_of_work_ends(uow_factory, database_url):
    await stocked(uow_factory, ("A", 50, 0))
    placed = await place(uow_factory, 7, {"A": 1})
    async with uow_factory() as first:
        await first.orders.get_for_update(placed.number)
        async with uow_factory() as second:
            await second.session.execute(text("SET LOCAL lock_timeout = '50ms'"))
            with pytest.raises(DBAPIError, match="lock timeout"):
                await second.orders.get_for_update(placed.number)
    async with uow_factory() as later:
        assert (await later.orders.get_for_update(placed.number)).number == placed.number
