"""A placed order's card link in one call, for tests that need an unpaid card order with its attempt.

Checkout itself uses `payments.methods.card_checkout`, which asks Stripe only after the order's commit;
here the link is made and recorded inside the caller's unit of work, which is fine for a test.
"""

from __future__ import annotations

from datetime import datetime

from domain.order import Order
from domain.ports import PaymentGateway, UnitOfWork
from handlers.kernel.reply import Reply
from handlers.payments.methods import card_link_reply

__all__ = ["card_checkout_reply"]


async def card_checkout_reply(
    uow: UnitOfWork, gateway: PaymentGateway, order: Order, now: datetime, *, language: str = "en"
) -> Reply:
    link = await gateway.create_checkout(order, expires_at=order.reserved_until, language=language)
    return await card_link_reply(uow, order, link, now, language=language)
