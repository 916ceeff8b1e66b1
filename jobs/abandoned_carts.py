"""Remind a customer, once, of a cart left untouched for N hours.

Skips customers who turned reminders off (`Customer.cart_reminders`) or who blocked the bot
(`Customer.unreachable`). The dedupe key is the cart's last change, so each abandoned cart is
mentioned once however often the job runs; carts idle longer than `max_idle` are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.clock import Clock
from domain.ports import StaleCarts, UnitOfWorkFactory
from jobs.notices import cart_reminder

__all__ = ["AbandonedCarts"]


@dataclass
class AbandonedCarts:
    uow_factory: UnitOfWorkFactory
    carts: StaleCarts
    clock: Clock
    after: timedelta = timedelta(hours=24)
    max_idle: timedelta = timedelta(days=3)

    async def run(self) -> int:
        now = self.clock.now()
        stale = await self.carts.idle_since(now - self.after)
        reminded = 0
        async with self.uow_factory() as uow:
            for cart in stale:
                if now - cart.updated_at > self.max_idle:
                    continue
                customer = await uow.customers.get(cart.customer_id)
                if customer is None or customer.unreachable or not customer.cart_reminders:
                    continue
                message = cart_reminder(
                    customer.telegram_id, customer.language, cart.item_count, cart.updated_at, now
                )
                await uow.outbox.add(message)
                reminded += 1
            await uow.commit()
        return reminded
