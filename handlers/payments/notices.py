"""Outbox messages that payments produce: receipts, merchant cards and alerts, apologies.

Each message carries a dedupe key, so a redelivered webhook or a job run twice enqueues it once. Customer
messages go to the customer's private chat (its id is the customer's Telegram id), in their language;
merchant messages are English, from the same catalogs. This is the only sender of the merchant's order
card: a cash order when it is placed, a prepaid order when it is paid. The merchant desk lends its card
renderer (`order_card`) and its redraw of the cards a change touched (`cards`, its `refresh_cards`), so a
refund the provider confirmed, or one given up on, shows on the order's card in the transaction that
records it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

import structlog

from domain.events import DomainEvent
from domain.money import Money
from domain.order import Order
from domain.ports import UnitOfWork
from handlers.actions.customer import BuyAgain, pack
from handlers.kernel.i18n import MERCHANT_LANGUAGE, customer_language, translations
from handlers.kernel.money_text import money_text
from handlers.kernel.outbox import write_reply
from handlers.kernel.reply import Button, Reply
from handlers.kernel.status_text import discount_text, method_label, status_label

__all__ = ["PaymentNotices", "RefreshCards", "plain_order_card"]

log = structlog.get_logger(__name__)

# What the merchant desk does with a transaction's domain events, in that transaction: redraw the cards of
# the orders they changed (`MerchantDesk.refresh_cards`, through the outbox).
RefreshCards = Callable[[UnitOfWork, Iterable[DomainEvent], datetime], Awaitable[None]]


def plain_order_card(order: Order) -> Reply:
    """A merchant card without buttons; the merchant handlers pass their own renderer."""
    _ = translations(MERCHANT_LANGUAGE).gettext
    lines = "\n".join(f"{line.quantity} × {line.name} ({line.sku})" for line in order.lines)
    text = [
        _("Order {number} — {status}").format(
            number=order.number, status=status_label(order.status, MERCHANT_LANGUAGE)
        ),
        lines,
        _("Delivery: {label}").format(label=order.delivery.label),
        _("Total: {amount} ({method})").format(
            amount=money_text(order.total, MERCHANT_LANGUAGE),
            method=method_label(order.payment_method, MERCHANT_LANGUAGE, pickup=order.is_pickup),
        ),
    ]
    return Reply("\n".join(text))


def _receipt(order: Order, language: str) -> str:
    _ = translations(language).gettext
    text = [_("Payment received, thank you! Order {number}").format(number=order.number)]
    text += [
        f"{line.quantity} × {line.display_name(language)}: {money_text(line.total, language)}"
        for line in order.lines
    ]
    text += [discount_text(order, _, language)] if order.discount_minor else []
    fee = money_text(order.shipping_fee, language)
    text += [
        _("Delivery: {option} — {fee}").format(option=order.delivery.label_for(language), fee=fee),
        _("Total paid: {amount}").format(amount=money_text(order.total, language)),
        _("We will tell you when it is ready to collect.")
        if order.is_pickup
        else _("We will tell you when it ships."),
    ]
    return "\n".join(text)


def _expired(order: Order, language: str) -> str:
    _ = translations(language).gettext
    return _(
        "Order {number} was not paid in time, so its items went back on sale. "
        "Restore your cart to order them again."
    ).format(number=order.number)


def _reason(order: Order, reason: str, language: str) -> str:
    """`reason` is a catalog msgid (see `handlers.payments.settlement`); it may name the order's status."""
    status = status_label(order.status, language).lower()  # mid-sentence; a no-op in Chinese
    return translations(language).gettext(reason).format(status=status)


def _sent_back(order: Order, received: Money, reason: str, language: str) -> str:
    _ = translations(language).gettext
    return _(
        "Sorry! Your payment of {amount} for order {number} arrived after {reason}. "
        "It is on its way back to you in full: we will tell you when the refund has been issued."
    ).format(
        amount=money_text(received, language), number=order.number, reason=_reason(order, reason, language)
    )


def _payment_returned(order: Order, amount: Money, language: str) -> str:
    _ = translations(language).gettext
    return _(
        "The refund of your payment of {amount} for order {number} has been issued; "
        "banks usually show it within 5-10 days."
    ).format(amount=money_text(amount, language), number=order.number)


def _refunded(order: Order, amount: Money, language: str) -> str:
    _ = translations(language).gettext
    return _(
        "Your refund of {amount} for order {number} has been issued; banks usually show it within 5-10 days."
    ).format(amount=money_text(amount, language), number=order.number)


def _refunded_after_returns(order: Order, amount: Money, language: str) -> str:
    _ = translations(language).gettext
    return _(
        "Everything in order {number} came back and the order is refunded in full ({total}). The last "
        "refund, {amount}, has been issued; banks usually show it within 5-10 days."
    ).format(
        number=order.number, total=money_text(order.total, language), amount=money_text(amount, language)
    )


def _partly_refunded(order: Order, amount: Money, language: str) -> str:
    _ = translations(language).gettext
    return _(
        "A refund of {amount} for order {number} has been issued ({refunded} of {total} so far); "
        "banks usually show it within 5-10 days."
    ).format(amount=amount, number=order.number, refunded=order.refunded, total=order.total)


