"""The unit of work: one per update or job run, committed once at the edge."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from domain.ports.repositories import (
    Carts,
    Categories,
    Customers,
    Dialogs,
    EarlyRefunds,
    FunnelEvents,
    Orders,
    Outbox,
    PaymentAttempts,
    ProcessedUpdates,
    ProcessedWebhookEvents,
    ProductChanges,
    Products,
    Promos,
    Refunds,
    ShopMessages,
    Stocks,
)

__all__ = ["UnitOfWork", "UnitOfWorkFactory", "AlreadyHandled"]


class AlreadyHandled(Exception):
    """Raised by a turn's last write or its commit: another turn handled the same update meanwhile (its
    lease had run out), so nothing of this one is kept. The caller rolls back and answers nothing."""


class UnitOfWork(Protocol):
    # Read-only members, so that a unit of work holding `SqlAlchemyCarts` is one holding `Carts`.
    @property
    def categories(self) -> Categories: ...
    @property
    def products(self) -> Products: ...
    @property
    def product_changes(self) -> ProductChanges: ...
    @property
    def shop_messages(self) -> ShopMessages: ...
    @property
    def stocks(self) -> Stocks: ...
    @property
    def customers(self) -> Customers: ...
    @property
    def carts(self) -> Carts: ...
    @property
    def orders(self) -> Orders: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def updates(self) -> ProcessedUpdates: ...
    @property
    def dialogs(self) -> Dialogs: ...
    @property
    def payment_attempts(self) -> PaymentAttempts: ...
    @property
    def webhook_events(self) -> ProcessedWebhookEvents: ...
    @property
    def early_refunds(self) -> EarlyRefunds: ...
    @property
    def funnel(self) -> FunnelEvents: ...
    @property
    def promos(self) -> Promos: ...
    @property
    def refunds(self) -> Refunds: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    async def commit(self) -> None:
        """Commit; `AlreadyHandled` when the update this unit of work settles was settled meanwhile."""

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> UnitOfWork: ...
