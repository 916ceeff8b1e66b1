"""Apply a carrier status to an order: the one function both the tracking poll and the merchant's
delivery buttons (manual provider, no API key) call.

Usage, inside a unit of work the caller commits:

    result = await apply_carrier_status(uow, "K7M-2QXD", "Delivered", actor=Actor.staff(42),
                                        now=clock.now(), merchant_chat_id=settings.merchant_chat_id)

`carrier_status` is a 17TRACK main status (`domain.tracking.statuses.CarrierStatus`). Only a real change moves
the order and messages the customer (once: the message is keyed on the order's timeline position);
a problem also alerts the merchant chat. Given `refresh_cards` (the tracking poll's), the change redraws
the order's card in the merchant chat in the same unit of work (a staff member's own move is not redrawn
by it: they see the card they pressed).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from domain.actor import Actor
from domain.order_status import OrderStatus
from domain.ports import UnitOfWork
from domain.services import change_status
from domain.tracking.statuses import outcome_for
from handlers.kernel import outbox
from handlers.payments.notices import RefreshCards
from jobs.notices import tracking_notice, tracking_problem_alert

__all__ = ["apply_carrier_status", "Applied", "IN_FLIGHT"]

IN_FLIGHT = (
    OrderStatus.SHIPPED,
    OrderStatus.IN_TRANSIT,
    OrderStatus.OUT_FOR_DELIVERY,
    OrderStatus.DELIVERY_EXCEPTION,
)


class Applied(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # same status, NotFound, or a move the order cannot make
    CLOSED = "closed"  # the order is gone or no longer travelling: stop tracking it


async def apply_carrier_status(
    uow: UnitOfWork,
    order_number: str,
    carrier_status: str,
    *,
    actor: Actor,
    now: datetime,
    merchant_chat_id: int | None,
    detail: str = "",
    tracking_number: str | None = None,
    refresh_cards: RefreshCards | None = None,
) -> Applied:
    """`tracking_number`: the parcel the status is about; an order whose number was corrected since (or
    that shipped again) no longer follows it. `refresh_cards`: the redraw of the cards the change touched."""
    order = await uow.orders.get_for_update(order_number)
    if order is None or order.status not in IN_FLIGHT:
        return Applied.CLOSED
    if tracking_number is not None and order.tracking_number != tracking_number:
        return Applied.CLOSED
    outcome = outcome_for(carrier_status, order.status)
    if outcome is None or not order.can(outcome.target):
        return Applied.UNCHANGED
    events = await change_status(uow, order, outcome.target, actor, now, outcome.note or detail)
    if refresh_cards is not None:
        await refresh_cards(uow, events, now)
    customer = await uow.customers.get(order.customer_id)
    if customer is None or not customer.unreachable:
        language = customer.language if customer else "en"
        await outbox.write(uow, tracking_notice(order, outcome, language, now))
    if outcome.is_problem and merchant_chat_id is not None:
        await outbox.write(uow, tracking_problem_alert(order, outcome, detail, merchant_chat_id, now))
    return Applied.CHANGED
