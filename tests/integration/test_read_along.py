"""A lone update of a private chat, stored already taken by this process (PostgreSQL): the store reads its
turn's customer, dialog and cart along, and the turn reads nothing more (`storage.queues.read_along`)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from domain.money import Money
from domain.ports import ClaimAlong
from handlers.actions.customer import AddToCart, FormPick, StartCheckout, pack
from handlers.app import ShopApp
from handlers.customer.checkout.steps import Step
from handlers.kernel.config import DeliveryOption, ShopConfig
from handlers.kernel.incoming import Incoming, Kind
from storage.database.engine import count_statements, create_engine, dispose, session_factory
from storage.queues import read_along
from storage.queues.inbox import SqlAlchemyInbox
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.conftest import POSTGRES_ONLY
from tests.shops.storage import stocked

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ANN = 501


class _Clock:
    def now(self) -> datetime:
        return NOW


class _Room:
    """The processor's side of `claim_along`, with room: a lone update is stored already taken."""

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[ClaimAlong | None]:
        yield ClaimAlong(NOW, NOW + timedelta(seconds=60), "w1", 4)


class _Pipeline:
    """Each update stored as the processor's store takes it, then handled; the statements of both."""

    def __init__(self, app: ShopApp, inbox: SqlAlchemyInbox, engine: Any) -> None:
        self.app, self.inbox, self.engine = app, inbox, engine
        self.ids = count(1)

    async def __call__(self, kind: Kind, **fields: Any) -> tuple[int, str]:
        update_id = next(self.ids)
        counted: list[int] = []
        stop = count_statements(self.engine, lambda: counted.append(1))
        try:
            assert await self.inbox.store(update_id, ANN, {"update_id": update_id}, NOW)
            outcome = await self.app(
                Incoming(kind, user_id=ANN, chat_id=ANN, update_id=update_id, language_code="en", **fields)
            )
        finally:
            stop()
        assert outcome.replies
        return len(counted), "\n".join(reply.text for reply in outcome.replies)


@POSTGRES_ONLY
async def test_a_customers_update_taken_as_it_is_stored_costs_the_store_and_the_turns_last_statement(
    database_url,
):
    """Two statements for a browse step or a form step (the store and the reply with the settle), where it
    was three (the turn read the customer, dialog and cart on its own); each step sees what the one
    before it wrote."""
    engine = create_engine(database_url)
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    standard = DeliveryOption("standard", "Standard", Money.parse("5.00", "USD"))
    config = ShopConfig(shop_name="Tea House", currency="USD", delivery_options=(standard,))
    try:
        await stocked(factory, ("TEA-1", 50, 0))
        inbox = SqlAlchemyInbox(session_factory(engine))
        inbox.claim_along(_Room())
        step = _Pipeline(ShopApp(factory, _Clock(), config), inbox, engine)
        await step(Kind.COMMAND, text="start")  # the first contact stores the customer
        costs = [
            await step(Kind.COMMAND, text="start"),
            await step(Kind.BUTTON, action=pack(AddToCart("TEA-1", 1))),  # + the product with its stock
            await step(Kind.BUTTON, action=pack(StartCheckout())),  # + the product
            await step(Kind.TEXT, text="Ann Lee"),
        ]
        assert [cost for cost, _ in costs] == [2, 3, 3, 2]
        assert "Checkout 1/4" in costs[2][1] and "Checkout 2/4" in costs[3][1]
        cost, text = await step(Kind.CONTACT, phone="+442079460958", contact_user_id=ANN)
        cost, text = await step(Kind.BUTTON, action=pack(FormPick(Step.DELIVERY, "standard")))
        cost, text = await step(Kind.TEXT, text="1 Tea Lane, London, E1 6AN, GB")
        assert "Ann Lee" in text and "+442079460958" in text and "Total:" in text  # every answer was kept
        assert await inbox.backlog() == 0
    finally:
        await dispose(engine)


class _Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@POSTGRES_ONLY
async def test_what_was_read_along_is_taken_once_by_its_chat_and_only_while_fresh(database_url):
    engine = create_engine(database_url)
    ticks = _Ticks()
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            bind = session.get_bind()
            read_along.keep(bind, 1, ANN, "row 1", ticks)
            read_along.keep(bind, 2, ANN, "row 2", ticks)
            read_along.keep(bind, 3, ANN, "row 3", ticks)
            assert read_along.take(session, 1, ANN, ticks) == "row 1"
            assert read_along.take(session, 1, ANN, ticks) is None  # a retry reads afresh
            assert read_along.take(session, 2, ANN + 1, ticks) is None  # not that customer's chat
            ticks.now += read_along.FRESH_SECONDS + 0.1  # a turn started late
            assert read_along.take(session, 3, ANN, ticks) is None
    finally:
        await dispose(engine)
