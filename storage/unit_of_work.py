"""`SqlAlchemyUnitOfWork`: one session, one transaction, every repository; commit once at the edge.

factory = SqlAlchemyUnitOfWorkFactory(engine)
async with factory() as uow:          # write=True: BEGIN IMMEDIATE on SQLite
    ...
    await uow.commit()                 # leaving without commit rolls back
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.analytics.funnel import SqlAlchemyFunnelEvents
from storage.catalog.cache import CatalogCache
from storage.catalog.repositories import SqlAlchemyCategories, SqlAlchemyProductChanges, SqlAlchemyProducts
from storage.conversations import SqlAlchemyShopMessages
from storage.customers import SqlAlchemyCarts, SqlAlchemyCustomers
from storage.database.engine import WRITE_OPTION, session_factory
from storage.messaging import SqlAlchemyDialogs, SqlAlchemyOutbox, SqlAlchemyProcessedUpdates
from storage.orders import SqlAlchemyOrders
from storage.payments import SqlAlchemyEarlyRefunds, SqlAlchemyPaymentAttempts, SqlAlchemyWebhookEvents
from storage.promos import SqlAlchemyPromos
from storage.queues.inbox import publish_settled, settle_left
from storage.queues.workers import worker_name
from storage.refunds import SqlAlchemyRefunds
from storage.stocks import SqlAlchemyStocks

__all__ = ["SqlAlchemyUnitOfWork", "SqlAlchemyUnitOfWorkFactory"]

_READ_ONLY = {WRITE_OPTION: False}


class SqlAlchemyUnitOfWork:
    categories: SqlAlchemyCategories
    products: SqlAlchemyProducts
    product_changes: SqlAlchemyProductChanges
    shop_messages: SqlAlchemyShopMessages
    stocks: SqlAlchemyStocks
    customers: SqlAlchemyCustomers
    carts: SqlAlchemyCarts
    orders: SqlAlchemyOrders
    outbox: SqlAlchemyOutbox
    updates: SqlAlchemyProcessedUpdates
    dialogs: SqlAlchemyDialogs
    payment_attempts: SqlAlchemyPaymentAttempts
    webhook_events: SqlAlchemyWebhookEvents
    early_refunds: SqlAlchemyEarlyRefunds
    funnel: SqlAlchemyFunnelEvents
    promos: SqlAlchemyPromos
    refunds: SqlAlchemyRefunds
    session: AsyncSession

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        write: bool = True,
        worker: str = "",
        catalog_cache: CatalogCache | None = None,
    ) -> None:
        self._sessions = sessions
        self.write = write
        self.worker = worker
        self._catalog_cache = catalog_cache

    async def __aenter__(self) -> Self:
        self.session = session = self._sessions()
        # Begin now, telling the SQLite begin hook whether to take the write lock up front (it takes it
        # unless told otherwise: a connection with options of its own costs a copy of it).
        await session.connection(**({} if self.write else {"execution_options": _READ_ONLY}))
        self._committed = False
        self.categories = SqlAlchemyCategories(session, self._catalog_cache)
        self.products = SqlAlchemyProducts(session, self._catalog_cache)
        self.product_changes = SqlAlchemyProductChanges(session)
        self.shop_messages = SqlAlchemyShopMessages(session)
        self.stocks = SqlAlchemyStocks(session)
        self.carts = SqlAlchemyCarts(session)
        self.customers = SqlAlchemyCustomers(session, self.carts)
        self.orders = SqlAlchemyOrders(session)
        self.outbox = SqlAlchemyOutbox(session, self.worker)
        self.updates = SqlAlchemyProcessedUpdates(session, self.customers)
        self.dialogs = SqlAlchemyDialogs(session)
        self.payment_attempts = SqlAlchemyPaymentAttempts(session)
        self.webhook_events = SqlAlchemyWebhookEvents(session)
        self.early_refunds = SqlAlchemyEarlyRefunds(session)
        self.funnel = SqlAlchemyFunnelEvents(session)
        self.promos = SqlAlchemyPromos(session)
        self.refunds = SqlAlchemyRefunds(session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._committed:
                await self.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await settle_left(self.session)  # the turn's update, when no write of the turn settled it
        await self.session.commit()
        self._committed = True
        self.products.forget()
        publish_settled(self.session, committed=True)
        if self._catalog_cache is not None and (self.categories.changed or self.products.changed):
            self._catalog_cache.clear()  # this process shows its own catalog edits at once

    async def rollback(self) -> None:
        await self.session.rollback()
        self.products.forget()
        publish_settled(self.session, committed=False)


class SqlAlchemyUnitOfWorkFactory:
    """`factory(write=True)` returns a new unit of work; `write=False` for read-only work (no write
    lock on SQLite). `worker` names this process in the outbox rows it holds to send at once. `reports`:
    the engine for long reads (`storage.database.engine.reports_engine`), `engine` when not given."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        worker: str | None = None,
        catalog_cache: CatalogCache | None = None,
        reports: AsyncEngine | None = None,
    ) -> None:
        self.engine = engine
        self.reports = reports or engine
        self.worker = worker or worker_name()
        self._sessions = session_factory(engine)
        self._catalog_cache = catalog_cache or CatalogCache()

    def __call__(self, *, write: bool = True) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(
            self._sessions, write=write, worker=self.worker, catalog_cache=self._catalog_cache
        )
