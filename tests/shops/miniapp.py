"""A running shop for Mini App tests: `shopbot run` in-process (PTB or aiogram, polling, relay and jobs)
against the fake Bot API on loopback, its HTTP server on a free port, the two teas in stock; and signed
initData for its customers and staff, made with the fake bot's token as Telegram would make it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bot.processes.web import RunOptions, run_bot
from bot.telegram.runtime import RuntimeName
from bot.webapp.init_data import WebAppUser, sign_init_data
from domain.actor import Actor
from storage.catalog.csv_format import parse_catalog
from storage.catalog.transfer import import_catalog
from storage.database.engine import create_engine, dispose
from storage.database.migrate import upgrade_with
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.shops.webhook import MERCHANT_CHAT, free_port, prepare_database, shop_settings

__all__ = ["ALICE", "STAFF", "MERCHANT_CHAT", "DEMO_CATALOG", "RunningShop", "running_shop", "load_catalog"]

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog.csv"
ALICE = WebAppUser(7001, "Alice", "en")
STAFF = WebAppUser(9001, "Ann", "en")


@dataclass
class RunningShop:
    telegram: FakeTelegram
    url: str  # http://127.0.0.1:PORT
    database_url: str

    def init_data(self, user: WebAppUser, *, age: timedelta = timedelta(0)) -> str:
        return sign_init_data(user, self.telegram.token, auth_date=datetime.now(UTC) - age)

    def app_url(self, user: WebAppUser) -> str:
        """The page as Telegram opens it: the signed data in the URL fragment."""
        from urllib.parse import quote

        return f"{self.url}/app/#tgWebAppData={quote(self.init_data(user))}"

    async def api(
        self, method: str, path: str, *, init_data: str | None, json: Any = None, data: Any = None
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"tma {init_data}"} if init_data is not None else {}
        async with aiohttp.ClientSession() as http:
            async with http.request(
                method, f"{self.url}/app/api/{path}", headers=headers, json=json, data=data
            ) as response:
                body = await response.json(content_type=None) if response.content_length != 0 else None
                return response.status, body


async def load_catalog(database_url: str, csv_text: str) -> int:
    """Migrate and import `csv_text` (before `running_shop`, which then keeps it); the number of rows."""
    engine = create_engine(database_url)
    try:
        await upgrade_with(engine)
        async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
            rows = parse_catalog(csv_text, "USD")
            await import_catalog(uow, rows, actor=Actor.system("test"), now=datetime.now(UTC))
            await uow.commit()
        return len(rows)
    finally:
        await dispose(engine)


@asynccontextmanager
async def running_shop(
    database_url: str, *, runtime: RuntimeName = "ptb", **overrides: Any
) -> AsyncIterator[RunningShop]:
    """`runtime`: "ptb" or "aiogram" (the chat side); `overrides`: settings."""
    await prepare_database(database_url)
    telegram = await FakeTelegram().start()
    port = free_port()
    values = {
        "merchant_user_ids": [STAFF.id],
        "public_url": "https://shop.example",  # Telegram opens Mini Apps over https only
        "outbox_poll_seconds": 0.1,
        "flood_private_per_second": 100.0,
        "flood_group_per_minute": 1000.0,
        **overrides,
    }
    settings = shop_settings(database_url, telegram, port, **values)
    stop = asyncio.Event()
    running = asyncio.create_task(run_bot(settings, RunOptions(runtime, "polling", jobs=True), stop=stop))
    try:
        await _until_up(running, f"http://127.0.0.1:{port}")
        yield RunningShop(telegram, f"http://127.0.0.1:{port}", database_url)
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await telegram.close()


async def _until_up(running: asyncio.Task[None], url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if running.done():
                running.result()
                raise AssertionError("the shop stopped while starting")
            try:
                async with http.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("the shop's HTTP server did not come up")
