"""Staff buttons on the order card: accept, reject (with a reason), pack, cancel, manual delivery states.

Shipping asks for the carrier and tracking number and lives with the other prompts in
`handlers.merchant.prompts`; the lock-check-apply core is `handlers.merchant.moves`.
"""

from __future__ import annotations

from domain.order_status import OrderStatus
from handlers.actions.merchant import (
    REJECT_REASONS,
    AcceptOrder,
    CancelByShop,
    MarkDelivery,
    PackOrder,
    RejectOrder,
)
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Turn
from handlers.merchant.desk import MerchantDesk
from handlers.merchant.moves import locked, press, show_card
from handlers.merchant.notices import REASONS
from handlers.merchant.prompts import ask_reason, back_row

__all__ = ["accept", "reject", "pack_order", "cancel", "mark_delivery"]

S = OrderStatus


async def accept(desk: MerchantDesk, turn: Turn, action: AcceptOrder) -> Outcome:
    return await press(desk, turn, action.number, S.ACCEPTED)


async def pack_order(desk: MerchantDesk, turn: Turn, action: PackOrder) -> Outcome:
    return await press(desk, turn, action.number, S.PACKED)


async def mark_delivery(desk: MerchantDesk, turn: Turn, action: MarkDelivery) -> Outcome:
    return await press(desk, turn, action.number, OrderStatus(action.state))


async def reject(desk: MerchantDesk, turn: Turn, action: RejectOrder) -> Outcome:
    """No reason yet: offer the short list; a listed reason: reject; "other": ask for a typed one."""
    if action.reason and action.reason != "other":
        return await press(desk, turn, action.number, S.REJECTED, reason=action.reason)
    order = await locked(desk, turn, action.number)
    if order is None or not order.can(S.REJECTED):
        return await press(desk, turn, action.number, S.REJECTED)  # refuses with the current state
    _ = turn._
    if action.reason == "other":
        return await ask_reason(desk, turn, order)
    labels = [_(REASONS[code]) for code in REJECT_REASONS[:-1]] + [_("Other (type it)")]
    rows = tuple(
        (turn.button(label, RejectOrder(order.number, code)),)
        for code, label in zip(REJECT_REASONS, labels, strict=True)
    )
    footer = _("Why reject this order?")
    return await show_card(desk, turn, order, footer=footer, buttons=rows + back_row(turn, order))


async def cancel(desk: MerchantDesk, turn: Turn, action: CancelByShop) -> Outcome:
    if action.confirmed:
        return await press(desk, turn, action.number, S.CANCELLED, reason="shop")
    order = await locked(desk, turn, action.number)
    if order is None or not order.can(S.CANCELLED):
        return await press(desk, turn, action.number, S.CANCELLED)
    _ = turn._
    rows = ((turn.button(_("✖ Yes, cancel it"), CancelByShop(order.number, True)),), *back_row(turn, order))
    footer = _("Cancel this order? Its stock goes back on sale and a paid order is refunded.")
    return await show_card(desk, turn, order, footer=footer, buttons=rows)
