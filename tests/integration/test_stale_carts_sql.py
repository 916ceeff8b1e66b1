"""Abandoned carts on real SQLite and PostgreSQL: each change of a cart is claimed for a reminder once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from domain.cart import Cart
from domain.customer import Customer
from jobs.abandoned_carts import AbandonedCarts
from storage.database.engine import session_factory
from storage.stale_carts import SqlAlchemyStaleCarts
from storage.tables import OutboxRow
from tests.shops.storage import NOW

DAY = timedelta(hours=24)


def stale_carts(uow_factory) -> SqlAlchemyStaleCarts:
    return SqlAlchemyStaleCarts(session_factory(uow_factory.engine))


async def save_carts(uow_factory, at, *carts: Cart, **customer: bool) -> None:
    async with uow_factory() as uow:
        for cart in carts:
            if await uow.customers.get(cart.customer_id) is None:
                await uow.customers.add(Customer(cart.customer_id, "X", **customer))
            await uow.carts.save(cart, now=at)
        await uow.commit()


async def claim(carts: SqlAlchemyStaleCarts, now, limit: int = 200) -> list[int]:
    claimed = await carts.claim_idle(now - DAY, after=now - 3 * DAY, now=now, limit=limit)
    return [cart.customer_id for cart in claimed]


async def test_an_idle_cart_is_claimed_once_and_again_after_it_changes(uow_factory):
    carts = stale_carts(uow_factory)
    await save_carts(uow_factory, NOW, Cart(1, {"A": 2}), Cart(2, {"A": 1}))
    await save_carts(uow_factory, NOW + timedelta(hours=2), Cart(3, {"A": 1}), Cart(4))  # 4 is empty
    await save_carts(uow_factory, NOW - 3 * DAY, Cart(5, {"A": 1}))  # idle too long: let go
    assert await claim(carts, NOW + timedelta(hours=23)) == []
    now = NOW + DAY + timedelta(hours=1)
    [first] = await carts.claim_idle(NOW + timedelta(hours=1), after=NOW, now=now, limit=1)
    assert (first.customer_id, first.updated_at, first.item_count) == (1, NOW, 2)
    assert await claim(carts, NOW + DAY + timedelta(hours=3)) == [2, 3]
    assert await claim(carts, NOW + DAY + timedelta(hours=4)) == []
    await save_carts(uow_factory, NOW + 2 * DAY, Cart(1, {"A": 3}))
    assert await claim(carts, NOW + 3 * DAY + timedelta(hours=1)) == [1]


async def test_two_workers_claiming_at_once_never_get_the_same_cart(uow_factory):
    carts = stale_carts(uow_factory)
    await save_carts(uow_factory, NOW, *(Cart(n, {"A": 1}) for n in range(1, 41)))
    later = NOW + DAY + timedelta(minutes=1)
    first, second = await asyncio.gather(claim(carts, later, 15), claim(carts, later, 30))
    again = await claim(carts, later)
    assert sorted(first + second + again) == list(range(1, 41))


async def test_the_reminder_job_reminds_once_and_respects_opt_outs_and_blocked_customers(uow_factory):
    await save_carts(uow_factory, NOW, Cart(1, {"A": 2}))
    await save_carts(uow_factory, NOW, Cart(2, {"A": 1}), cart_reminders=False)
    await save_carts(uow_factory, NOW, Cart(3, {"A": 1}), unreachable=True)

    class Later:
        def now(self):
            return NOW + DAY + timedelta(minutes=5)

    jobs = [AbandonedCarts(uow_factory, stale_carts(uow_factory), Later(), DAY, batch=1) for _ in range(2)]
    assert sum(await asyncio.gather(*(job.run() for job in jobs))) == 1
    async with session_factory(uow_factory.engine)() as session:
        sent = (await session.execute(select(OutboxRow.chat_id, OutboxRow.payload))).all()
    assert [(chat_id, "2 item" in payload["text"]) for chat_id, payload in sent] == [(1, True)]
