"""Ports: what the domain needs from the outside, as small Protocols.

`storage/` implements the repositories and the unit of work; `bot/` implements gateways and the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from domain.actor import Actor
from domain.analytics import Figures, FunnelStep, OrderExportRow, ReportWindow
from domain.cart import Cart
from domain.catalog import Category, Product
from domain.clock import Clock
from domain.customer import Customer
from domain.events import DomainEvent
from domain.money import Money
from domain.order import Order
from domain.order_status import OrderStatus
from domain.outbox import OutboxMessage
from domain.payment import PaymentAttempt, PaymentStats
from domain.stock import StockLevel

__all__ = [
    "Clock",
    "Categories",
    "Products",
    "Stocks",
    "Customers",
    "Carts",
    "Orders",
    "Outbox",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "PaymentGateway",
    "CheckoutLink",
    "CarrierTracking",
    "TrackingStatus",
    "StockAudit",
    "ProcessedUpdates",
    "Dialogs",
    "Notifier",
    "OutboxQueue",
    "Shipment",
    "Shipments",
    "StaleCart",
    "StaleCarts",
    "PaymentAttempts",
    "ProcessedWebhookEvents",
    "FunnelEvents",
    "ShopFigures",
    "Inbox",
    "InboxUpdate",
]


class Categories(Protocol):
    async def add(self, category: Category) -> None: ...
    async def list(self) -> list[Category]: ...


class Products(Protocol):
    async def add(self, product: Product) -> None: ...
    async def get(self, sku: str) -> Product | None: ...
    async def list_by_category(
        self, category: str, *, offset: int = 0, limit: int = 10
    ) -> tuple[list[Product], int]: ...
    async def search(self, text: str, *, limit: int = 10) -> list[Product]: ...
    async def list_all(self) -> list[Product]: ...


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


class ProcessedUpdates(Protocol):
    async def first_time(self, update_id: int) -> bool:
        """Record the Telegram update id; False when it was already recorded (a redelivery)."""


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


class Dialogs(Protocol):
    """Where each user is in a conversation (e.g. checkout step) and the form data gathered so far."""

    async def get(self, user_id: int) -> tuple[str, dict[str, Any]] | None: ...
    async def set(self, user_id: int, state: str, data: dict[str, Any]) -> None: ...
    async def clear(self, user_id: int) -> None: ...


class FunnelEvents(Protocol):
    async def record(self, step: FunnelStep, customer_id: int, at: datetime) -> None:
        """Note that a customer reached a funnel step (in the caller's transaction)."""


class UnitOfWork(Protocol):
    categories: Categories
    products: Products
    stocks: Stocks
    customers: Customers
    carts: Carts
    orders: Orders
    outbox: Outbox
    updates: ProcessedUpdates
    dialogs: Dialogs
    payment_attempts: PaymentAttempts
    webhook_events: ProcessedWebhookEvents
    funnel: FunnelEvents

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> UnitOfWork: ...


@dataclass(frozen=True, slots=True)
class CheckoutLink:
    session_id: str
    url: str
    expires_at: datetime


class PaymentGateway(Protocol):
    async def create_checkout(self, order: Order, *, expires_at: datetime) -> CheckoutLink: ...
    async def refund(self, order: Order, amount: Money) -> str: ...


@dataclass(frozen=True, slots=True)
class TrackingStatus:
    tracking_number: str
    status: str  # the carrier-neutral main status, e.g. "InTransit"
    detail: str = ""
    at: datetime | None = None


class CarrierTracking(Protocol):
    """Raises `RetryLater` (rate limited) or `DeliveryFailed` (down, refused, garbled) for a whole call."""

    async def register(self, tracking_number: str, carrier: str | None = None) -> None: ...
    async def fetch(self, tracking_numbers: Sequence[str]) -> list[TrackingStatus]:
        """Statuses of registered numbers; a number the provider refuses comes back with status
        `domain.tracking.REJECTED` and the reason in `detail`."""

    async def register_many(self, parcels: Sequence[tuple[str, str | None]]) -> dict[str, str]:
        """Register (number, carrier) pairs; returns the refused numbers with their reasons."""


class Notifier(Protocol):
    """Delivers one outbox payload to a chat; raises `RecipientBlocked`, `RetryLater` or
    `DeliveryFailed` (domain.errors). Returns the platform's message id when there is one."""

    async def deliver(self, chat_id: int, payload: dict[str, Any]) -> int | None: ...


# -- jobs and outbox relay (additive) ------------------------------------------------------------


class OutboxQueue(Protocol):
    """The relay's side of the outbox: lease due pending rows, then settle each one.

    Every call is its own short transaction. Settling is conditional on still holding the lease
    (`worker`), so a relay whose lease expired (and whose rows another relay took) changes nothing.
    """

    async def lease(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 50
    ) -> list[OutboxMessage]:
        """Claim up to `limit` pending rows due at `now` and not leased (or lease expired), oldest first."""

    async def mark_sent(self, message_id: int, worker: str, now: datetime) -> bool: ...
    async def postpone(self, message_id: int, worker: str, at: datetime, *, error: str = "") -> bool:
        """Back to pending, due at `at`, without counting an attempt (flood control)."""

    async def retry(self, message_id: int, worker: str, at: datetime, error: str) -> bool:
        """Count a failed attempt and make the row due again at `at`."""

    async def fail(self, message_id: int, worker: str, error: str) -> bool: ...
    async def fail_chat(self, chat_id: int, error: str) -> int:
        """Give up every pending row of a chat (the recipient blocked the bot); returns how many."""


@dataclass(slots=True)
class Shipment:
    tracking_number: str
    order_number: str
    carrier: str | None = None
    last_status: str = ""  # the carrier's main status last seen, e.g. "InTransit"
    registered: bool = False  # accepted by the tracking provider
    active: bool = True  # polled; off once delivered, rejected or the order left transit
    failures: int = 0  # consecutive failed polls (backoff)
    next_poll_at: datetime | None = None


class Shipments(Protocol):
    """Parcels being polled at the carrier-tracking provider, leased like outbox rows."""

    async def track(self, shipments: Sequence[Shipment]) -> int:
        """Start polling these parcels, skipping numbers already tracked; returns how many are new."""

    async def lease_due(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 400
    ) -> list[Shipment]: ...
    async def save(self, shipment: Shipment, worker: str) -> bool:
        """Store status, flags and next poll time of a leased shipment and drop the lease."""


@dataclass(frozen=True, slots=True)
class StaleCart:
    customer_id: int
    updated_at: datetime
    item_count: int


class StaleCarts(Protocol):
    async def claim_idle(
        self, before: datetime, *, after: datetime, now: datetime, limit: int = 200
    ) -> list[StaleCart]:
        """Non-empty carts last changed in [`after`, `before`) and not reminded since, oldest first, marked
        reminded at `now`: each change of a cart is claimed once, by one caller, however many ask at once."""


class ShopFigures(Protocol):
    """Read-only figures for merchants, computed by the database (aggregates, never order by order)."""

    async def figures(self, window: ReportWindow) -> Figures: ...
    async def order_rows(self, window: ReportWindow) -> list[OrderExportRow]:
        """The orders placed in the window, oldest first, for export."""


@dataclass(frozen=True, slots=True)
class InboxUpdate:
    """A Telegram update as received (the Bot API's JSON), waiting in the durable inbox."""

    update_id: int
    chat_id: int | None
    payload: dict[str, Any]
    attempts: int  # processing attempts started so far, this one included


class Inbox(Protocol):
    """Telegram updates stored before the webhook answers 200, processed from here.

    Every call is its own short transaction. Claims lease the oldest pending update of each chat whose
    updates are not already leased, so one chat's updates run one at a time and in order; settling is
    conditional on still holding the lease (`worker`).
    """

    async def store(
        self, update_id: int, chat_id: int | None, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Keep the update; False when that update id is already stored (a redelivery)."""

    async def claim(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 16
    ) -> list[InboxUpdate]: ...
    async def finish(self, update_id: int, worker: str) -> bool:
        """Processed: done. (The handler's own transaction may already have settled it.)"""

    async def retry(self, update_id: int, worker: str, at: datetime) -> bool:
        """Processing failed: pending again, not before `at`; the chat's later updates wait for it."""

    async def fail(self, update_id: int, worker: str) -> bool:
        """Given up: the chat's later updates go on without it."""

    async def backlog(self) -> int:
        """Updates still pending."""
