"""Payment attempts and processed webhook events on real SQLite (and PostgreSQL when
SHOPBOT_TEST_POSTGRES_URL is set, in a schema of its own)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from domain.money import Money
from domain.order_status import PaymentMethod
from domain.payments.attempts import AttemptOutcome, PaymentAttempt, PaymentStats
from storage.database.base import Base
from storage.payments import (
    PaymentAttemptRow,
    SqlAlchemyPaymentAttempts,
    SqlAlchemyWebhookEvents,
    WebhookEventRow,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TABLES = [PaymentAttemptRow.__table__, WebhookEventRow.__table__]
POSTGRES = os.environ.get("SHOPBOT_TEST_POSTGRES_URL")


async def _sqlite(tmp_path) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'payments.db'}")
    yield engine


async def _postgres() -> AsyncIterator[AsyncEngine]:
    schema = f"payments_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_async_engine(POSTGRES, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres])],
)
async def sessions(request, tmp_path):
    if request.param == "postgres" and not POSTGRES:
        pytest.skip("SHOPBOT_TEST_POSTGRES_URL not set")
    engines = _sqlite(tmp_path) if request.param == "sqlite" else _postgres()
    engine = await anext(engines)
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: Base.metadata.create_all(sync, tables=TABLES))
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()
    await engines.aclose()


def attempt(number: str, minutes: int = 0, ref: str = "cs_1") -> PaymentAttempt:
    return PaymentAttempt(
        number, PaymentMethod.STRIPE, Money(1750, "USD"), T0 + timedelta(minutes=minutes), provider_ref=ref
    )


async def test_attempts_round_trip_with_their_outcome_refs_and_aware_times(sessions):
    async with sessions.begin() as session:
        repo = SqlAlchemyPaymentAttempts(session)
        first = attempt("AAA-0001")
        await repo.add(first)
        first.charge_ref = "pi_1"
        first.settle(AttemptOutcome.SUCCEEDED, T0 + timedelta(minutes=3), "paid")
        await repo.save(first)
    async with sessions() as session:
        repo = SqlAlchemyPaymentAttempts(session)
        stored = await repo.find("pi_1")
        assert stored == first
        assert stored.settled_at.tzinfo is not None and stored.amount == Money(1750, "USD")
        assert await repo.find("") is None and await repo.find("pi_unknown") is None


async def test_latest_is_the_newest_attempt_of_the_order(sessions):
    async with sessions.begin() as session:
        repo = SqlAlchemyPaymentAttempts(session)
        for minutes, ref in ((0, "cs_1"), (5, "cs_2")):
            await repo.add(attempt("AAA-0002", minutes, ref))
        await repo.add(attempt("BBB-0003", 9, "cs_3"))
    async with sessions() as session:
        assert (await SqlAlchemyPaymentAttempts(session).latest("AAA-0002")).provider_ref == "cs_2"


async def test_stats_count_attempts_in_the_window_and_those_that_collected_money(sessions):
    outcomes = [
        AttemptOutcome.SUCCEEDED,
        AttemptOutcome.REFUNDED,
        AttemptOutcome.EXPIRED,
        AttemptOutcome.FAILED,
    ]
    async with sessions.begin() as session:
        repo = SqlAlchemyPaymentAttempts(session)
        for n, outcome in enumerate(outcomes):
            row = attempt(f"CCC-000{n}", n, f"cs_{n}")
            row.outcome = outcome
            await repo.add(row)
        await repo.add(attempt("DDD-0009", 60 * 25, "cs_late"))  # outside the day
    async with sessions() as session:
        stats = await SqlAlchemyPaymentAttempts(session).stats(T0, T0 + timedelta(days=1))
    assert stats == PaymentStats(attempted=4, succeeded=2)


async def test_a_webhook_event_is_processed_once_and_a_rolled_back_one_not_at_all(sessions):
    async with sessions() as session:
        assert await SqlAlchemyWebhookEvents(session).first_time("stripe", "evt_1", T0)
        await session.rollback()
    async with sessions.begin() as session:
        events = SqlAlchemyWebhookEvents(session)
        assert await events.first_time("stripe", "evt_1", T0)
        assert await events.first_time("telegram", "evt_1", T0)  # another source, another id space
    async with sessions.begin() as session:
        assert not await SqlAlchemyWebhookEvents(session).first_time("stripe", "evt_1", T0)


async def test_two_deliveries_of_one_event_at_once_are_processed_once(sessions):
    async def deliver() -> bool:
        async with sessions.begin() as session:
            return await SqlAlchemyWebhookEvents(session).first_time("stripe", "evt_race", T0)

    results = await asyncio.gather(deliver(), deliver(), return_exceptions=True)
    assert sorted(r is True for r in results) == [False, True]
