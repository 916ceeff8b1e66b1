"""The prune job on real databases: settled work rows go once their retention is over; work in progress
and the records that keep a redelivery from being handled twice stay as long as they are needed."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from bot.settings import Settings
from bot.wiring.background import start_background
from domain.clock import FixedClock
from domain.order_status import PaymentMethod
from domain.outbox import OutboxMessage
from jobs.prune import PruneReport, PruneWorkTables
from jobs.unanswered_orders import UnansweredOrders
from storage.database.engine import create_engine, dispose, session_factory
from storage.housekeeping import SqlAlchemyHousekeeping
from storage.queues.inbox import SqlAlchemyInbox
from storage.queues.outbox_queue import SqlAlchemyOutboxQueue
from storage.tables import InboxRow, OutboxRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.fakes.notifier import FakeTelegram
from tests.shops.storage import checkout, fill_cart, stock_product

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MERCHANT = -100500


def _job(uow_factory: SqlAlchemyUnitOfWorkFactory, clock: FixedClock, **options: int) -> PruneWorkTables:
    return PruneWorkTables(SqlAlchemyHousekeeping(session_factory(uow_factory.engine)), clock, **options)


async def _outbox_states(uow_factory: SqlAlchemyUnitOfWorkFactory) -> dict[str | None, str]:
    async with uow_factory.engine.connect() as connection:
        return dict((await connection.execute(select(OutboxRow.dedupe_key, OutboxRow.state))).tuples().all())


async def _inbox_states(uow_factory: SqlAlchemyUnitOfWorkFactory) -> dict[int, str]:
    async with uow_factory.engine.connect() as connection:
        return dict((await connection.execute(select(InboxRow.update_id, InboxRow.state))).tuples().all())


async def _enqueue(uow_factory: SqlAlchemyUnitOfWorkFactory, at: datetime, *keys: str) -> None:
    async with uow_factory() as uow:
        for key in keys:
            await uow.outbox.add(OutboxMessage(1001, {"text": key}, at, dedupe_key=key))
        await uow.commit()


async def test_sent_and_failed_messages_go_after_the_retention_and_a_pending_one_never(uow_factory):
    queue = SqlAlchemyOutboxQueue(session_factory(uow_factory.engine))
    old = NOW - 40 * DAY
    await _enqueue(uow_factory, old, "old-sent", "old-failed", "old-pending")
    sent, failed, waiting = await queue.lease(old, old + timedelta(minutes=1), "relay")
    assert await queue.mark_sent(sent.id, "relay", old)
    assert await queue.fail(failed.id, "relay", "Forbidden: bot was blocked by the user")
    assert await queue.retry(waiting.id, "relay", NOW + 5000 * DAY, "Bad Gateway")  # pending, to retry
    recent = NOW - 10 * DAY
    await _enqueue(uow_factory, recent, "recent-sent")
    [message] = await queue.lease(recent, recent + timedelta(minutes=1), "relay")
    assert await queue.mark_sent(message.id, "relay", recent)
    clock = FixedClock(NOW)

    assert await _job(uow_factory, clock).run() == PruneReport(outbox=2)  # kept 30 days by default
    assert await _outbox_states(uow_factory) == {"old-pending": "pending", "recent-sent": "sent"}

    clock.set(NOW + 3650 * DAY)  # ten years on: still waiting to go out, so still there
    assert await _job(uow_factory, clock).run() == PruneReport(outbox=1)
    assert await _outbox_states(uow_factory) == {"old-pending": "pending"}


async def test_a_handled_update_is_remembered_through_the_window_so_its_redelivery_is_not_handled_twice(
    uow_factory,
):
    inbox = SqlAlchemyInbox(session_factory(uow_factory.engine))
    await inbox.store(7, 41, {"update_id": 7}, NOW - 30 * DAY)  # a month old, and failing
    await inbox.store(8, 42, {"update_id": 8}, NOW)
    assert sorted(u.update_id for u in await inbox.claim(NOW, NOW + timedelta(minutes=2), "w")) == [7, 8]
    assert await inbox.retry(7, "w", NOW + DAY)  # pending, its next try tomorrow
    async with uow_factory() as uow:  # the handler of update 8 commits: done
        assert await uow.updates.first_time(8, NOW)
        await uow.commit()
    clock = FixedClock(NOW + 2 * DAY)  # Telegram redelivers for 24 hours; kept 3 days by default

    assert not await _job(uow_factory, clock).run()
    assert not await inbox.store(8, 42, {"update_id": 8}, clock.now())  # the redelivery: already there
    assert 8 not in [u.update_id for u in await inbox.claim(clock.now(), clock.now() + DAY, "w2")]
    async with uow_factory() as uow:
        assert not await uow.updates.first_time(8, clock.now())

    clock.set(NOW + 4 * DAY)
    assert await _job(uow_factory, clock).run() == PruneReport(inbox=1)
    assert await _inbox_states(uow_factory) == {7: "pending"}


async def test_an_update_handled_without_the_inbox_is_remembered_through_the_window_too(uow_factory):
    async with uow_factory() as uow:
        assert await uow.updates.first_time(500, NOW)
        await uow.commit()
    clock = FixedClock(NOW + 2 * DAY)

    assert not await _job(uow_factory, clock).run()
    async with uow_factory() as uow:
        assert not await uow.updates.first_time(500, clock.now())  # still a redelivery

    clock.set(NOW + 4 * DAY)
    assert await _job(uow_factory, clock).run() == PruneReport(processed_updates=1)


async def test_payment_events_are_remembered_for_30_days(uow_factory):
    async with uow_factory() as uow:
        assert await uow.webhook_events.first_time("stripe", "evt_old", NOW - 31 * DAY)
        assert await uow.webhook_events.first_time("telegram", "charge_old", NOW - 31 * DAY)
        assert await uow.webhook_events.first_time("stripe", "evt_resent", NOW - 20 * DAY)
        await uow.commit()

    assert await _job(uow_factory, FixedClock(NOW)).run() == PruneReport(webhook_events=2)
    async with uow_factory() as uow:  # sent again from Stripe's Dashboard: still a duplicate
        assert not await uow.webhook_events.first_time("stripe", "evt_resent", NOW)
        assert await uow.webhook_events.first_time("stripe", "evt_old", NOW)


async def _old_rows(uow_factory: SqlAlchemyUnitOfWorkFactory, count: int, *, pending: int = 0) -> None:
    """`count` sent messages and done updates, 60 days old, and `pending` messages as old still to go."""
    at = NOW - 60 * DAY
    message = {"chat_id": 1001, "payload": {"photo_base64": "iVBORw0KGgo" * 50}, "attempts": 1}
    messages = [{**message, "state": "sent", "created_at": at, "sent_at": at} for _ in range(count)]
    messages += [{**message, "state": "pending", "created_at": at, "sent_at": None} for _ in range(pending)]
    updates = [
        {"update_id": n, "chat_id": n % 50, "payload": {"update_id": n}, "received_at": at, "state": "done"}
        for n in range(1, count + 1)
    ]
    async with uow_factory.engine.begin() as connection:
        await connection.execute(insert(OutboxRow), messages)
        await connection.execute(insert(InboxRow), updates)


async def _counts(uow_factory: SqlAlchemyUnitOfWorkFactory) -> tuple[int, int]:
    async with uow_factory.engine.connect() as connection:
        outbox = await connection.scalar(select(func.count()).select_from(OutboxRow))
        inbox = await connection.scalar(select(func.count()).select_from(InboxRow))
    return int(outbox or 0), int(inbox or 0)


async def test_a_backlog_larger_than_a_run_is_deleted_batch_by_batch_over_runs(uow_factory):
    await _old_rows(uow_factory, 2500, pending=10)
    job = _job(uow_factory, FixedClock(NOW), batch=1000, max_batches=2)

    assert await job.run() == PruneReport(outbox=2000, inbox=2000)
    assert await job.run() == PruneReport(outbox=500, inbox=500)
    assert not await job.run()
    assert await _counts(uow_factory) == (10, 0)  # the pending messages


async def test_two_runs_at_once_share_the_rows_and_neither_fails(database_url):
    # Two processes: engines of their own (SQLite's on their own threads, as in two processes).
    engines = [create_engine(database_url, threaded=True) for _ in range(2)]
    try:
        factories = [SqlAlchemyUnitOfWorkFactory(engine) for engine in engines]
        await _old_rows(factories[0], 3000)
        jobs = [_job(factory, FixedClock(NOW), batch=250) for factory in factories]

        first, second = await asyncio.gather(*(job.run() for job in jobs))

        assert (first.outbox + second.outbox, first.inbox + second.inbox) == (3000, 3000)
        assert await _counts(factories[0]) == (0, 0)
    finally:
        for engine in engines:
            await dispose(engine)


async def test_an_order_left_unanswered_is_not_reminded_again_once_its_reminder_is_pruned(uow_factory):
    async with uow_factory() as uow:
        await stock_product(uow, "TEA-1")
        await fill_cart(uow, 1001, {"TEA-1": 1})
        order = await checkout(uow, 1001, payment_method=PaymentMethod.CASH)  # placed at NOW, never accepted
        await uow.commit()
    clock = FixedClock(NOW + timedelta(minutes=31))
    remind = UnansweredOrders(uow_factory, clock, MERCHANT, timedelta(minutes=30), remembered=30 * DAY)
    assert await remind.run() == 1
    queue = SqlAlchemyOutboxQueue(session_factory(uow_factory.engine))
    [reminder] = await queue.lease(clock.now(), clock.now() + timedelta(minutes=1), "relay")
    assert await queue.mark_sent(reminder.id, "relay", clock.now())

    clock.set(NOW + 31 * DAY)
    assert await _job(uow_factory, clock).run() == PruneReport(outbox=1)
    assert await remind.run() == 0  # still unanswered, but the merchant was told once
    assert f"order:{order.number}:unanswered" not in await _outbox_states(uow_factory)


async def test_the_jobs_of_shopbot_run_and_worker_prune_as_they_start_then_at_the_set_interval(uow_factory):
    await _old_rows(uow_factory, 5)
    settings = Settings(_env_file=None, prune_interval_seconds=900)
    background = await start_background(  # what `shopbot run` and `shopbot worker` start
        settings,
        uow_factory=uow_factory,
        notifier=FakeTelegram(time.monotonic),
        tracking=None,
        clock=FixedClock(NOW),
        relay=False,
    )
    try:
        assert background.scheduler is not None
        job = background.scheduler.get_job("prune")
        assert job.trigger.interval == timedelta(seconds=900)
        for _ in range(200):  # its first run starts with the scheduler
            if await _counts(uow_factory) == (0, 0):
                break
            await asyncio.sleep(0.05)
    finally:
        await background.stop()
    assert await _counts(uow_factory) == (0, 0)
