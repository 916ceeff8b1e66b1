"""Job: unpaid prepaid orders past their reservation give their stock back and the customer is told.

Each order is expired in its own unit of work, re-read for update, so a payment that lands meanwhile
wins, and a second run (or a second process) finds nothing left to do. That unit also redraws the order's
card in the merchant chat when it has one (staff pressed it from `/order`): `notices.cards`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import structlog

from domain.actor import Actor
from domain.clock import Clock
from domain.ports import UnitOfWorkFactory
from handlers.merchant.notices import refresh_cards
from handlers.payments.notices import PaymentNotices
from handlers.payments.settlement import expire_order

__all__ = ["expire_reservations", "run"]

log = structlog.get_logger(__name__)
JOB = Actor.system("expire_reservations")


async def expire_reservations(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    notices: PaymentNotices | None = None,
    batch: int = 100,
) -> int:
    """Expire every overdue unpaid order; returns how many were expired. `notices` tells the customer and
    redraws the order's card (its `cards`; without `notices`, no card is redrawn)."""
    notices = notices or PaymentNotices(merchant_chat_id=None)  # the customer is the one told
    now = clock.now()
    async with uow_factory(write=False) as uow:
        numbers = [order.number for order in await uow.orders.expired_unpaid(now, limit=batch)]
    expired = 0
    for number in numbers:
        async with uow_factory() as uow:
            order = await uow.orders.get_for_update(number)
            if order is None or order.reserved_until > now:
                continue
            if await expire_order(uow, notices, order, actor=JOB, now=now):
                await uow.commit()
                expired += 1
    if expired:
        log.info("reservations_expired", count=expired)
    return expired


async def run(context: Any) -> int:
    """The scheduler's entry (the scheduler plans `jobs.<name>.run(context)`; context is its JobContext):
    the cards are redrawn as the merchant desk draws them (delivery buttons without a tracking provider)."""
    chat, manual = context.settings.merchant_chat_id, context.tracking is None
    cards = partial(refresh_cards, chat_id=chat, manual_delivery=manual)
    notices = PaymentNotices(merchant_chat_id=None, cards=cards)  # the customer is the one told
    return await expire_reservations(context.uow_factory, context.clock, notices=notices)
