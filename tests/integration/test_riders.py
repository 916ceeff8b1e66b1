"""A turn's writes that it does not wait for on PostgreSQL (its dialog, its cart, a funnel step, a
customer's changed fields, an order's reservations and lines) left to its last statement: they go with its
replies and its update's settle in one statement, and whatever could see or follow them first sends them
on their own, in order (`storage.database.prepared.Rider`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, func, select, update

from domain.analytics import FunnelStep
from domain.cart import Cart
from domain.customer import Customer
from domain.outbox import OutboxMessage
from storage.customers import SqlAlchemyCarts
from storage.database.dialect import insert_or_ignore
from storage.database.engine import create_engine, dispose, session_factory
from storage.database.prepared import Prepared
from storage.messaging import _SET_DIALOG
from storage.queues.inbox import SqlAlchemyInbox
from storage.stocks import _HOLD
from storage.tables import FunnelEventRow, ProcessedUpdateRow, ReservationRow, StockRow
from storage.unit_of_work import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory
from tests.conftest import POSTGRES_ONLY
from tests.shops.storage import logged_on_postgresql, stocked

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


_HELD = {"order_number": "AB1-CDEF", "sku": "TEA-1", "quantity": 2, "expires_at": NOW, "state": "held"}
_DISARM = Prepared(update(StockRow).where(StockRow.sku == bindparam("sku")).values(low_alert_armed=False))


async def _begin_with_a_write(uow: SqlAlchemyUnitOfWork) -> None:
    """A write of a table no rider touches or links to: it begins the transaction (through SQLAlchemy's
    cursor, which the statement log does not see)."""
    values = {"update_id": 99, "processed_at": NOW}
    assert await insert_or_ignore(uow.session, ProcessedUpdateRow.__table__, values, ["update_id"])


async def _begun_turn(factory: SqlAlchemyUnitOfWorkFactory, sent: list[str]) -> SqlAlchemyUnitOfWork:
    """TEA-1 in stock, the statement log emptied, and a turn that has begun its transaction with a write."""
    await stocked(factory, ("TEA-1", 5, 0))
    await _forget(sent)
    uow = await _turn(factory)
    try:
        await _begin_with_a_write(uow)
    except BaseException:
        await uow.__aexit__(None, None, None)
        raise
    return uow


async def _forget(sent: list[str]) -> None:
    await asyncio.sleep(0)  # what asyncpg has yet to log
    sent.clear()


async def _reservations(factory: SqlAlchemyUnitOfWorkFactory) -> int:
    async with factory(write=False) as uow:
        return await uow.session.scalar(select(func.count()).select_from(ReservationRow)) or 0


async def test_in_a_begun_transaction_a_write_linked_to_a_riders_table_sends_the_riders_first(shop):
    """The form's dialog has no link to the stock: a write of the stock goes before it. A reservation
    refers to its stock row by a foreign key: a write of the stock sends the riders first, in order."""
    factory, sent = shop
    uow = await _begun_turn(factory, sent)
    try:
        await uow.dialogs.set(ANN, "checkout.name", {})
        assert await _DISARM.run(uow.session, {"sku": "TEA-1"}) == 1  # the dialog waits
        assert await _HOLD.ride(uow.session, [_HELD])
        assert await _DISARM.run(uow.session, {"sku": "TEA-1"}) == 1  # the dialog and the reservation first
        await uow.outbox.add_replies([_reply("Order placed")])
        await uow.commit()
    finally:
        await uow.__aexit__(None, None, None)
    await asyncio.sleep(0)
    assert sent == ["SELECT", "BEGIN;", "UPDATE", "INSERT", "INSERT", "UPDATE", "WITH", "COMMIT;"]
    assert await _reservations(factory) == 1
    assert (await _stored(factory))[0] == ("checkout.name", {})


async def test_in_a_begun_transaction_riders_go_with_the_reply_and_a_rollback_keeps_none(shop):
    factory, sent = shop
    uow = await _begun_turn(factory, sent)
    try:
        assert await _HOLD.ride(uow.session, [_HELD, {**_HELD, "quantity": 1}])  # two rows, one rider
        await uow.carts.save(Cart(ANN, {}), now=NOW)
        await uow.rollback()  # the order number was taken, say
    finally:
        await uow.__aexit__(None, None, None)
    await asyncio.sleep(0)
    assert sent == ["SELECT", "BEGIN;", "ROLLBACK;"]
    assert await _reservations(factory) == 0

    await _forget(sent)
    uow = await _turn(factory)
    try:
        await _begin_with_a_write(uow)
        assert await _HOLD.ride(uow.session, [_HELD, {**_HELD, "quantity": 1}])
        await uow.carts.save(Cart(ANN, {"TEA-1": 1}), now=NOW)
        await uow.outbox.add_replies([_reply("Order placed")])
        await uow.commit()
    finally:
        await uow.__aexit__(None, None, None)
    await asyncio.sleep(0)
    assert sent == ["SELECT", "BEGIN;", "WITH", "COMMIT;"]
    assert await _reservations(factory) == 2
    assert (await _stored(factory))[1] == {"TEA-1": 1}


async def test_a_customers_changed_fields_go_with_the_reply_and_leave_the_others_as_stored(shop):
    factory, sent = shop
    async with factory() as uow:
        await uow.customers.add(Customer(ANN, "Ann", "en", phone="+442079460958"))
        await uow.commit()
    async with factory(write=False) as uow:
        stale = await uow.customers.get(ANN)
    async with factory() as uow:  # meanwhile another turn saves a new phone
        fresh = await uow.customers.get(ANN)
        fresh.phone = "+447700900123"
        await uow.customers.update(fresh, "phone")
        await uow.commit()
    await _forget(sent)
    uow = await _turn(factory)
    try:
        stale.set_language("zh")
        await uow.customers.update(stale, "language")
        await uow.outbox.add_replies([_reply("语言已切换")])
        await uow.commit()
    finally:
        await uow.__aexit__(None, None, None)
    await asyncio.sleep(0)
    assert sent == ["SELECT", "WITH"]
    async with factory(write=False) as uow:
        stored = await uow.customers.get(ANN)
    assert (stored.language, stored.phone) == ("zh", "+447700900123")
