"""The durable inbox on real SQLite and PostgreSQL: dedupe, per-chat order, leases, retries."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from bot.background.inbox_processor import InboxProcessor
from domain.cart import Cart
from domain.clock import FixedClock
from domain.customer import Customer
from domain.outbox import OutboxMessage
from domain.ports import AlreadyHandled, ClaimAlong
from storage.database.engine import count_statements, create_engine, dispose, session_factory
from storage.queues.inbox import SETTLED, SqlAlchemyInbox
from storage.tables import OutboxRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.conftest import POSTGRES_ONLY

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[tuple[SqlAlchemyInbox, SqlAlchemyUnitOfWorkFactory]]:
    engine = create_engine(database_url)
    try:
        yield SqlAlchemyInbox(session_factory(engine)), SqlAlchemyUnitOfWorkFactory(engine)
    finally:
        await dispose(engine)


def _update(update_id: int, chat_id: int) -> dict:
    return {"update_id": update_id, "message": {"chat": {"id": chat_id}, "text": f"hi {update_id}"}}


async def _store(inbox: SqlAlchemyInbox, *pairs: tuple[int, int]) -> None:
    for update_id, chat_id in pairs:
        await inbox.store(update_id, chat_id, _update(update_id, chat_id), NOW)


async def _claim(inbox: SqlAlchemyInbox, worker: str = "w1", now: datetime = NOW) -> list[int]:
    return [u.update_id for u in await inbox.claim(now, now + LEASE, worker)]


async def test_a_redelivered_update_is_stored_once(stores):
    inbox, _ = stores
    assert await inbox.store(1, 10, _update(1, 10), NOW)
    assert not await inbox.store(1, 10, _update(1, 10), NOW)
    claimed = await inbox.claim(NOW, NOW + LEASE, "w1")
    assert [(u.update_id, u.payload["message"]["text"], u.attempts) for u in claimed] == [(1, "hi 1", 1)]
    assert await inbox.backlog() == 1


async def test_one_chat_is_processed_one_update_at_a_time_in_order(stores):
    inbox, _ = stores
    await _store(inbox, (1, 10), (2, 10), (3, 20), (4, 10))
    assert await _claim(inbox) == [1, 3]  # the oldest of each chat
    assert await _claim(inbox, "w2") == []  # chat 10 and 20 are leased
    assert await inbox.finish(1, "w1")
    assert await _claim(inbox, "w2") == [2]
    assert await inbox.finish(2, "w2")
    assert await _claim(inbox, "w2") == [4]
    assert await inbox.backlog() == 2  # 3 and 4 still in hand


async def test_an_older_update_stored_while_a_later_one_of_its_chat_is_in_hand_waits_for_it(stores):
    """Telegram may deliver a chat's updates over parallel webhook connections, the later one first: the
    earlier one, stored late, must not be handled beside the one in hand (per chat, one at a time)."""
    inbox, _ = stores
    await _store(inbox, (2, 10))
    assert await _claim(inbox) == [2]
    await _store(inbox, (1, 10), (3, 20))
    assert await _claim(inbox, "w2") == [3]  # chat 10 has an update in hand
    assert await inbox.finish(2, "w1")
    assert await _claim(inbox, "w2") == [1]


async def test_a_failed_attempt_waits_for_its_retry_and_holds_back_the_chat(stores):
    inbox, _ = stores
    await _store(inbox, (1, 10), (2, 10))
    await _claim(inbox)
    assert await inbox.retry(1, "w1", NOW + timedelta(seconds=5))
    assert await _claim(inbox, now=NOW + timedelta(seconds=1)) == []
    retried = await inbox.claim(NOW + timedelta(seconds=5), NOW + LEASE * 2, "w2")
    assert [(u.update_id, u.attempts) for u in retried] == [(1, 2)]


async def test_a_dead_processors_lease_expires_and_its_late_settle_changes_nothing(stores):
    inbox, _ = stores
    await _store(inbox, (1, 10))
    await _claim(inbox, "dead")
    later = NOW + LEASE + timedelta(seconds=1)
    assert await _claim(inbox, "w2", now=later) == [1]
    assert not await inbox.finish(1, "dead")
    assert await inbox.finish(1, "w2")
    assert await inbox.backlog() == 0


async def test_an_update_given_up_lets_the_chat_go_on(stores):
    inbox, _ = stores
    await _store(inbox, (1, 10), (2, 10))
    await _claim(inbox)
    assert await inbox.fail(1, "w1")
    assert await _claim(inbox) == [2]


# A turn opens with `first_time_in_dialog` (on PostgreSQL the settle is a WITH query of the customer's
# read); staff reports and refusals with `first_time`: both must settle alike
OPENINGS = pytest.mark.parametrize("opening", ["first_time", "first_time_in_dialog"])


async def _first_time(uow, update_id: int, opening: str) -> bool:
    if opening == "first_time":
        return await uow.updates.first_time(update_id, NOW)
    new, customer, dialog = await uow.updates.first_time_in_dialog(update_id, NOW, 10)
    assert new or (customer, dialog) == (None, None)
    return new


@OPENINGS
async def test_the_handlers_commit_marks_the_update_done_and_its_rollback_does_not(stores, opening):
    inbox, uow_factory = stores
    await _store(inbox, (1, 10), (2, 10))
    await _claim(inbox)
    async with uow_factory() as uow:
        assert await _first_time(uow, 1, opening)
        await uow.rollback()
    assert await inbox.backlog() == 2
    settled: set[int] = set()
    box = SETTLED.set(settled)
    try:
        async with uow_factory() as uow:
            assert await _first_time(uow, 1, opening)
            assert settled == set()  # not before the commit
            await uow.commit()
    finally:
        SETTLED.reset(box)
    assert settled == {1}  # the processor is told: it does not settle the update again
    assert await inbox.backlog() == 1
    assert await _claim(inbox, "w2") == [2]  # no finish needed: done came with the handler's commit


@OPENINGS
async def test_a_slow_handler_whose_lease_ran_out_does_not_handle_the_update_a_second_time(stores, opening):
    inbox, uow_factory = stores
    await _store(inbox, (1, 10))
    assert await _claim(inbox, "slow") == [1]
    assert await _claim(inbox, "quick", now=NOW + 2 * LEASE) == [1]  # the lease ran out: taken again
    async with uow_factory() as quick:
        assert await _first_time(quick, 1, opening)
        await quick.commit()
    async with uow_factory() as slow:  # the first handler finally gets to its commit
        assert not await _first_time(slow, 1, opening)
    assert await inbox.backlog() == 0


def _reply(text: str) -> OutboxMessage:
    return OutboxMessage(10, {"text": text}, NOW, held_until=NOW + LEASE)


async def _replies(uow_factory: SqlAlchemyUnitOfWorkFactory) -> list[str]:
    async with uow_factory(write=False) as uow:
        rows = await uow.session.scalars(select(OutboxRow.payload).order_by(OutboxRow.id))
        return [payload["text"] for payload in rows]


@POSTGRES_ONLY
@pytest.mark.parametrize(
    "slow_turn", ["only reads", "writes", "writes no reply", "writes along with its reply"]
)
async def test_a_slow_turn_that_found_its_update_pending_keeps_nothing_once_another_turn_handled_it(
    stores, slow_turn
):
    """On PostgreSQL a turn reads its update's state without settling it (no BEGIN for a turn that only
    reads); its last write settles it, and finds it settled when another turn took it meanwhile."""
    inbox, uow_factory = stores
    await _store(inbox, (1, 10))
    assert await _claim(inbox, "slow") == [1]
    async with uow_factory() as slow:
        assert (await slow.updates.first_time_in_dialog(1, NOW, 10))[0]
        if slow_turn == "writes along with its reply":  # one-row writes left to the reply's statement
            await slow.dialogs.set(10, "checkout.name", {"slow": True})
            await slow.carts.save(Cart(10, {"TEA-1": 1}), now=NOW)
        elif slow_turn != "only reads":
            await slow.customers.add(Customer(10, "Slow", "en"))
        assert await _claim(inbox, "quick", now=NOW + 2 * LEASE) == [1]  # the lease ran out: taken again
        async with uow_factory() as quick:
            assert (await quick.updates.first_time_in_dialog(1, NOW, 10))[0]
            await quick.outbox.add_replies([_reply("quick")])
            await quick.commit()
        with pytest.raises(AlreadyHandled):
            if slow_turn == "writes no reply":
                await slow.commit()
            else:
                await slow.outbox.add_replies([_reply("slow")])
        await slow.rollback()
    assert await _replies(uow_factory) == ["quick"]
    async with uow_factory(write=False) as uow:
        assert await uow.customers.get(10) is None  # the slow turn's write was undone
        assert await uow.dialogs.get(10) is None
        assert (await uow.carts.get(10)).lines == {}
    assert await inbox.backlog() == 0


@POSTGRES_ONLY
async def test_a_turn_that_only_reads_settles_its_update_with_its_replies_in_one_statement(stores):
    inbox, uow_factory = stores
    await _store(inbox, (1, 10))
    await _claim(inbox)
    settled: set[int] = set()
    box = SETTLED.set(settled)
    counted: list[int] = []
    stop = count_statements(uow_factory.engine, lambda: counted.append(1))
    try:
        async with uow_factory() as uow:
            assert (await uow.updates.first_time_in_dialog(1, NOW, 10))[0]
            replies = [_reply("one"), _reply("two")]
            await uow.outbox.add_replies(replies)
            await uow.commit()
    finally:
        stop()
        SETTLED.reset(box)
    assert len(counted) == 2  # the read, then the replies with the settle
    assert settled == {1} and await inbox.backlog() == 0
    assert await _replies(uow_factory) == ["one", "two"]
    async with uow_factory(write=False) as uow:  # each reply knows its row, to send it and mark it sent
        rows = await uow.session.execute(select(OutboxRow.id, OutboxRow.payload))
        assert {row.id: row.payload["text"] for row in rows} == {
            reply.id: reply.payload["text"] for reply in replies
        }


@OPENINGS
async def test_an_update_that_never_came_through_the_inbox_is_handled_once(stores, opening):
    _, uow_factory = stores
    async with uow_factory() as uow:
        assert await _first_time(uow, 77, opening)
        await uow.commit()
    async with uow_factory() as uow:
        assert not await _first_time(uow, 77, opening)


async def test_a_turn_reads_the_customer_their_dialog_and_cart_as_it_settles_its_update(stores):
    inbox, uow_factory = stores
    await _store(inbox, (1, 10), (2, 10), (3, 20))
    async with uow_factory() as uow:  # chat 10 is a customer with a cart and an open question
        await uow.customers.add(Customer(10, "Ann", "zh"))
        await uow.carts.save(Cart(10, {"TEA-1": 2}), now=NOW)
        await uow.dialogs.set(10, "checkout:phone", {"name": "Ann"})
        await uow.dialogs.set(20, "checkout:name", {})  # chat 20 is not a customer yet, mid-question
        await uow.commit()
    await _claim(inbox)
    async with uow_factory() as uow:
        new, customer, dialog = await uow.updates.first_time_in_dialog(1, NOW, 10)
        assert new and customer is not None
        assert (customer.display_name, customer.language) == ("Ann", "zh")
        assert dialog == ("checkout:phone", {"name": "Ann"})
        assert (await uow.carts.get(10)).lines == {"TEA-1": 2}  # read along with the customer
        assert await uow.updates.first_time_in_dialog(3, NOW, 20) == (True, None, ("checkout:name", {}))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.updates.first_time_in_dialog(1, NOW, 10) == (False, None, None)
    assert await inbox.backlog() == 1  # update 2 still waits


async def test_concurrent_processors_never_claim_the_same_update(stores):
    inbox, _ = stores
    await _store(inbox, *[(n, n % 7) for n in range(1, 60)])
    seen: list[int] = []

    async def processor(name: str) -> None:
        for _ in range(40):
            claimed = await inbox.claim(NOW, NOW + LEASE, name, limit=3)
            seen.extend(u.update_id for u in claimed)
            for u in claimed:
                await inbox.finish(u.update_id, name)

    await asyncio.gather(*(processor(f"w{n}") for n in range(4)))
    assert sorted(seen) == list(range(1, 60))


async def test_two_processes_storing_batches_that_share_updates_never_deadlock(database_url: str):
    """Telegram redelivers an update to another process while the first still stores it: batches that
    share updates, met in opposite orders, must both succeed (PostgreSQL aborts one side of a deadlock)."""
    engines = [create_engine(database_url), create_engine(database_url)]
    try:
        first, second = (SqlAlchemyInbox(session_factory(engine)) for engine in engines)
        for round_ in range(8):
            ids = list(range(1000 + 40 * round_, 1040 + 40 * round_))
            forward = [(n, n % 5, _update(n, n % 5)) for n in ids]
            stored = await asyncio.gather(
                first.store_many(forward, NOW), second.store_many(list(reversed(forward)), NOW)
            )
            assert sum(stored) == len(ids)  # each update kept once, by one of them
        assert await first.backlog() == 8 * 40
    finally:
        for engine in engines:
            await dispose(engine)


class _Slots:
    """A processor's side of `claim_along`: room for `room` updates per store, what each store claimed."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.given: list[ClaimAlong] = []

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[ClaimAlong | None]:
        slot = ClaimAlong(NOW, NOW + LEASE, "w1", self.room) if self.room else None
        if slot is not None:
            self.given.append(slot)
        yield slot


