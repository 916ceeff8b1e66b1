"""Telegram's part of a native invoice, played in the terminal: a pre-checkout query, then, when the shop
answers it with ok, the successful payment — the two updates a real payment produces, in that order."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from handlers.kernel.incoming import Kind, Payment
from handlers.kernel.reply import Invoice, Outcome

__all__ = ["pay_invoice"]

Send = Callable[[Kind, Payment], Awaitable[Outcome]]


async def pay_invoice(invoice: Invoice, send: Send) -> bool:
    """Pay `invoice` through `send`; False when the shop refused the pre-checkout query."""
    ref = uuid.uuid4().hex[:12]
    total = sum(amount for _, amount in invoice.prices)
    query = Payment(invoice.payload, invoice.currency, total, query_id=f"demo-query-{ref}")
    answer = await send(Kind.PRECHECKOUT, query)
    if not answer.precheckout_ok:
        return False
    paid = Payment(
        invoice.payload,
        invoice.currency,
        total,
        telegram_charge_id=f"demo-telegram-charge-{ref}",
        provider_charge_id=f"demo-provider-charge-{ref}",
    )
    await send(Kind.PAYMENT, paid)
    return True
