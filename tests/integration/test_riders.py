"""A turn's one-row writes on PostgreSQL (its dialog, its cart, a funnel step) left to its last statement:
they go with its replies and its update's settle in one statement, and whatever could see or follow them
first sends them on their own, in order (`storage.database.prepared.Rider`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from domain.analytics import FunnelStep
from domain.cart import Cart
from domain.customer import Customer
from domain.outbox import OutboxMessage
from storage.customers import SqlAlchemyCarts
from storage.database.engine import create_engine, dispose, session_factory
from storage.messaging import _SET_DIALOG
from storage.queues.inbox import SqlAlchemyInbox
from storage.tables import FunnelEventRow
from storage.unit_of_work import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory
from tests.conftest import POSTGRES_ONLY
from tests.shops.storage import logged_on_postgresql

pytestmark = POSTGRES_ONLY

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ANN = 10


@pytest.fixture
async def shop(database_url: str) -> AsyncIterator[tuple[SqlAlchemyUnitOfWorkFactory, list[str]]]:
    """One pooled connection, whose statements are logged (their first words), and update 1 in the inbox."""
    engine = create_engine(database_url, pool_size=1)
    try:
        inbox = SqlAlchemyInbox(session_factory(engine))
        await inbox.store(1, ANN, {"update_id": 1}, NOW)
        sent = await logged_on_postgresql(engine)
        yield SqlAlchemyUnitOfWorkFactory(engine), sent
    finally:
        await dispose(engine)


def _reply(text: str) -> OutboxMessage:
    return OutboxMessage(ANN, {"text": text}, NOW, held_until=NOW + timedelta(seconds=60))


async def _turn(factory: SqlAlchemyUnitOfWorkFactory) -> SqlAlchemyUnitOfWork:
    uow = await factory().__aenter__()
    assert (await uow.updates.first_time_in_dialog(1, NOW, ANN))[0]  # update 1, found pending
    return uow


async def _stored(factory: SqlAlchemyUnitOfWorkFactory) -> tuple[object, dict[str, int], int]:
    async with factory(write=False) as uow:
        dialog = await uow.dialogs.get(ANN)
        cart = (await uow.carts.get(ANN)).lines
        steps = await uow.session.scalar(select(func.count()).select_from(FunnelEventRow))
        return dialog, cart, steps or 0


async def test_a_turns_one_row_writes_go_with_its_reply_in_one_statement(shop):
    factory, sent = shop
    uow = await _turn(factory)
    try:
        await uow.dialogs.set(ANN, "checkout.name", {"n": 1})
        await uow.dialogs.set(ANN, "checkout.name", {"n": 2})  # the same question again: the later one
        await uow.carts.save(Cart(ANN, {"TEA-1": 2}), now=NOW)
        await uow.funnel.record(FunnelStep.CART_CREATED, ANN, NOW)
        await uow.outbox.add_replies([_reply("Who will receive the order?")])
        await uow.commit()
    finally:
        await uow.__aexit__(None, None, None)
    await asyncio.sleep(0)  # asyncpg calls its query loggers soon after
    assert sent == ["SELECT", "WITH"]  # the turn's read, then everything else: no BEGIN, no COMMIT
    assert await _stored(factory) == (("checkout.name", {"n": 2}), {"TEA-1": 2}, 1)


async def test_what_reads_a_write_left_for_the_reply_sends_it_first(shop):
    factory, _ = shop
    uow = await _turn(factory)
    try:
        await uow.dialogs.set(ANN, "checkout.phone", {"name": "Ann"})
        assert await uow.dialogs.get(ANN) == ("checkout.phone", {"name": "Ann"})  # session.execute
        await uow.carts.save(Cart(ANN, {"TEA-1": 1}), now=NOW)
        fresh = SqlAlchemyCarts(uow.session)  # knows nothing yet: reads the table (a prepared read)
        assert (await fresh.get(ANN)).lines == {"TEA-1": 1}
        await uow.outbox.add_replies([_reply("Your phone?")])
        await uow.commit()
    finally:
        await uow.__aexit__(None, None, None)
    assert await _stored(factory) == (("checkout.phone", {"name": "Ann"}), {"TEA-1": 1}, 0)


async def test_two_writes_of_one_row_that_do_not_replace_each_other_keep_their_order(shop):
    factory, _ = shop
    uow = await _turn(factory)
    try:
        await uow.dialogs.set(ANN, "checkout.name", {})
        await uow.dialogs.clear(ANN)  # sends the set first, then deletes
        await uow.customers.add(Customer(ANN, "Ann", "en"))  # and an ORM-free write of another table
        await uow.outbox.add_replies([_reply("Checkout cancelled.")])
        await uow.commit()
    finally:
        await uow.__aexit__(None, None, None)
    assert (await _stored(factory))[0] is None


async def test_a_turn_without_a_reply_commits_what_it_left_for_one(shop):
    factory, _ = shop
    uow = await _turn(factory)
    try:
        await uow.dialogs.set(ANN, "checkout.address", {})
        await uow.commit()
    finally:
        await uow.__aexit__(None, None, None)
    assert (await _stored(factory))[0] == ("checkout.address", {})
    async with factory() as again:  # and its update is settled
        assert not (await again.updates.first_time_in_dialog(1, NOW, ANN))[0]


async def test_a_turn_rolled_back_keeps_nothing_it_left_for_its_reply(shop):
    factory, sent = shop
    uow = await _turn(factory)
    try:
        await uow.dialogs.set(ANN, "checkout.name", {})
        await uow.carts.save(Cart(ANN, {"TEA-1": 1}), now=NOW)
        await uow.rollback()
    finally:
        await uow.__aexit__(None, None, None)
    await asyncio.sleep(0)
    assert sent == ["SELECT"]  # nothing was sent for them
    assert await _stored(factory) == (None, {}, 0)


async def test_a_write_missing_a_value_of_its_statement_is_refused(shop):
    factory, _ = shop
    uow = await _turn(factory)
    try:
        with pytest.raises(ValueError, match="dialogs"):
            await _SET_DIALOG.ride(uow.session, {"user_id": ANN, "state": "checkout.name"})  # no data
    finally:
        await uow.__aexit__(None, None, None)