async def test_a_store_claims_what_the_processor_has_room_for_in_its_own_transaction(stores):
    inbox, _ = stores
    slots = _Slots(room=2)
    inbox.claim_along(slots)
    batch = [(u, c, _update(u, c)) for u, c in ((1, 10), (2, 10), (3, 20), (4, 30))]
    assert await inbox.store_many(batch, NOW) == 4
    # per chat only the oldest, and no more than the room: update 2 waits behind 1 of the same chat
    assert [u.update_id for u in slots.given[0].claimed] == [1, 3]
    assert [u.attempts for u in slots.given[0].claimed] == [1, 1]
    assert await _claim(inbox, "w2") == [4]  # leased to w1 already: another processor takes the rest only

    slots.room = 0  # a busy processor: the webhook's store claims nothing for it
    assert await inbox.store(5, 40, _update(5, 40), NOW)
    assert len(slots.given) == 1
    assert await _claim(inbox, "w2") == [5]


async def test_a_store_that_fails_claims_nothing(stores):
    inbox, _ = stores
    slots = _Slots(room=0)
    inbox.claim_along(slots)
    await _store(inbox, (1, 10))  # stored while the processor had no room: waiting to be claimed
    slots.room = 4
    with pytest.raises((OverflowError, DBAPIError)):  # a chat id past 64 bits: the database refuses it
        await inbox.store(2, 2**70, _update(2, 10), NOW)
    assert [slot.claimed for slot in slots.given] == [[]]  # nothing handed over for processing
    assert await _claim(inbox, "w2") == [1]


