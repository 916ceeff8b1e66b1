"""The relay marks a customer who blocked the bot unreachable by that one column: a phone the customer
saves at the same moment is kept (a whole-row rewrite from an earlier read would erase it)."""

from __future__ import annotations

import asyncio

from bot.background.outbox_relay import mark_unreachable_with
from domain.customer import Customer
from tests.conftest import POSTGRES_ONLY


@POSTGRES_ONLY
async def test_marking_unreachable_keeps_a_phone_saved_at_the_same_moment(uow_factory):
    async with uow_factory() as uow:
        await uow.customers.add(Customer(77, "Ann", "en"))
        await uow.commit()

    async with uow_factory() as turn:  # the customer's turn: phone saved, not yet committed
        customer = await turn.customers.get(77)
        customer.phone = "+1 555 0100"
        await turn.customers.add(customer)
        marking = asyncio.create_task(mark_unreachable_with(uow_factory)(77))
        await asyncio.sleep(0.3)  # the relay has read the row and waits on the turn's row lock
        await turn.commit()
    await asyncio.wait_for(marking, 10)

    async with uow_factory(write=False) as uow:
        stored = await uow.customers.get(77)
    assert (stored.phone, stored.unreachable) == ("+1 555 0100", True)


async def test_marking_unreachable_twice_or_an_unknown_chat_changes_nothing(uow_factory):
    async with uow_factory() as uow:
        await uow.customers.add(Customer(78, "Bo", "en", phone="+1 555 0101"))
        await uow.commit()
    mark = mark_unreachable_with(uow_factory)
    await mark(78)
    await mark(78)
    await mark(79)
    async with uow_factory(write=False) as uow:
        stored, unknown = await uow.customers.get(78), await uow.customers.get(79)
    assert (stored.phone, stored.unreachable, unknown) == ("+1 555 0101", True, None)
