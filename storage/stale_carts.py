"""`SqlAlchemyStaleCarts`: abandoned carts claimed for a reminder, once per change of the cart.

A cart is due when it holds items, was last saved (`SqlAlchemyCarts.save`) inside the window, and has
not been claimed since that save. Claiming stamps `reminded_at` in the same statement that picks the
rows (`storage.leases.mark_once`), so two workers never get the same cart; a cart saved again later is
due again. The claim commits before the reminder is written: a worker dying in between skips that
reminder rather than sending it twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ports import StaleCart
from storage.queues.leases import mark_once
from storage.tables import CartRow

__all__ = ["SqlAlchemyStaleCarts"]


class SqlAlchemyStaleCarts:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def claim_idle(
        self, before: datetime, *, after: datetime, now: datetime, limit: int = 200
    ) -> list[StaleCart]:
        rows = await mark_once(
            self._sessions,
            CartRow,
            CartRow.customer_id,
            due=[
                CartRow.item_count > 0,
                CartRow.updated_at >= after,
                CartRow.updated_at < before,
                or_(CartRow.reminded_at.is_(None), CartRow.reminded_at < CartRow.updated_at),
            ],
            order_by=[CartRow.updated_at, CartRow.customer_id],
            limit=limit,
            reminded_at=now,
        )
        # updated_at is set on every cart the query keeps (updated before `before`)
        carts = [StaleCart(row.customer_id, cast(datetime, row.updated_at), row.item_count) for row in rows]
        return sorted(carts, key=lambda cart: (cart.updated_at, cart.customer_id))
