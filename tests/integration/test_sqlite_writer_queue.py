"""SQLite, one process, many customers at once: writers queue inside the process, none is refused.

The engine here gives SQLite's own lock wait (`busy_timeout`) only 50 ms: a writer that had to wait on
the file lock behind a sibling coroutine would fail with "database is locked" almost at once. With the
in-process writer queue no write transaction of this process ever waits on the file lock, so 200
customers pressing at once all get their answer and their cart.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from domain.clock import FixedClock
from handlers.actions.customer import AddToCart, pack
from handlers.app import ShopApp
from handlers.kernel.config import ShopConfig
from storage.database.engine import create_engine, dispose
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.shops.storage import stocked
from tests.unit.chat import Chat

CUSTOMERS = 200

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_200_customers_at_once_on_sqlite_all_answered_none_locked_out(database_url, caplog):
    engine = create_engine(database_url, busy_timeout_ms=50)
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    try:
        await stocked(factory, ("TEA-1", 10_000, 0))
        app = ShopApp(factory, FixedClock(), ShopConfig("Tea House", "USD"))
        chats = [Chat(app, 5000 + n, name=f"C{n}") for n in range(CUSTOMERS)]

        async def journey(chat: Chat) -> str:
            await chat.command("start")
            await chat.press_data(pack(AddToCart("TEA-1", 2)))
            return chat.text

        with caplog.at_level(logging.INFO):
            answers = await asyncio.gather(*(journey(chat) for chat in chats))

        assert all("Added" in answer for answer in answers), {a for a in answers if "Added" not in a}
        async with factory(write=False) as uow:
            carts = [await uow.carts.get(chat.user_id) for chat in chats]
        assert [cart.lines for cart in carts] == [{"TEA-1": 2}] * CUSTOMERS
        assert "database is locked" not in caplog.text
    finally:
        await dispose(engine)