@dataclass(frozen=True, slots=True)
class PaymentNotices:
    merchant_chat_id: int | None
    order_card: Callable[[Order], Reply] = field(default=plain_order_card)
    cards: RefreshCards | None = None  # the desk's redraw; None: no desk, cards are drawn when pressed

    async def refresh_cards(self, uow: UnitOfWork, events: Iterable[DomainEvent], now: datetime) -> None:
        """Redraw the merchant cards of the orders `events` changed, in `uow`'s transaction."""
        if self.cards is not None:
            await self.cards(uow, events, now)

    async def _send(
        self, uow: UnitOfWork, chat_id: int | None, reply: Reply, key: str, now: datetime
    ) -> None:
        if chat_id is None:
            log.warning("merchant_chat_not_configured", dedupe_key=key)
            return
        await write_reply(uow, chat_id, reply, now, dedupe_key=key)

    async def _customer(
        self, uow: UnitOfWork, order: Order, text: Callable[[str], str], key: str, now: datetime
    ) -> None:
        """`text(language)` is written in the customer's language."""
        reply = Reply(text(await customer_language(uow, order.customer_id)))
        await self._send(uow, order.customer_id, reply, f"order:{order.number}:{key}", now)

    async def _merchant(self, uow: UnitOfWork, order: Order, text: str, key: str, now: datetime) -> None:
        await self._send(uow, self.merchant_chat_id, Reply(text), f"order:{order.number}:{key}", now)

    async def _card(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        card = self.order_card(order)
        await self._send(uow, self.merchant_chat_id, card, f"order:{order.number}:card", now)

    async def paid(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        await self._customer(uow, order, partial(_receipt, order), "paid:customer", now)
        await self._card(uow, order, now)

    async def cash_order(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        """The customer saw their confirmation in the conversation; the shop gets the order's card."""
        await self._card(uow, order, now)

    async def expired(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        """The customer is offered their cart back (what is still on sale; see "Buy again")."""
        language = await customer_language(uow, order.customer_id)
        restore = Button(translations(language).gettext("🛒 Restore cart"), pack(BuyAgain(order.number)))
        reply = Reply(_expired(order, language), ((restore,),))
        await self._send(uow, order.customer_id, reply, f"order:{order.number}:payment_expired", now)

    async def amount_mismatch(
        self, uow: UnitOfWork, order: Order, received: Money, ref: str, now: datetime
    ) -> None:
        _ = translations(MERCHANT_LANGUAGE).gettext
        text = _(
            "⚠️ Payment {ref} for order {number} was {received}, but the order totals {total}. "
            "The order was NOT marked paid. Check the payment in the provider's dashboard and refund it "
            "or settle the difference with the customer."
        ).format(
            ref=ref,
            number=order.number,
            received=money_text(received, MERCHANT_LANGUAGE),
            total=money_text(order.total, MERCHANT_LANGUAGE),
        )
        await self._merchant(uow, order, text, f"mismatch:{ref}", now)

    async def refunded_unaccepted(
        self, uow: UnitOfWork, order: Order, received: Money, ref: str, reason: str, now: datetime
    ) -> None:
        """Money arrived for an order that cannot take it: it is owed back (issued after commit, retried by
        the job); the customer is told it is on its way, and again once issued (`payment_returned`)."""
        text = partial(_sent_back, order, received, reason)
        await self._customer(uow, order, text, f"auto_refund:{ref}:customer", now)
        _ = translations(MERCHANT_LANGUAGE).gettext
        alert = _(
            "ℹ️ Payment {ref} of {amount} for order {number} arrived after {reason}; it is being refunded "
            "automatically."
        ).format(
            ref=ref,
            amount=money_text(received, MERCHANT_LANGUAGE),
            number=order.number,
            reason=_reason(order, reason, MERCHANT_LANGUAGE),
        )
        await self._merchant(uow, order, alert, f"auto_refund:{ref}:merchant", now)

    async def payment_returned(
        self, uow: UnitOfWork, order: Order, amount: Money, key: str, now: datetime
    ) -> None:
        """The provider took the refund of a payment the order could not take (`refunded_unaccepted`)."""
        await self._customer(uow, order, partial(_payment_returned, order, amount), key, now)

    async def refunded(self, uow: UnitOfWork, order: Order, amount: Money, now: datetime) -> None:
        await self._customer(uow, order, partial(_refunded, order, amount), "refunded", now)

    async def refunded_merchant(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        _ = translations(MERCHANT_LANGUAGE).gettext
        text = _(
            "↩ Order {number} was refunded in full ({amount}) in the payment provider; it is Refunded now."
        )
        await self._merchant(
            uow, order, text.format(number=order.number, amount=order.refunded), "refunded:merchant", now
        )

    async def refunded_after_returns(
        self, uow: UnitOfWork, order: Order, amount: Money, now: datetime
    ) -> None:
        """Part-returns added up to the whole order: it is Refunded, and both sides read so."""
        text = partial(_refunded_after_returns, order, amount)
        await self._customer(uow, order, text, "refunded_after_returns", now)
        _ = translations(MERCHANT_LANGUAGE).gettext
        merchant = _(
            "↩ Order {number}: every item came back and {total} is refunded in full; it is Refunded now."
        ).format(number=order.number, total=money_text(order.total, MERCHANT_LANGUAGE))
        await self._merchant(uow, order, merchant, "refunded_after_returns:merchant", now)

    async def partly_refunded(
        self, uow: UnitOfWork, order: Order, amount: Money, now: datetime, *, key: str = ""
    ) -> None:
        """Part of the payment went back; the order goes on as it was. Told once per `key` (by default
        per amount refunded so far)."""
        key = key or f"partly_refunded:{order.refunded_minor}"
        await self._customer(uow, order, partial(_partly_refunded, order, amount), key, now)
        _ = translations(MERCHANT_LANGUAGE).gettext
        text = _(
            "↩ Order {number}: {amount} refunded in the payment provider ({refunded} of {total} so far). "
            "The order stays {status}."
        ).format(
            number=order.number,
            amount=amount,
            refunded=order.refunded,
            total=order.total,
            status=status_label(order.status, MERCHANT_LANGUAGE),
        )
        await self._merchant(uow, order, text, f"{key}:merchant", now)
