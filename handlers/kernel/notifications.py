"""Domain events → outbox messages, written in the same unit of work as the change that caused them.

Customers are told about status changes they did not make themselves, in their language; the merchant
chat hears about customer cancellations and low stock. The merchant's order card (a cash order placed, a
prepaid order paid) is sent by `handlers.payments.notices` alone, so an order never gets two cards.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.actor import Actor
from domain.events import DomainEvent, OrderStatusChanged, StockLow
from domain.order import Order
from domain.order_status import OrderStatus
from domain.ports import UnitOfWork
from handlers.actions.customer import ShowOrder, pack
from handlers.kernel.i18n import MERCHANT_LANGUAGE, customer_language, translations
from handlers.kernel.outbox import write_reply
from handlers.kernel.reply import Button, Reply
from handlers.kernel.status_text import status_label, tracking_url
from handlers.kernel.stock_alert import low_stock_reply

__all__ = ["enqueue", "status_key"]


async def enqueue(
    uow: UnitOfWork, events: Iterable[DomainEvent], *, merchant_chat_id: int | None, now: datetime
) -> None:
    for event in events:
        for chat_id, reply, key in await _messages(uow, event, merchant_chat_id, now):
            if chat_id is not None:
                await write_reply(uow, chat_id, reply, now, dedupe_key=key)


async def _messages(
    uow: UnitOfWork, event: DomainEvent, merchant: int | None, now: datetime
) -> list[tuple[int | None, Reply, str | None]]:
    if isinstance(event, StockLow):  # once per dip: the level's alert flag flipped in this transaction
        level, product = await uow.stocks.get(event.sku), await uow.products.get(event.sku)
        if level is None:
            return []
        name = product.name if product else event.sku
        return [(merchant, low_stock_reply(level, name), None)]  # (a time key would swallow a second dip)
    if not isinstance(event, OrderStatusChanged):  # OrderPlaced: the card comes from payment notices
        return []
    order = await uow.orders.get(event.order_number)
    if order is None:
        return []
    if event.actor == str(Actor.customer(order.customer_id)):  # they saw it directly; the shop must know
        return [(merchant, _customer_changed(order, event), _key(order, f"{event.new}:merchant"))]
    language = await customer_language(uow, order.customer_id)
    return [(order.customer_id, _status_changed(order, event, language), status_key(order, event.new))]


def _key(order: Order, what: str) -> str:
    return f"order:{order.number}:{what}"


def status_key(order: Order, status: str) -> str:
    """The dedupe key of the customer's notice of `status`; a parcel shipped again (new tracking number)
    is news again."""
    if status == OrderStatus.SHIPPED and order.tracking_number:
        return _key(order, f"{status}:{order.tracking_number}")
    return _key(order, status)


def _status_changed(order: Order, event: OrderStatusChanged, language: str) -> Reply:
    _ = translations(language).gettext
    text = [
        _("Update on order {number}: {status}").format(
            number=order.number, status=status_label(event.new, language)
        )
    ]
    if order.tracking_number and event.new == OrderStatus.SHIPPED:
        text.append(
            _("Carrier: {carrier}, tracking number {number}").format(
                carrier=order.carrier or "—", number=order.tracking_number
            )
        )
    rows: list[tuple[Button, ...]] = []
    url = tracking_url(order, language)
    if url:
        rows.append((Button(_("🔎 Track parcel"), url=url),))
    rows.append((Button(_("Order details"), pack(ShowOrder(order.number))),))
    return Reply("\n".join(text), buttons=tuple(rows))


def _customer_changed(order: Order, event: OrderStatusChanged) -> Reply:
    _ = translations(MERCHANT_LANGUAGE).gettext
    text = _("Order {number} is now {status} (by the customer).").format(
        number=order.number, status=status_label(event.new, MERCHANT_LANGUAGE)
    )
    return Reply(text)
