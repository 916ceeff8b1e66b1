"""The outbox lease on real SQLite and PostgreSQL: disjoint claims, lease expiry, settling by owner."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from domain.outbox import OutboxState
from storage.queues.outbox_queue import SqlAlchemyOutboxQueue
from storage.queues.outbox_table import OutboxRow
from tests.integration.databases import KINDS, sessions_for

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=KINDS)
async def sessions(request, tmp_path):
    async with sessions_for(request.param, tmp_path) as sessions:
        yield sessions


async def _enqueue(sessions, count: int, *, chat_id: int = 42) -> None:
    async with sessions() as session, session.begin():
        session.add_all(
            OutboxRow(chat_id=chat_id, payload={"text": f"m{i}"}, created_at=NOW + timedelta(seconds=i))
            for i in range(count)
        )


async def _states(sessions) -> list[str]:
    async with sessions() as session:
        return list((await session.execute(select(OutboxRow.state).order_by(OutboxRow.id))).scalars())


async def test_a_lease_claims_due_rows_oldest_first_and_hides_them_from_others(sessions):
    await _enqueue(sessions, 5)
    queue = SqlAlchemyOutboxQueue(sessions)
    first = await queue.lease(NOW + timedelta(minutes=1), NOW + timedelta(minutes=2), "a", limit=3)
    second = await queue.lease(NOW + timedelta(minutes=1), NOW + timedelta(minutes=2), "b", limit=10)
    assert [m.payload["text"] for m in first] == ["m0", "m1", "m2"]
    assert [m.payload["text"] for m in second] == ["m3", "m4"]


async def test_an_expired_lease_is_taken_over_and_the_old_owner_can_no_longer_settle(sessions):
    await _enqueue(sessions, 1)
    queue = SqlAlchemyOutboxQueue(sessions)
    [message] = await queue.lease(NOW, NOW + timedelta(seconds=60), "dead")
    assert await queue.lease(NOW + timedelta(seconds=30), NOW + timedelta(seconds=90), "b") == []
    [again] = await queue.lease(NOW + timedelta(seconds=61), NOW + timedelta(seconds=120), "b")
    assert again.id == message.id
    assert not await queue.mark_sent(message.id, "dead", NOW)
    assert await queue.mark_sent(message.id, "b", NOW)
    assert await _states(sessions) == ["sent"]


async def test_retry_counts_attempts_and_hides_the_row_until_due(sessions):
    await _enqueue(sessions, 1)
    queue = SqlAlchemyOutboxQueue(sessions)
    [message] = await queue.lease(NOW, NOW + timedelta(seconds=60), "a")
    await queue.retry(message.id, "a", NOW + timedelta(minutes=5), "HTTP 502")
    assert await queue.lease(NOW + timedelta(minutes=4), NOW + timedelta(minutes=6), "a") == []
    [again] = await queue.lease(NOW + timedelta(minutes=5), NOW + timedelta(minutes=6), "a")
    assert again.attempts == 1 and again.last_error == "HTTP 502"


async def test_a_retry_or_postpone_told_what_is_left_keeps_only_that_to_send(sessions):
    await _enqueue(sessions, 1)
    queue = SqlAlchemyOutboxQueue(sessions)
    [message] = await queue.lease(NOW, NOW + timedelta(seconds=60), "a")
    left = {"text": "", "invoice": {"title": "Order 7"}}
    await queue.retry(message.id, "a", NOW, "HTTP 502", payload=left)
    [again] = await queue.lease(NOW, NOW + timedelta(seconds=60), "a")
    assert again.payload == left
    await queue.postpone(again.id, "a", NOW, error="flood pause")  # nothing said: the payload stays
    [later] = await queue.lease(NOW, NOW + timedelta(seconds=60), "a")
    assert later.payload == left
    await queue.postpone(later.id, "a", NOW, payload={"text": "m0, the rest"})
    [last] = await queue.lease(NOW, NOW + timedelta(seconds=60), "a")
    assert last.payload == {"text": "m0, the rest"} and last.attempts == 1


async def test_blocking_fails_every_pending_row_of_the_chat_only(sessions):
    await _enqueue(sessions, 2, chat_id=42)
    await _enqueue(sessions, 1, chat_id=43)
    queue = SqlAlchemyOutboxQueue(sessions)
    assert await queue.fail_chat(42, "blocked") == 2
    assert await _states(sessions) == [OutboxState.FAILED, OutboxState.FAILED, OutboxState.PENDING]


async def test_concurrent_leases_never_claim_a_row_twice(sessions):
    await _enqueue(sessions, 200)
    queue = SqlAlchemyOutboxQueue(sessions)

    async def claim(worker: str) -> list[int]:
        got: list[int] = []
        while batch := await queue.lease(NOW + timedelta(hours=1), NOW + timedelta(hours=2), worker, limit=7):
            got += [m.id for m in batch]
        return got

    results = await asyncio.gather(*(claim(f"w{i}") for i in range(4)))
    claimed = [i for ids in results for i in ids]
    assert len(claimed) == 200 and len(set(claimed)) == 200