async def test_updates_stored_behind_one_in_hand_are_taken_as_soon_as_it_is_done(stores):
    """What a store kept and took reaches the processor: the chat's next updates follow at once, with no
    claim after each update of a chat with nothing behind it, and no wait for the idle claim."""
    inbox, _ = stores
    gate, entered, handled = asyncio.Event(), asyncio.Event(), []

    async def feed(payload: dict) -> None:
        entered.set()
        await gate.wait()
        handled.append(payload["update_id"])

    processor = InboxProcessor(inbox, feed, FixedClock(NOW), worker="w1", idle_seconds=60)
    processor.start()
    try:
        await _store(inbox, (1, 10))
        processor.wake()
        await entered.wait()
        await _store(inbox, (2, 10))
        processor.wake()
        await inbox.store_many([(3, 10, _update(3, 10)), (4, 20, _update(4, 20))], NOW)
        processor.wake()
        gate.set()
        async with asyncio.timeout(5):  # far below the idle claim
            while len(handled) < 4:  # noqa: ASYNC110 (the processor has no event to give)
                await asyncio.sleep(0.01)
    finally:
        await processor.stop()
    assert [u for u in handled if u != 4] == [1, 2, 3]


async def test_one_update_stored_and_taken_costs_one_statement_on_postgresql_and_no_claim(database_url: str):
    engine = create_engine(database_url)
    try:
        inbox, slots, counted = SqlAlchemyInbox(session_factory(engine)), _Slots(room=4), []
        inbox.claim_along(slots)
        stop = count_statements(engine, lambda: counted.append(1))
        try:
            assert await inbox.store(1, 10, _update(1, 10), NOW)
        finally:
            stop()
        assert [(u.update_id, u.chat_id, u.attempts) for u in slots.given[0].claimed] == [(1, 10, 1)]
        assert slots.given[0].claimed[0].payload == _update(1, 10)
        # the INSERT takes it, no claim: SQLite BEGIN and INSERT; PostgreSQL the INSERT alone (no BEGIN,
        # no COMMIT)
        assert len(counted) == (2 if engine.dialect.name == "sqlite" else 1)
        assert await _claim(inbox, "w2") == []  # leased to w1: nobody else takes it
        assert await _claim(inbox, "w2", NOW + LEASE) == [1]  # until its lease runs out
    finally:
        await dispose(engine)


