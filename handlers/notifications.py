"""Domain events → outbox messages, written in the same unit of work as the change that caused them.

Customers are told about status changes they did not make themselves, in their language; the merchant
chat hears about new orders, customer cancellations and low stock (kept minimal: the merchant side
renders its own cards).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.actor import Actor
from domain.events import DomainEvent, OrderPlaced, OrderStatusChanged, StockLow
from domain.order import Order
from domain.order_status import OrderStatus
from domain.outbox import OutboxMessage
from domain.ports import UnitOfWork
from handlers.actions import ShowOrder, pack
from handlers.i18n import translations
from handlers.orders import tracking_url
from handlers.reply import Button, Reply
from handlers.status_text import method_label, status_label

__all__ = ["enqueue"]

_MERCHANT_LANGUAGE = "en"


async def enqueue(
    uow: UnitOfWork, events: Iterable[DomainEvent], *, merchant_chat_id: int | None, now: datetime
) -> None:
    for event in events:
        for chat_id, reply, key in await _messages(uow, event, merchant_chat_id, now):
            if chat_id is not None:
                await uow.outbox.add(OutboxMessage(chat_id, reply.to_payload(), now, dedupe_key=key))


async def _messages(
    uow: UnitOfWork, event: DomainEvent, merchant: int | None, now: datetime
) -> list[tuple[int | None, Reply, str]]:
    if isinstance(event, StockLow):
        return [(merchant, _stock_low(event), f"stock:{event.sku}:low:{now:%Y%m%dT%H%M%S}")]
    if not isinstance(event, OrderPlaced | OrderStatusChanged):
        return []
    order = await uow.orders.get(event.order_number)
    if order is None:
        return []
    if isinstance(event, OrderPlaced):  # cash on delivery waits for the shop now; prepaid once paid
        return (
            []
            if order.payment_method.prepaid
            else [(merchant, _new_order(order), _key(order, "placed:merchant"))]
        )
    messages: list[tuple[int | None, Reply, str]] = []
    if event.actor == str(Actor.customer(order.customer_id)):  # they saw it directly; the shop must know
        messages.append((merchant, _customer_changed(order, event), _key(order, f"{event.new}:merchant")))
    else:
        customer = await uow.customers.get(order.customer_id)
        language = customer.language if customer else "en"
        messages.append((order.customer_id, _status_changed(order, event, language), _key(order, event.new)))
    if event.new == OrderStatus.PAID:
        messages.append((merchant, _new_order(order), _key(order, "paid:merchant")))
    return messages


def _key(order: Order, what: str) -> str:
    return f"order:{order.number}:{what}"


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
    url = tracking_url(order)
    if url:
        rows.append((Button(_("🔎 Track parcel"), url=url),))
    rows.append((Button(_("Order details"), pack(ShowOrder(order.number))),))
    return Reply("\n".join(text), buttons=tuple(rows))


def _new_order(order: Order) -> Reply:
    _ = translations(_MERCHANT_LANGUAGE).gettext
    text = _("New order {number}: {items} items, {total}, {method}.").format(
        number=order.number,
        items=order.item_count,
        total=order.total.format(),
        method=method_label(order.payment_method, _MERCHANT_LANGUAGE),
    )
    return Reply(text)


def _customer_changed(order: Order, event: OrderStatusChanged) -> Reply:
    _ = translations(_MERCHANT_LANGUAGE).gettext
    text = _("Order {number} is now {status} (by the customer).").format(
        number=order.number, status=status_label(event.new, _MERCHANT_LANGUAGE)
    )
    return Reply(text)


def _stock_low(event: StockLow) -> Reply:
    _ = translations(_MERCHANT_LANGUAGE).gettext
    text = _("Low stock: {sku} has {n} available (safety stock {safety}).").format(
        sku=event.sku, n=event.available, safety=event.safety
    )
    return Reply(text)
