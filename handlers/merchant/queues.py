"""`/orders` for staff: the work queues with counts and pages; `/order <number>`: the card and timeline."""

from __future__ import annotations

from collections.abc import Callable

from domain.order import Order
from domain.order_status import OrderStatus
from domain.ports import UnitOfWork
from handlers.actions.merchant import QUEUES, OpenOrder, OrderQueue, OrderQueues
from handlers.kernel.i18n import N_, translations
from handlers.kernel.reply import Outcome, Reply
from handlers.kernel.turn import Rows, Turn
from handlers.merchant.desk import MerchantDesk
from handlers.merchant.notices import needs_merchant
from handlers.merchant.order_card import card_view_for

__all__ = [
    "queue_page",
    "queue_label",
    "queues_command",
    "show_queues",
    "show_queue",
    "order_command",
    "open_order",
    "QUEUE_STATUSES",
]

S = OrderStatus
QUEUE_STATUSES: dict[str, tuple[OrderStatus, ...]] = {
    "new": (S.PAID, S.PLACED),  # PLACED counts only for cash on delivery (see needs_merchant)
    "pack": (S.ACCEPTED,),
    "ship": (S.PACKED,),  # orders with an address; pickups packed are "collect"
    "collect": (S.PACKED,),
    "transit": (S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY),
    "problem": (S.DELIVERY_EXCEPTION,),
}
_LABELS = {
    "new": N_("🆕 New"),
    "pack": N_("📦 To pack"),
    "ship": N_("🚚 To ship"),
    "collect": N_("🤝 To hand over"),
    "transit": N_("🛣 In transit"),
    "problem": N_("⚠ Problems"),
}
# Queues that share a status are told apart in memory: unpaid prepaid orders share PLACED with cash
# orders ("new"), pickups ready at the counter share PACKED with parcels to ship ("collect" and "ship").
_SCAN = 500
_BELONGS: dict[str, Callable[[Order], bool]] = {
    "new": needs_merchant,
    "ship": lambda order: not order.is_pickup,
    "collect": lambda order: order.is_pickup,
}


async def queue_page(uow: UnitOfWork, queue: str, offset: int, limit: int) -> tuple[list[Order], int]:
    """One page of a work queue and the queue's size (the chat's /orders and the Mini App's desk)."""
    belongs = _BELONGS.get(queue)
    if belongs is None:
        return await uow.orders.list_by_status(QUEUE_STATUSES[queue], offset=offset, limit=limit)
    candidates, _total = await uow.orders.list_by_status(QUEUE_STATUSES[queue], limit=_SCAN)
    waiting = [order for order in candidates if belongs(order)]
    return waiting[offset : offset + limit], len(waiting)


def queue_label(queue: str, language: str) -> str:
    return translations(language).gettext(_LABELS[queue])


async def _page(turn: Turn, queue: str, offset: int, limit: int) -> tuple[list[Order], int]:
    return await queue_page(turn.uow, queue, offset, limit)


async def queues_command(desk: MerchantDesk, turn: Turn) -> Outcome:
    return await show_queues(desk, turn, OrderQueues())


async def show_queues(desk: MerchantDesk, turn: Turn, _action: OrderQueues) -> Outcome:
    _ = turn._
    rows: Rows = []
    for queue in QUEUES:
        _orders, count = await _page(turn, queue, 0, 1)
        rows.append([turn.button(f"{_(_LABELS[queue])} ({count})", OrderQueue(queue, 0))])
    return turn.say(_("Orders waiting for the shop:"), rows)


async def show_queue(desk: MerchantDesk, turn: Turn, action: OrderQueue) -> Outcome:
    _ = turn._
    size = desk.page_size
    orders, total = await _page(turn, action.queue, action.page * size, size)
    pages = max((total + size - 1) // size, 1)
    if not orders and action.page > 0:  # the queue shrank since this button was drawn
        return await show_queue(desk, turn, OrderQueue(action.queue, 0))
    rows: Rows = [
        [turn.button(f"{o.number} · {turn.money(o.total)} · {o.customer_name or '—'}", OpenOrder(o.number))]
        for o in orders
    ]
    nav = []
    if action.page > 0:
        nav.append(turn.button("◀", OrderQueue(action.queue, action.page - 1)))
    if action.page + 1 < pages:
        nav.append(turn.button("▶", OrderQueue(action.queue, action.page + 1)))
    rows += [nav, [turn.button(_("⬅ Queues"), OrderQueues())]]
    title = _(_LABELS[action.queue])
    if not orders:
        return turn.say(_("{queue}: nothing waiting.").format(queue=title), rows)
    text = turn.ngettext(
        "{queue}: {count} order, page {page} of {pages}.",
        "{queue}: {count} orders, page {page} of {pages}.",
        total,
    ).format(queue=title, count=total, page=action.page + 1, pages=pages)
    notes = [f"📝 {o.number}: {o.delivery_note}" for o in orders if o.delivery_note]  # for the packer
    return turn.say("\n".join([text, *notes]), rows)


async def order_command(desk: MerchantDesk, turn: Turn) -> Outcome:
    number = turn.event.args.strip().upper()
    if not number:
        return turn.say(turn._("Usage: /order <order number>, e.g. /order K7M-2QXD"))
    return await open_order(desk, turn, OpenOrder(number[:12]))


async def open_order(desk: MerchantDesk, turn: Turn, action: OpenOrder) -> Outcome:
    """The card with its full timeline, as a new message: the merchant-chat card stays where it is."""
    order = await turn.uow.orders.get(action.number)
    if order is None:
        return turn.say(turn._("Order {number} was not found.").format(number=action.number))
    view = await card_view_for(
        turn.uow, order, turn.language, manual_delivery=desk.manual_delivery, full_timeline=True
    )
    back = (turn.button(turn._("⬅ Queues"), OrderQueues()),)
    return Outcome([Reply(view.text, (*view.buttons, back))])
