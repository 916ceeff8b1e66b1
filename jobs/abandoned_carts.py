"""Remind a customer, once, of a cart left untouched for N hours.

Each change of a cart is claimed for a reminder once (`StaleCarts.claim_idle`), by one worker however
many run the job; a cart changed again is due again after N idle hours. Skips customers who turned
reminders off (`Customer.cart_reminders`) or who blocked the bot (`Customer.unreachable`); carts idle
longer than `max_idle` are left alone. The outbox dedupe key is the cart's last change too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.clock import Clock
from domain.ports import StaleCart, StaleCarts, UnitOfWorkFactory
from handlers.kernel import outbox
from jobs.notices import cart_reminder

__all__ = ["AbandonedCarts"]


@dataclass
class AbandonedCarts:
    uow_factory: UnitOfWorkFactory
    carts: StaleCarts
    clock: Clock
    after: timedelta = timedelta(hours=24)
    max_idle: timedelta = timedelta(days=3)
    batch: int = 200

    async def run(self) -> int:
        now = self.clock.now()
        reminded = 0
        while True:
            claimed = await self.carts.claim_idle(
                now - self.after, after=now - self.max_idle, now=now, limit=self.batch
            )
            reminded += await self._remind(claimed)
            if len(claimed) < self.batch:
                return reminded

    async def _remind(self, carts: list[StaleCart]) -> int:
        now = self.clock.now()
        reminded = 0
        async with self.uow_factory() as uow:
            for cart in carts:
                customer = await uow.customers.get(cart.customer_id)
                if customer is None or customer.unreachable or not customer.cart_reminders:
                    continue
                message = cart_reminder(
                    customer.telegram_id, customer.language, cart.item_count, cart.updated_at, now
                )
                await outbox.write(uow, message)
                reminded += 1
            await uow.commit()
        return reminded
