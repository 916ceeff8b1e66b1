"""A checkout whose drawn order number is taken is placed again under a fresh number."""

from __future__ import annotations

import pytest

from domain.cart import Cart
from domain.catalog.products import Product
from domain.catalog.stock import StockLevel
from domain.clock import FixedClock
from domain.errors import OrderNumberTaken
from domain.money import Money
from domain.services import retry_on_taken_number
from tests.fakes.memory import FakeUnitOfWorkFactory
from tests.shops.storage import checkout


async def _shop() -> FakeUnitOfWorkFactory:
    factory = FakeUnitOfWorkFactory()
    async with factory() as uow:
        await uow.products.add(Product("A", "Tea", "tea", Money(100, "USD")))
        await uow.stocks.add(StockLevel("A", on_hand=5))
        for buyer in (1, 2):
            await uow.carts.save(Cart(buyer, {"A": 1}), now=FixedClock().now())
        await uow.commit()
    return factory


async def test_a_taken_number_is_retried_with_a_fresh_one_and_committed_once():
    factory = await _shop()
    await retry_on_taken_number(factory, lambda uow: checkout(uow, 1, number_factory=lambda: "AAA-AAAA"))
    draws = iter(["AAA-AAAA", "BBB-BBBB"])

    order = await retry_on_taken_number(factory, lambda uow: checkout(uow, 2, number_factory=draws.__next__))

    assert order.number == "BBB-BBBB"
    async with factory() as uow:
        assert (await uow.stocks.get("A")).reserved == 2
        assert (await uow.carts.get(2)).is_empty


async def test_gives_up_after_the_last_attempt():
    factory = await _shop()
    await retry_on_taken_number(factory, lambda uow: checkout(uow, 1, number_factory=lambda: "AAA-AAAA"))
    with pytest.raises(OrderNumberTaken):
        await retry_on_taken_number(
            factory, lambda uow: checkout(uow, 2, number_factory=lambda: "AAA-AAAA"), attempts=3
        )
    async with factory() as uow:
        assert (await uow.stocks.get("A")).reserved == 1