async def test_a_stored_update_is_not_taken_while_its_chat_has_one_waiting_for_a_retry(stores):
    inbox, _ = stores
    slots = _Slots(room=4)
    inbox.claim_along(slots)
    await _store(inbox, (1, 10))
    assert [u.update_id for u in slots.given[0].claimed] == [1]
    assert await inbox.retry(1, "w1", NOW + timedelta(seconds=10))  # failed: tried again in 10 s

    assert await inbox.store(2, 10, _update(2, 10), NOW)
    assert await inbox.store(3, None, {"update_id": 3, "poll": {}}, NOW)  # no chat: its own
    assert slots.given[1].claimed == []  # behind the one waiting for its retry
    assert [u.update_id for u in slots.given[2].claimed] == [3]
    assert await _claim(inbox, "w2") == []
    assert await _claim(inbox, "w2", NOW + timedelta(seconds=11)) == [1]  # the retry first, then 2
    await inbox.finish(1, "w2")
    assert await _claim(inbox, "w2", NOW + timedelta(seconds=11)) == [2]


async def test_a_redelivered_update_in_hand_is_not_taken_again(stores):
    inbox, _ = stores
    slots = _Slots(room=4)
    inbox.claim_along(slots)
    assert await inbox.store(1, 10, _update(1, 10), NOW)
    assert not await inbox.store(1, 10, _update(1, 10), NOW)  # Telegram sent it again
    assert await inbox.store_many([(1, 10, _update(1, 10)), (2, 20, _update(2, 20))], NOW) == 1
    assert [[u.update_id for u in slot.claimed] for slot in slots.given] == [[1], [], [2]]
    assert [slot.stored for slot in slots.given] == [[(1, 10)], [], [(2, 20)]]


