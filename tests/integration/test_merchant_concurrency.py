"""Two staff members pressing Accept on the same card at once, on real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from domain.actor import Actor
from domain.clock import FixedClock
from domain.order_status import OrderStatus
from domain.services import change_status
from handlers.actions.customer import pack
from handlers.actions.merchant import AcceptOrder
from handlers.app import ShopApp
from handlers.kernel.config import ShopConfig
from tests.shops.merchant import ANN, BEN, MERCHANT_CHAT, StaffChat, desk_for, placed_order, stock_black_tea


async def test_two_staff_accepting_at_once_yield_one_acceptance(uow_factory):
    clock = FixedClock()
    await stock_black_tea(uow_factory)
    desk = desk_for()
    order = await placed_order(uow_factory, clock, **{"TEA-BLACK": 1})
    async with uow_factory() as uow:
        stored = await uow.orders.get_for_update(order.number)
        await change_status(uow, stored, OrderStatus.PAID, Actor.system("stripe"), clock.now())
        await uow.commit()
    app = ShopApp(uow_factory, clock, ShopConfig("Tea", "USD", merchant_chat_id=MERCHANT_CHAT), merchant=desk)
    ann, ben = StaffChat(app, ANN, "Ann"), StaffChat(app, BEN, "Ben")

    accept = pack(AcceptOrder(order.number))
    await asyncio.gather(ann.press_data(accept), ben.press_data(accept))

    async with uow_factory(write=False) as uow:
        stored = await uow.orders.get(order.number)
    accepted = [step for step in stored.timeline if step.new is OrderStatus.ACCEPTED]
    assert stored.status is OrderStatus.ACCEPTED and len(accepted) == 1
    winner, loser = (ann, ben) if accepted[0].actor.ref == str(ANN) else (ben, ann)
    assert f"Accepted by {winner.name}" in winner.last.replies[0].text
    assert f"Already accepted by {winner.name}" in (loser.last.answer or "")
