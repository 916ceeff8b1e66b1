"""Repositories the unit of work holds: each flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.actor import Actor
from domain.analytics import FunnelStep
from domain.cart import Cart
from domain.catalog.changes import ProductChange
from domain.catalog.products import Category, Product
from domain.catalog.stock import StockLevel
from domain.conversation import ShopMessage
from domain.customer import Customer
from domain.events import DomainEvent
from domain.money import Money
from domain.order import Order
from domain.order_status import OrderStatus
from domain.outbox import OutboxMessage
from domain.payments.attempts import PaymentAttempt, PaymentStats
from domain.payments.refunds import PendingRefund
from domain.promo import PromoCode, PromoReport

__all__ = [
    "Categories",
    "Products",
    "ProductChanges",
    "ShopMessages",
    "StockAudit",
    "Stocks",
    "Customers",
    "Carts",
    "Orders",
    "Outbox",
    "ProcessedUpdates",
    "PaymentAttempts",
    "ProcessedWebhookEvents",
    "EarlyRefunds",
    "Dialogs",
    "FunnelEvents",
    "Promos",
    "Refunds",
]


class Categories(Protocol):
    async def add(self, category: Category) -> None: ...
    async def list(self) -> list[Category]: ...


class Products(Protocol):
    async def add(self, product: Product) -> None: ...
    async def get(self, sku: str) -> Product | None: ...
    async def get_with_stock(self, sku: str) -> tuple[Product | None, StockLevel | None]:
        """The product and its stock level, read together (a product card shows both)."""

    async def list_by_category(
        self, category: str, *, offset: int = 0, limit: int = 10, include_inactive: bool = False
    ) -> tuple[list[Product], int]: ...
    async def search(self, text: str, *, limit: int = 10, include_inactive: bool = False) -> list[Product]:
        """Active products whose name contains `text`; staff (`include_inactive`) also match a sku."""

    async def list_all(self) -> list[Product]: ...
    async def ordered(self, sku: str) -> bool:
        """True when an order has a line of this product."""

    async def delete(self, sku: str) -> None:
        """Remove a product no order references, with its stock level."""


class ProductChanges(Protocol):
    async def add(self, change: ProductChange) -> None: ...
    async def latest(self, sku: str, *, limit: int = 5) -> list[ProductChange]:
        """Newest first."""


class ShopMessages(Protocol):
    async def add(self, message: ShopMessage) -> int:
        """Store it; its new id (also set on the message)."""

    async def get(self, message_id: int) -> ShopMessage | None: ...
    async def relayed_as(self, merchant_message_id: int) -> ShopMessage | None:
        """The customer message whose copy in the merchant chat has this Telegram message id."""

    async def remember_relay(self, message_id: int, merchant_message_id: int) -> None: ...
    async def for_order(self, order_number: str, *, limit: int = 20) -> list[ShopMessage]:
        """Thread and notes, oldest first."""

    async def count_for_order(self, order_number: str) -> int:
        """Customer and shop messages about the order (internal notes not counted)."""

    async def sent_by_customer_since(self, customer_id: int, since: datetime) -> int: ...


@dataclass(frozen=True, slots=True)
class StockAudit:
    sku: str
    actor: Actor
    at: datetime
    change: str  # "restock +5", "set 12", "safety 3", "disable"


class Stocks(Protocol):
    async def get(self, sku: str) -> StockLevel | None: ...
    async def add(self, level: StockLevel) -> None: ...
    async def save(self, level: StockLevel, audit: StockAudit) -> None:
        """Persist a manual edit (restock, set, safety) made on a level got from `get`."""

    async def reserve(
        self, order_number: str, lines: Sequence[tuple[str, int]], expires_at: datetime
    ) -> list[DomainEvent]:
        """Atomically hold every line or none (raises `OutOfStock`)."""

    async def commit(self, order_number: str) -> None:
        """Held reservations of the order stop expiring (payment, or cash-on-delivery acceptance)."""

    async def release(self, order_number: str) -> None:
        """Live reservations of the order go back to available."""

    async def ship(self, order_number: str) -> list[DomainEvent]:
        """The order's units leave on hand."""

    async def list_levels(self, *, offset: int = 0, limit: int = 20) -> tuple[list[StockLevel], int]:
        """Low-stock first, then by sku."""


class Customers(Protocol):
    async def get(self, telegram_id: int) -> Customer | None: ...
    async def add(self, customer: Customer) -> None: ...
    async def get_in_dialog(
        self, telegram_id: int
    ) -> tuple[Customer | None, tuple[str, dict[str, Any]] | None]:
        """The customer and their open dialog (as `Dialogs.get`), in one read: every turn needs both."""

    async def update(self, customer: Customer, *fields: str) -> None:
        """Store only `fields` (e.g. "language") of a stored customer; the other columns stay as they are
        (a reminder setting must not overwrite a phone number saved meanwhile)."""

    async def mark_unreachable(self, telegram_id: int) -> bool:
        """Set only the unreachable flag (no other field is rewritten); False if unknown or already set."""


class Carts(Protocol):
    async def get(self, customer_id: int) -> Cart: ...  # an empty cart when none stored
    async def save(self, cart: Cart, *, now: datetime) -> None:
        """Store the cart; `now` (the caller's clock) is its last activity, for abandoned-cart reminders."""