async def test_an_update_stored_by_one_process_while_another_holds_its_chat_follows_within_an_idle_claim(
    database_url: str,
):
    engine = create_engine(database_url)
    gate, entered, handled = asyncio.Event(), asyncio.Event(), []

    def feed_as(worker: str):  # noqa: ANN202
        async def feed(payload: dict) -> None:
            if payload["update_id"] == 1:
                entered.set()
                await gate.wait()
            handled.append((payload["update_id"], worker))

        return feed

    inboxes = {worker: SqlAlchemyInbox(session_factory(engine)) for worker in ("a", "b")}
    clock = FixedClock(NOW)
    processors = {
        worker: InboxProcessor(inbox, feed_as(worker), clock, worker=worker, idle_seconds=0.5)
        for worker, inbox in inboxes.items()
    }
    for processor in processors.values():
        processor.start()
    try:
        await _store(inboxes["b"], (1, 10))  # process b takes the chat's first update
        processors["b"].wake()
        await entered.wait()
        await _store(inboxes["a"], (2, 10))  # its next one reaches process a
        processors["a"].wake()
        await asyncio.sleep(0.1)
        assert handled == []  # never beside the one in hand
        gate.set()
        async with asyncio.timeout(2):  # the idle claim, half a second after the chat came free
            while len(handled) < 2:  # noqa: ASYNC110 (the processors have no event to give)
                await asyncio.sleep(0.01)
    finally:
        for processor in processors.values():
            await processor.stop()
        await dispose(engine)
    assert [update for update, _worker in handled] == [1, 2]  # whichever process claimed first


async def test_a_new_update_never_overtakes_one_stored_while_no_place_was_free(database_url: str):
    engine = create_engine(database_url)
    inbox = SqlAlchemyInbox(session_factory(engine))
    gate, handled, stores = asyncio.Event(), [], []

    def store_third(_task: asyncio.Task) -> None:  # the moment a place is free, before the claim runs
        batch = [(3, 30, _update(3, 30))]
        stores.append(asyncio.get_running_loop().create_task(inbox.store_many(batch, NOW)))

    async def feed(payload: dict) -> None:
        if payload["update_id"] == 1:
            await gate.wait()
            task = asyncio.current_task()
            assert task is not None
            task.add_done_callback(store_third)
        handled.append(payload["update_id"])

    processor = InboxProcessor(inbox, feed, FixedClock(NOW), worker="w1", concurrency=1, idle_seconds=60)
    processor.start()
    try:
        await _store(inbox, (1, 10))  # taken as it is stored: the only place
        await _store(inbox, (2, 20))  # no place free: waits
        gate.set()
        async with asyncio.timeout(5):  # far below the idle claim
            while len(handled) < 3:  # noqa: ASYNC110 (the processor has no event to give)
                await asyncio.sleep(0.01)
    finally:
        await asyncio.gather(*stores)
        await processor.stop()
        await dispose(engine)
    assert handled == [1, 2, 3]
