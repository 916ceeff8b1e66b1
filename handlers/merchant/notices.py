"""Outbox messages the merchant side writes: the new-order card for the merchant chat, card edits (and
which domain events call for one: `refresh_cards`), and what the customer is told when staff move their
order.

Customer notices use the outbox convention "order:<number>:<status>" as dedupe key. They are written
while the handler runs, before `handlers.kernel.notifications` turns the turn's events into its generic
"Update on order …" messages with the same keys, so the customer gets this richer one (with the reason,
the refund and the tracking link) and never both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.actor import Actor, ActorKind
from domain.events import (
    DomainEvent,
    OrderMessageAdded,
    OrderStatusChanged,
    RefundFailed,
    RefundRecorded,
)
from domain.order import Order
from domain.order_status import OrderStatus
from domain.outbox import OutboxMessage
from domain.ports import UnitOfWork
from handlers.actions.contact import ContactShop
from handlers.actions.customer import pack
from handlers.kernel.i18n import N_, translations
from handlers.kernel.notifications import status_key
from handlers.kernel.outbox import write_reply
from handlers.kernel.reply import Button, Reply
from handlers.kernel.status_text import tracking_url
from handlers.merchant.order_card import card_view, card_view_for

__all__ = [
    "REASONS",
    "reason_text",
    "new_order_card",
    "card_order_number",
    "enqueue_card_edit",
    "refresh_cards",
    "notify_customer",
    "needs_merchant",
]

S = OrderStatus

REASONS = {
    "stock": N_("an item is out of stock"),
    "address": N_("we cannot deliver to this address"),
    "fraud": N_("the order could not be verified"),
    "shop": N_("the shop cannot fulfil it"),
}

_NOTICE = {
    S.ACCEPTED: N_("Good news: the shop accepted your order {number} and is preparing it."),
    S.REJECTED: N_("Sorry, the shop could not accept your order {number}: {reason}."),
    S.CANCELLED: N_("The shop cancelled your order {number}: {reason}."),
    S.SHIPPED: N_("Your order {number} is on its way with {carrier}. Tracking number: {tracking}"),
    S.IN_TRANSIT: N_("Your order {number} is in transit."),
    S.OUT_FOR_DELIVERY: N_("Your order {number} is out for delivery."),
    S.DELIVERED: N_("Your order {number} was delivered. Enjoy!"),
    S.DELIVERY_EXCEPTION: N_("There is a problem delivering your order {number}. The shop will contact you."),
}

# An order collected at the shop: what its receipt promised ("we tell you when it is ready to collect")
_PICKUP_NOTICE = {
    **_NOTICE,
    S.PACKED: N_("Your order {number} is ready to collect at the shop."),
    S.DELIVERED: N_("You collected your order {number}. Enjoy!"),
}


def reason_text(reason: str, language: str) -> str:
    """A reason code from the short list in `language`, or a typed reason as it was typed."""
    return translations(language).gettext(REASONS[reason]) if reason in REASONS else reason


def card_order_number(message: OutboxMessage) -> str | None:
    """The order whose new card `message` is, from the dedupe key "order:<number>:card" that
    `handlers.payments.notices` gives it; the relay hook in `bot.wiring.merchant` then stores the sent
    message id as the order's `merchant_message_id`."""
    key = message.dedupe_key or ""
    head, _sep, rest = key.partition(":")
    number, _sep, tail = rest.rpartition(":")
    return number if head == "order" and tail == "card" and number else None


def needs_merchant(order: Order) -> bool:
    """Paid, or placed as cash on delivery: the shop has to act on it."""
    return order.status is S.PAID or (order.status is S.PLACED and not order.payment_method.prepaid)


def new_order_card(order: Order, *, manual_delivery: bool, language: str = "en") -> Reply:
    """The first card of an order (no staff steps yet): `PaymentNotices(order_card=...)` sends it."""
    view = card_view(order, language, {}, manual_delivery=manual_delivery)
    return Reply(view.text, view.buttons)


async def _card_reply(uow: UnitOfWork, order: Order, language: str, manual_delivery: bool) -> Reply:
    view = await card_view_for(uow, order, language, manual_delivery=manual_delivery)
    return Reply(view.text, view.buttons)


async def enqueue_card_edit(
    uow: UnitOfWork,
    order: Order,
    *,
    chat_id: int | None,
    now: datetime,
    language: str = "en",
    manual_delivery: bool = True,
) -> bool:
    """Queue an in-place edit of the card in the merchant chat, when its message id is known."""
    if chat_id is None or order.merchant_message_id is None:
        return False
    reply = await _card_reply(uow, order, language, manual_delivery)
    await write_reply(uow, chat_id, reply, now, edit_message_id=order.merchant_message_id)
    return True


def _card_changed_by(event: DomainEvent) -> str | None:
    """The order whose card `event` changes: someone other than staff (the customer, a job, a carrier, the
    payment provider) moved it or refunded part of it (staff see the card they pressed redrawn), its
    conversation grew (the card counts its messages), or a refund of it failed (the card asks for it by
    hand)."""
    if isinstance(event, OrderStatusChanged | RefundRecorded):
        return event.order_number if Actor.parse(event.actor).kind is not ActorKind.STAFF else None
    if isinstance(event, OrderMessageAdded | RefundFailed):
        return event.order_number
    return None


async def refresh_cards(
    uow: UnitOfWork,
    events: Iterable[DomainEvent],
    now: datetime,
    *,
    chat_id: int | None,
    manual_delivery: bool,
) -> None:
    """Queue, in `uow`'s transaction, an edit of the merchant-chat card of every order `events` changed
    for staff (`MerchantDesk.refresh_cards`; jobs outside a turn call it with the desk's settings)."""
    numbers = {number for number in map(_card_changed_by, events) if number is not None}
    for number in sorted(numbers):
        order = await uow.orders.get(number)
        if order is not None:
            await enqueue_card_edit(uow, order, chat_id=chat_id, now=now, manual_delivery=manual_delivery)


async def notify_customer(uow: UnitOfWork, order: Order, now: datetime, *, reason: str = "") -> None:
    """Tell the customer about the status the order just reached (nothing for steps they need not hear)."""
    template = (_PICKUP_NOTICE if order.is_pickup else _NOTICE).get(order.status)
    if template is None:
        return
    customer = await uow.customers.get(order.customer_id)
    language = customer.language if customer else "en"
    _ = translations(language).gettext
    text = _(template).format(
        number=order.number,
        reason=reason_text(reason, language),
        carrier=order.carrier or "",
        tracking=order.tracking_number or "",
    )
    buttons: tuple[tuple[Button, ...], ...] = ()
    if order.status in (S.REJECTED, S.CANCELLED) and order.is_paid:
        text += "\n" + _("Your payment will be refunded.")
    url = tracking_url(order, language)
    if order.status is S.SHIPPED and url:
        buttons = ((Button(_("🔎 Track parcel"), url=url),),)
    if order.status in (S.REJECTED, S.CANCELLED, S.DELIVERY_EXCEPTION):
        buttons = ((Button(_("💬 Contact the shop"), pack(ContactShop(order.number))),),)
    key = status_key(order, order.status)
    await write_reply(uow, order.customer_id, Reply(text, buttons), now, dedupe_key=key)
