"""Remind the merchant chat, once per order, of orders waiting too long for acceptance.

Waiting means paid and not yet accepted, or cash on delivery and not yet accepted. The reminder's
dedupe key is the order number, so later runs (or a second worker) enqueue nothing new. That key lives in
the reminder's outbox row, which the prune job deletes after `remembered` (the outbox retention): an order
that has waited longer than that is not reminded any more, or it would be reminded a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.clock import Clock
from domain.order import Order
from domain.order_status import OrderStatus
from domain.ports import UnitOfWorkFactory
from handlers.kernel import outbox
from jobs.notices import unanswered_order_reminder

__all__ = ["UnansweredOrders"]

_PAGE = 100


def _waiting_since(order: Order) -> datetime | None:
    if order.status is OrderStatus.PAID:
        return order.paid_at or order.last_change_at()
    if order.status is OrderStatus.PLACED and not order.payment_method.prepaid:
        return order.placed_at
    return None


@dataclass
class UnansweredOrders:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    merchant_chat_id: int | None
    after: timedelta = timedelta(minutes=30)
    remembered: timedelta = timedelta(days=30)  # how long the outbox keeps a reminder (its dedupe key)

    async def run(self) -> int:
        if self.merchant_chat_id is None:
            return 0
        now = self.clock.now()
        reminded = 0
        async with self.uow_factory() as uow:
            offset = 0
            while True:
                page, total = await uow.orders.list_by_status(
                    (OrderStatus.PAID, OrderStatus.PLACED), offset=offset, limit=_PAGE
                )
                for order in page:
                    since = _waiting_since(order)
                    if since is not None and self.after <= now - since < self.remembered:
                        minutes = int((now - since).total_seconds() // 60)
                        await outbox.write(
                            uow, unanswered_order_reminder(order, minutes, self.merchant_chat_id, now)
                        )
                        reminded += 1
                offset += _PAGE
                if offset >= total or not page:
                    break
            await uow.commit()
        return reminded
