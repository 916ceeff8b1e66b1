"""Stock moves: all-or-nothing reservation, commit/release/ship, low-stock alerts, manual edits."""

from __future__ import annotations

import pytest

from domain.actor import Actor
from domain.catalog.stock import StockLevel
from domain.errors import ConcurrentUpdate, InvalidInput, OutOfStock
from domain.events import StockLow
from domain.ports import StockAudit
from storage.invariants import find_violations
from tests.conftest import POSTGRES_ONLY
from tests.shops.storage import NOW, RESERVATION, place, stocked

EXPIRES = NOW + RESERVATION


async def _levels(uow_factory, *skus):
    async with uow_factory(write=False) as uow:
        return [await uow.stocks.get(sku) for sku in skus]


async def test_an_order_that_does_not_fit_reserves_nothing_and_names_the_short_product(uow_factory):
    await stocked(uow_factory, ("A", 5, 0), ("B", 1, 0))
    async with uow_factory() as uow:
        with pytest.raises(OutOfStock) as refused:
            await uow.stocks.reserve("ORD-1", [("B", 2), ("A", 3)], EXPIRES)
    assert (refused.value.sku, refused.value.requested, refused.value.available) == ("B", 2, 1)
    a, b = await _levels(uow_factory, "A", "B")
    assert (a.reserved, b.reserved) == (0, 0)


async def test_unknown_product_is_out_of_stock_with_nothing_available(uow_factory):
    async with uow_factory() as uow:
        with pytest.raises(OutOfStock) as refused:
            await uow.stocks.reserve("ORD-1", [("NOPE", 1)], EXPIRES)
    assert refused.value.available == 0


async def test_payment_commits_and_shipping_takes_units_from_on_hand(uow_factory):
    await stocked(uow_factory, ("A", 10, 0))
    async with uow_factory() as uow:
        await uow.stocks.reserve("ORD-1", [("A", 3)], EXPIRES)
        await uow.stocks.commit("ORD-1")
        await uow.stocks.release("ORD-1")  # a committed reservation is still live: released too
        await uow.stocks.reserve("ORD-2", [("A", 4)], EXPIRES)
        await uow.stocks.commit("ORD-2")
        await uow.commit()
    (a,) = await _levels(uow_factory, "A")
    assert (a.on_hand, a.reserved) == (10, 4)
    async with uow_factory() as uow:
        await uow.stocks.ship("ORD-2")
        await uow.stocks.ship("ORD-2")  # twice: the second finds nothing live
        await uow.stocks.release("ORD-2")
        await uow.commit()
        assert await find_violations(uow.session) == []
    (a,) = await _levels(uow_factory, "A")
    assert (a.on_hand, a.reserved, a.available) == (6, 0, 6)


async def test_releasing_an_order_twice_gives_its_units_back_once(uow_factory):
    await stocked(uow_factory, ("A", 10, 0), ("B", 10, 0))
    async with uow_factory() as uow:
        await uow.stocks.reserve("ORD-1", [("A", 3), ("B", 1)], EXPIRES)
        await uow.stocks.reserve("ORD-2", [("A", 2)], EXPIRES)
        await uow.commit()
    for _ in range(2):
        async with uow_factory() as uow:
            await uow.stocks.release("ORD-1")
            await uow.commit()
    a, b = await _levels(uow_factory, "A", "B")
    assert (a.reserved, b.reserved) == (2, 0)


async def test_low_stock_alert_fires_once_per_dip_and_rearms_after_restock(uow_factory):
    await stocked(uow_factory, ("A", 10, 5))
    async with uow_factory() as uow:
        assert await uow.stocks.reserve("ORD-1", [("A", 5)], EXPIRES) == []  # available 5: not below
        assert await uow.stocks.reserve("ORD-2", [("A", 1)], EXPIRES) == [StockLow("A", 4, 5)]
        assert await uow.stocks.reserve("ORD-3", [("A", 1)], EXPIRES) == []  # already alerted
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.stocks.reserve("ORD-4", [("A", 1)], EXPIRES) == []  # flag persisted
        await uow.stocks.release("ORD-1")  # available back to 7: re-armed
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.stocks.reserve("ORD-5", [("A", 3)], EXPIRES) == [StockLow("A", 4, 5)]
        await uow.commit()


async def test_manual_restock_is_audited_and_cannot_drop_below_reserved(uow_factory):
    await stocked(uow_factory, ("A", 10, 0))
    await place(uow_factory, 7, {"A": 4})
    async with uow_factory() as uow:
        level = await uow.stocks.get("A")
        level.restock(5)
        await uow.stocks.save(level, StockAudit("A", Actor.staff(1), NOW, "restock +5"))
        await uow.commit()
    async with uow_factory() as uow:
        level = await uow.stocks.get("A")
        assert (level.on_hand, level.reserved) == (15, 4)
        with pytest.raises(InvalidInput):
            level.set_on_hand(3)
        level.on_hand = 3  # bypassing the domain rule still cannot corrupt stock
        with pytest.raises(InvalidInput):
            await uow.stocks.save(level, StockAudit("A", Actor.staff(1), NOW, "set 3"))


@POSTGRES_ONLY
async def test_restock_based_on_a_stale_read_is_refused(uow_factory, database_url):
    await stocked(uow_factory, ("A", 10, 0))
    async with uow_factory() as slow:
        level = await slow.stocks.get("A")
        async with uow_factory() as fast:
            other = await fast.stocks.get("A")
            other.restock(2)
            await fast.stocks.save(other, StockAudit("A", Actor.staff(2), NOW, "restock +2"))
            await fast.commit()
        level.restock(5)
        with pytest.raises(ConcurrentUpdate):
            await slow.stocks.save(level, StockAudit("A", Actor.staff(1), NOW, "restock +5"))
    (a,) = await _levels(uow_factory, "A")
    assert a.on_hand == 12


async def test_stock_list_shows_low_stock_first(uow_factory):
    await stocked(uow_factory, ("A", 10, 0), ("B", 1, 3), ("C", 0, 0))
    async with uow_factory(write=False) as uow:
        levels, total = await uow.stocks.list_levels(limit=2)
    assert total == 3 and [lv.sku for lv in levels] == ["B", "A"]
    assert levels[0] == StockLevel("B", 1, 0, 3, True)
