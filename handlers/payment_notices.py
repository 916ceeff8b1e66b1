"""Outbox messages that payments produce: receipts, merchant cards and alerts, apologies.

Each message carries a dedupe key, so a redelivered webhook or a job run twice enqueues it once. Customer
messages go to the customer's private chat (its id is the customer's Telegram id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from domain.money import Money
from domain.order import Order
from domain.outbox import OutboxMessage
from domain.ports import UnitOfWork
from handlers.reply import Reply

__all__ = ["PaymentNotices", "plain_order_card"]

log = structlog.get_logger(__name__)


def plain_order_card(order: Order) -> Reply:
    """A merchant card without buttons; the merchant handlers pass their own renderer."""
    lines = "\n".join(f"{line.quantity} × {line.name} ({line.sku})" for line in order.lines)
    text = (
        f"Order {order.number} — {order.status.value.replace('_', ' ')}\n{lines}\n"
        f"Delivery: {order.delivery.label}\nTotal: {order.total} ({order.payment_method.value})"
    )
    return Reply(text)


def _receipt(order: Order) -> str:
    lines = "\n".join(f"{line.quantity} × {line.name}: {line.total}" for line in order.lines)
    return (
        f"Payment received, thank you! Order {order.number}\n{lines}\n"
        f"Delivery ({order.delivery.label}): {order.shipping_fee}\nTotal paid: {order.total}\n"
        "We will tell you when it ships."
    )


@dataclass(frozen=True, slots=True)
class PaymentNotices:
    merchant_chat_id: int | None
    order_card: Callable[[Order], Reply] = field(default=plain_order_card)

    async def _send(
        self, uow: UnitOfWork, chat_id: int | None, reply: Reply, key: str, now: datetime
    ) -> None:
        if chat_id is None:
            log.warning("merchant_chat_not_configured", dedupe_key=key)
            return
        await uow.outbox.add(OutboxMessage(chat_id, reply.to_payload(), now, dedupe_key=key))

    async def _customer(self, uow: UnitOfWork, order: Order, text: str, key: str, now: datetime) -> None:
        await self._send(uow, order.customer_id, Reply(text), f"order:{order.number}:{key}", now)

    async def _merchant(self, uow: UnitOfWork, order: Order, text: str, key: str, now: datetime) -> None:
        await self._send(uow, self.merchant_chat_id, Reply(text), f"order:{order.number}:{key}", now)

    async def _card(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        card = self.order_card(order)
        await self._send(uow, self.merchant_chat_id, card, f"order:{order.number}:card", now)

    async def paid(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        await self._customer(uow, order, _receipt(order), "paid:customer", now)
        await self._card(uow, order, now)

    async def cash_order(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        text = (
            f"Order {order.number} is with the shop. You pay {order.total} in cash on delivery; "
            "we will tell you when it ships."
        )
        await self._customer(uow, order, text, "cash:customer", now)
        await self._card(uow, order, now)

    async def expired(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        text = (
            f"Order {order.number} was not paid in time, so its items went back on sale. "
            "Your cart is empty now; add the items again to order them."
        )
        await self._customer(uow, order, text, "payment_expired", now)

    async def amount_mismatch(
        self, uow: UnitOfWork, order: Order, received: Money, ref: str, now: datetime
    ) -> None:
        text = (
            f"⚠️ Payment {ref} for order {order.number} was {received}, but the order totals {order.total}. "
            "The order was NOT marked paid. Check the payment in the provider's dashboard and refund it "
            "or settle the difference with the customer."
        )
        await self._merchant(uow, order, text, f"mismatch:{ref}", now)

    async def refunded_unaccepted(
        self, uow: UnitOfWork, order: Order, received: Money, ref: str, reason: str, now: datetime
    ) -> None:
        """Money that arrived for an order we cannot fulfil went back automatically."""
        text = (
            f"Sorry! Your payment of {received} for order {order.number} arrived after {reason}. "
            "We refunded it in full; banks usually show the refund within 5-10 days."
        )
        await self._customer(uow, order, text, f"auto_refund:{ref}:customer", now)
        alert = f"ℹ️ Payment {ref} of {received} for order {order.number} arrived after {reason}; refunded."
        await self._merchant(uow, order, alert, f"auto_refund:{ref}:merchant", now)

    async def refund_failed(self, uow: UnitOfWork, order: Order, ref: str, now: datetime) -> None:
        text = (
            f"⚠️ Could not refund payment {ref} for order {order.number} automatically. "
            "Refund it by hand in the payment provider's dashboard."
        )
        await self._merchant(uow, order, text, f"refund_failed:{ref}", now)

    async def refunded(self, uow: UnitOfWork, order: Order, amount: Money, now: datetime) -> None:
        text = (
            f"Your refund of {amount} for order {order.number} has been issued; "
            "banks usually show it within 5-10 days."
        )
        await self._customer(uow, order, text, "refunded", now)
