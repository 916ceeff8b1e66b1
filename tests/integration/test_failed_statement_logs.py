"""A statement that fails must not put the values it was given (a recipient's name, street, postal code)
into the log: the shop's engines hide them, and the log scrubber drops any `[parameters: ...]` left."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.observability.logs import configure_logging
from storage.database.engine import create_engine, dispose

RECIPIENT = {"name": "Alice Smithson", "street": "77 Quince Lane", "postal": "QX7 4ZB"}
INSERT = text("INSERT INTO no_such_addresses (name, street, postal) VALUES (:name, :street, :postal)")


async def _failing_insert(engine: AsyncEngine) -> DBAPIError:
    try:
        async with engine.begin() as connection:
            await connection.execute(INSERT, RECIPIENT)
    except DBAPIError as exc:
        return exc
    finally:
        await dispose(engine)
    raise AssertionError("the insert into a missing table succeeded")


async def test_the_shops_engine_keeps_a_failed_inserts_values_out_of_the_error(database_url: str):
    error = await _failing_insert(create_engine(database_url))
    assert "no_such_addresses" in str(error)  # the statement is still named
    for value in RECIPIENT.values():
        assert value not in str(error)


@pytest.mark.parametrize("engine_kind", ["shop", "bare"])
async def test_a_failed_insert_logged_as_json_carries_no_parameters(
    database_url: str, engine_kind: str, capsys: pytest.CaptureFixture[str]
):
    configure_logging("DEBUG", "json")
    # "bare": an engine built without hide_parameters (a script, a library): the scrubber still cleans it.
    engine = create_engine(database_url) if engine_kind == "shop" else create_async_engine(database_url)
    error = await _failing_insert(engine)
    try:
        raise error
    except DBAPIError:
        structlog.get_logger("shopbot.test").exception("order_insert_failed")
        logging.getLogger("apscheduler.executors.default").exception("Job raised an exception")
    err = capsys.readouterr().err
    records = [json.loads(line) for line in err.splitlines()]
    failures = [r for r in records if "no_such_addresses" in r.get("exception", "")]
    assert len(failures) == 2  # both the structlog and the stdlib line carry the traceback in the record
    for value in RECIPIENT.values():
        assert value not in err
