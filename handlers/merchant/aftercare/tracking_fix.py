"""Correcting a tracking number after shipping: the order keeps its status, the customer gets the new
number (with its tracking link), the card shows it, and the tracking provider is told about it. The poll
job stops applying the old number's statuses (`jobs.apply_tracking` checks the order's current number).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.errors import IllegalTransition
from domain.order import Order
from domain.order_status import OrderStatus
from handlers.kernel.i18n import translations
from handlers.kernel.outbox import write_reply
from handlers.kernel.reply import Button, Reply
from handlers.kernel.status_text import tracking_url
from handlers.kernel.turn import Turn
from handlers.merchant.moves import locked

if TYPE_CHECKING:
    from handlers.merchant.desk import MerchantDesk

__all__ = ["CORRECTABLE", "correct_tracking"]

S = OrderStatus
CORRECTABLE = frozenset({S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_EXCEPTION})


async def correct_tracking(
    desk: MerchantDesk, turn: Turn, number: str, carrier: str, tracking_number: str
) -> tuple[Order | None, str]:
    """(the corrected order, "") or (None, why nothing changed)."""
    order = await locked(desk, turn, number)
    if order is None:
        return None, turn._("Order {number} was not found.").format(number=number)
    try:
        order.correct_tracking(carrier or order.carrier or "", tracking_number)
    except IllegalTransition:
        return None, turn._("Order {number} is not travelling; nothing changed.").format(number=number)
    await turn.uow.orders.save(order)
    await desk.register_tracking(order)
    customer = await turn.uow.customers.get(order.customer_id)
    language = customer.language if customer else "en"
    _ = translations(language).gettext
    text = _("Correction: the tracking number of your order {number} is {tracking} ({carrier}).").format(
        number=order.number, tracking=order.tracking_number, carrier=order.carrier or "—"
    )
    url = tracking_url(order, language)
    buttons = ((Button(_("🔎 Track parcel"), url=url),),) if url else ()
    key = f"order:{order.number}:tracking:{order.tracking_number}"
    await write_reply(turn.uow, order.customer_id, Reply(text, buttons), turn.now, dedupe_key=key)
    return order, ""