class Orders(Protocol):
    async def add(self, order: Order) -> None:
        """Insert a new order (raises if the number is taken)."""

    async def save(self, order: Order) -> None:
        """Persist changes of an order got from `get_for_update`: status, fields, new timeline entries."""

    async def get(self, number: str) -> Order | None: ...
    async def get_for_update(self, number: str) -> Order | None: ...
    async def list_for_customer(self, customer_id: int, *, limit: int = 10) -> list[Order]: ...
    async def list_by_status(
        self, statuses: Sequence[OrderStatus], *, offset: int = 0, limit: int = 10
    ) -> tuple[list[Order], int]: ...
    async def expired_unpaid(self, now: datetime, *, limit: int = 100) -> list[Order]: ...


class Outbox(Protocol):
    async def add(self, message: OutboxMessage) -> None:
        """Enqueue; a message whose dedupe_key is already stored is silently dropped."""

    async def add_replies(self, messages: Sequence[OutboxMessage]) -> None:
        """A turn's replies, its last writes: the unit of work commits next. Each gets its `id`. The turn's
        update is settled with them where the database can (`AlreadyHandled` when it was meanwhile)."""


class ProcessedUpdates(Protocol):
    async def first_time(self, update_id: int, at: datetime, *, failed: bool = False) -> bool:
        """Record the Telegram update id as handled `at`; False when it was already recorded (a
        redelivery). Its inbox row (if any) is settled in the same transaction: done, or `failed` when
        handling gave up. The record is kept for a while (`Housekeeping.prune_updates`), long enough to
        outlast Telegram's redeliveries."""

    async def first_time_in_dialog(
        self, update_id: int, at: datetime, telegram_id: int
    ) -> tuple[bool, Customer | None, tuple[str, dict[str, Any]] | None]:
        """`first_time(update_id, at)` and, when it is, `Customers.get_in_dialog(telegram_id)`: what a turn
        does first, in one round trip where the database can (False, None, None for a redelivery)."""


class PaymentAttempts(Protocol):
    async def add(self, attempt: PaymentAttempt) -> None: ...
    async def save(self, attempt: PaymentAttempt) -> None:
        """Persist outcome and refs of an attempt got from this repository."""

    async def latest(self, order_number: str) -> PaymentAttempt | None:
        """The order's most recent attempt."""

    async def find(self, ref: str) -> PaymentAttempt | None:
        """The attempt whose provider_ref, charge_ref or refund_ref is `ref`."""

    async def stats(self, since: datetime, until: datetime) -> PaymentStats:
        """Attempts created in [since, until): how many, and how many collected money."""


class ProcessedWebhookEvents(Protocol):
    async def first_time(self, source: str, event_id: str, at: datetime) -> bool:
        """Record ("stripe", "evt_...") or ("telegram", charge id); False when already recorded."""


class EarlyRefunds(Protocol):
    """Refunds the payment provider reported before the payment itself: kept until the payment lands."""

    async def keep(self, ref: str, refunded_minor: int | None, at: datetime) -> None:
        """`ref`: the payment (intent or charge) id; `refunded_minor`: refunded so far, None: all of it.
        A later report of the same payment replaces it."""

    async def take(self, ref: str) -> tuple[bool, int | None]:
        """(True, refunded) and forget it, when a refund of `ref` was kept; else (False, None)."""


class Dialogs(Protocol):
    """Where each user is in a conversation (e.g. checkout step) and the form data gathered so far."""

    async def get(self, user_id: int) -> tuple[str, dict[str, Any]] | None: ...
    async def set(self, user_id: int, state: str, data: dict[str, Any]) -> None: ...
    async def clear(self, user_id: int) -> None: ...
    async def in_states(self, states: Sequence[str]) -> list[tuple[int, str, dict[str, Any]]]:
        """(user id, state, data) of everyone in one of `states` (staff prompts: a handful)."""

    async def message_of(self, user_id: int) -> int | None:
        """The message showing the user's open question, or None when unknown: recorded when it was sent
        (`OutboxQueue.mark_sent(question=...)`); `set` to another state forgets it."""


class FunnelEvents(Protocol):
    async def record(self, step: FunnelStep, customer_id: int, at: datetime) -> None:
        """Note that a customer reached a funnel step (in the caller's transaction)."""


class Promos(Protocol):
    """Promo codes; a use is claimed when an order is placed and given back when it ends unpaid."""

    async def add(self, promo: PromoCode) -> bool:
        """Insert a new code; False when that code exists already."""

    async def get(self, code: str) -> PromoCode | None: ...
    async def list(self) -> list[PromoCode]: ...
    async def set_paused(self, code: str, paused: bool) -> bool:
        """False when there is no such code."""

    async def uses_by(self, code: str, customer_id: int) -> int:
        """How many of this customer's orders count a use of the code."""

    async def claim(
        self, promo: PromoCode, order_number: str, customer_id: int, discount: Money, now: datetime
    ) -> None:
        """Atomically count one use for the order, or raise `PromoRefused` (the last use went elsewhere)."""

    async def give_back(self, order_number: str) -> None:
        """The order's use no longer counts (idempotent)."""

    async def take_again(self, order_number: str) -> None:
        """A given-back use counts again (a late payment; idempotent)."""

    async def report(self, code: str, currency: str) -> PromoReport: ...


class Refunds(Protocol):
    """Refunds owed (`domain.payments.refunds`), written in the transaction that withdrew the order."""

    async def add(self, refund: PendingRefund) -> bool:
        """Record it and set its id; False when a refund with its idempotency key is recorded already."""

    async def get(self, refund_id: int) -> PendingRefund | None: ...
    async def due(self, now: datetime, *, limit: int = 20) -> list[PendingRefund]:
        """Pending refunds whose next try is due, oldest first."""

    async def for_order(self, order_number: str) -> list[PendingRefund]:
        """The order's refunds in every state, oldest first (its card shows what is on its way or left
        to staff)."""

    async def save(self, refund: PendingRefund) -> None: ...
