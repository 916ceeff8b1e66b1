"""Complete orders delivered more than N days ago without a complaint.

A complaint moves a delivered order elsewhere (returned, or a delivery problem), so an order still
DELIVERED after the grace period completes. Each order is re-read for update in its own unit of work,
so a second run or worker finds it completed and leaves it; that unit also redraws the order's card in the
merchant chat (`handlers.merchant.notices.refresh_cards`), so it reads Completed without waiting for a press.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.actor import Actor
from domain.clock import Clock
from domain.order_status import OrderStatus
from domain.ports import UnitOfWorkFactory
from domain.services import change_status
from handlers.merchant.notices import refresh_cards

__all__ = ["CompleteDelivered"]


@dataclass
class CompleteDelivered:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    after: timedelta = timedelta(days=7)
    limit: int = 200
    merchant_chat_id: int | None = None  # where the order cards are (None: no card to redraw)
    manual_delivery: bool = True  # no tracking provider: the card shows the delivery buttons

    async def run(self) -> int:
        cutoff = self.clock.now() - self.after
        async with self.uow_factory(write=False) as uow:
            delivered, _ = await uow.orders.list_by_status((OrderStatus.DELIVERED,), limit=self.limit)
        due = [o.number for o in delivered if o.last_change_at() <= cutoff]
        completed = 0
        for number in due:
            async with self.uow_factory() as uow:
                order = await uow.orders.get_for_update(number)
                if (
                    order is None
                    or order.status is not OrderStatus.DELIVERED
                    or order.last_change_at() > cutoff
                ):
                    continue
                now = self.clock.now()
                events = await change_status(uow, order, OrderStatus.COMPLETED, Actor.system("complete"), now)
                chat, manual = self.merchant_chat_id, self.manual_delivery
                await refresh_cards(uow, events, now, chat_id=chat, manual_delivery=manual)
                await uow.commit()
                completed += 1
        return completed
