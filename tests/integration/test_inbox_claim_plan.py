"""An inbox claim reads the pending updates only, however many handled updates the inbox keeps (a day's).

On PostgreSQL a statement prepared once is planned once for all its executions after a few runs (a generic
plan, made without the parameters' values). When the claim sent its `state = 'pending'` as a parameter,
that plan walked the primary key in update order and filtered out every handled row: 1.7 ms and ~1,100
buffer reads per claim in the load benchmark after a minute, growing with the inbox all day.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database.constants import in_sql
from storage.database.engine import create_engine, dispose
from storage.database.prepared import _Compiled
from storage.queues.inbox import _CLAIM
from storage.tables.inbox import DONE, PENDING, InboxRow
from tests.conftest import POSTGRES_ONLY

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
HANDLED, WAITING = 3000, 5
BURST, IN_HAND = 400, 32  # customers waiting at once; updates being handled


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    rows = [
        _row(n, chat_id=n % 50, state=DONE if n <= HANDLED else PENDING)
        for n in range(1, HANDLED + WAITING + 1)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(InboxRow), rows)
        if conn.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE inbox"))
    try:
        yield engine
    finally:
        await dispose(engine)


@pytest.fixture
async def burst(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A day of handled updates, analyzed; then a burst of customers writing at once (one pending update
    each, the oldest being handled), which the statistics have not seen: as after a quiet morning."""
    engine = create_engine(database_url)
    handled = [_row(n, chat_id=n % 50, state=DONE) for n in range(1, HANDLED + 1)]
    waiting = [_row(HANDLED + n, chat_id=1000 + n, state=PENDING) for n in range(1, BURST + 1)]
    for row in waiting[:IN_HAND]:
        row.update(lease_until=NOW + timedelta(minutes=1), leased_by="w0")
    async with engine.begin() as conn:
        await conn.execute(insert(InboxRow), handled)
        await conn.execute(text("ANALYZE inbox"))
        await conn.execute(insert(InboxRow), waiting)
    try:
        yield engine
    finally:
        await dispose(engine)


def _row(update_id: int, *, chat_id: int, state: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "chat_id": chat_id,
        "payload": {"update_id": update_id},
        "received_at": NOW,
        "state": state,
        "attempts": 1,
        "lease_until": None,
        "leased_by": None,
    }


def _claim_values() -> dict[str, Any]:
    return {
        "claim_now": NOW,
        "claim_until": NOW + timedelta(minutes=2),
        "claim_worker": "w1",
        "claim_limit": 32,
    }


def _rows_read(node: dict[str, Any]) -> int:
    """Rows the plan's scans of the inbox produced or filtered out, over the whole plan tree."""
    read = 0
    if node.get("Relation Name") == "inbox":
        loops = node.get("Actual Loops", 1)
        read += (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
    for child in node.get("Plans", []):
        read += _rows_read(child)
    return read


@POSTGRES_ONLY
async def test_a_claim_planned_once_for_every_run_reads_the_pending_updates_only(engine: AsyncEngine):
    plan = await _generic_plan(engine)
    claimed = next(node for node in _nodes(plan) if node.get("Node Type") == "ModifyTable")
    assert claimed["Actual Rows"] == WAITING  # the oldest pending update of each of their chats
    read = _rows_read(plan)
    assert read <= 10 * WAITING, f"a claim read {read} inbox rows with {WAITING} pending"


@POSTGRES_ONLY
async def test_a_claim_in_a_burst_reads_each_waiting_update_a_few_times_not_once_per_other(
    burst: AsyncEngine,
):
    """Checking "no earlier pending update of the chat" as a join, PostgreSQL scanned every pending update
    for every candidate when its statistics counted few pending: 400 customers waiting cost ~150,000 row
    reads a claim (the load benchmark: a claim 148 buffers with 50 customers, 884 with 200)."""
    plan = await _generic_plan(burst)
    claimed = next(node for node in _nodes(plan) if node.get("Node Type") == "ModifyTable")
    assert claimed["Actual Rows"] == 32  # the claim's limit, from the free updates
    read = _rows_read(plan)
    assert read <= 5 * BURST, f"a claim read {read} inbox rows with {BURST} waiting"


async def _generic_plan(engine: AsyncEngine) -> dict[str, Any]:
    """The claim's plan as PostgreSQL runs it after a few runs: planned once, without the values."""
    compiled = _Compiled(_CLAIM.statement, engine.dialect)
    values = compiled.parameters(_claim_values())
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.execute("SET plan_cache_mode = force_generic_plan")  # as after a few runs
        transaction = raw.transaction()
        await transaction.start()
        try:
            await raw.execute("PREPARE claim AS " + compiled.sql)
            arguments = ", ".join(_literal(value) for value in values)  # EXECUTE takes no parameters
            explained = await raw.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE claim({arguments})")
            plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
        finally:
            await transaction.rollback()
            await raw.execute("RESET plan_cache_mode")
    return plan


def _literal(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    text_value = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text_value.replace("'", "''") + "'"


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node] + [n for child in node.get("Plans", []) for n in _nodes(child)]


@SQLITE_ONLY
async def test_the_claim_reads_the_inbox_through_its_indexes_of_pending_updates(engine: AsyncEngine):
    """SQLite plans each statement without its values: the claim must not walk the table for them."""
    compiled = _Compiled(_CLAIM.statement, engine.dialect)
    async with engine.connect() as conn:
        result = await conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + compiled.sql, tuple(compiled.parameters(_claim_values()))
        )
        steps = [str(row[-1]) for row in result]
    walks = [step for step in steps if step.startswith(("SCAN inbox", "SCAN earlier"))]
    assert walks, steps
    assert all("USING INDEX ix_inbox_pending_" in step for step in walks), steps


def test_only_a_plain_state_name_is_written_into_sql():
    assert str(in_sql("pending")) == "'pending'"
    with pytest.raises(ValueError, match="plain state name"):
        in_sql("pending' OR '1'='1")
