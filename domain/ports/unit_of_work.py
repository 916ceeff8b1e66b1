"""The unit of work: one per update or job run, committed once at the edge."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from domain.ports.repositories import (
    Carts,
    Categories,
    Customers,
    Dialogs,
    FunnelEvents,
    Orders,
    Outbox,
    PaymentAttempts,
    ProcessedUpdates,
    ProcessedWebhookEvents,
    ProductChanges,
    Products,
    ShopMessages,
    Stocks,
)

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork(Protocol):
    categories: Categories
    products: Products
    product_changes: ProductChanges
    shop_messages: ShopMessages
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
