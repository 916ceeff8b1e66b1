"""`kill -9` of `shopbot run` in the middle of concurrent checkouts, in polling and in webhook mode: the
restarted process answers every customer, loses no update and doubles no order.

Every update is in the inbox before Telegram learns it arrived (the next getUpdates offset, or the
webhook's 200), and every reply is in the outbox with the change it follows; what the killed process had
in hand is taken again at once by the next process on the host.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from storage.database.engine import create_engine, dispose, session_factory
from storage.queues.inbox import DONE, InboxRow
from storage.tables import OrderRow
from tests.conftest import _empty_all_tables
from tests.fakes.telegram_server import FakeTelegram
from tests.shops.webhook import (
    Shopper,
    WebhookTelegram,
    bot_env,
    checkout_journey,
    free_port,
    post_update,
    prepare_database,
)

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = 16
STEPS = 12  # updates per checkout journey


class TelegramRedelivers:
    """Webhook delivery as Telegram does it: in order, and again until the bot answers 200."""

    def __init__(self) -> None:
        self.url = ""
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task = asyncio.create_task(self._run())

    async def deliver(self, update: dict[str, Any]) -> None:
        self._queue.put_nowait(update)

    async def _run(self) -> None:
        while True:
            update = await self._queue.get()
            while True:
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    if await post_update(self.url, update) == 200:
                        break
                await asyncio.sleep(0.1)  # the bot is down: Telegram tries again a little later

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def _spawn(env: dict[str, str], args: list[str], log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=log.open("a"),
    )  # fmt: skip


async def _ready(url: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            assert process.returncode is None, "the bot exited"
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(url + "/readyz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)  # polls readiness; bounded
    raise AssertionError("the bot never became ready")


def _answers(telegram: FakeTelegram) -> int:
    sent = ("sendMessage", "editMessageText")
    return sum(1 for c in telegram.calls if c.method in sent and c.status == 200)


async def _state(database_url: str) -> tuple[Counter[int], Counter[str], int]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            orders = Counter((await session.scalars(select(OrderRow.customer_id))).all())
            inbox = Counter((await session.scalars(select(InboxRow.state))).all())
    finally:
        await dispose(engine)
    return orders, inbox, sum(inbox.values())


@pytest.fixture
def shop_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.mark.parametrize(
    ("mode", "runtime", "shop_database"),
    [
        ("polling", "ptb", "sqlite"),
        ("webhook", "aiogram", "sqlite"),
        # PostgreSQL: an order's reservations, lines and the rest go with the turn's last statement, and a
        # lone update's first read with its store
        pytest.param("polling", "aiogram", "postgresql", marks=pytest.mark.postgres),
        pytest.param("webhook", "ptb", "postgresql", marks=pytest.mark.postgres),
    ],
    indirect=["shop_database"],
)
async def test_kill_9_during_concurrent_checkouts_loses_no_update_and_doubles_no_order(
    mode: str, runtime: str, shop_database: str, tmp_path: Path
):
    database_url = shop_database
    if database_url.startswith("postgresql"):
        await _empty_all_tables(database_url)  # the session's database: no orders left by earlier tests
    await prepare_database(database_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    redelivery = TelegramRedelivers() if mode == "webhook" else None
    if redelivery is not None:
        redelivery.url = url
        telegram: FakeTelegram = await WebhookTelegram(redelivery.deliver).start()
    else:
        telegram = await FakeTelegram().start()
    env = bot_env(
        database_url, telegram, url, http_port=str(port), log_format="json", outbox_poll_seconds="0.2",
        flood_private_per_second="1000", flood_global_per_second="1000",
    )  # fmt: skip
    args = ["run", "--mode", mode, "--runtime", runtime]
    log = tmp_path / "bot.log"
    process = await _spawn(env, args, log)
    shoppers = [Shopper(telegram, 9000 + n, patience=60) for n in range(CUSTOMERS)]
    try:
        await _ready(url, process)
        journeys = [
            asyncio.create_task(
                s.walk(checkout_journey("Green tea", name=f"C {s.user_id}", phone="+1 202 555 0100",
                                        address="1 Elm Road, Springfield, 12345, US"))
            )
            for s in shoppers
        ]  # fmt: skip
        while _answers(telegram) < CUSTOMERS * STEPS // 2:  # half way through
            assert not any(j.done() and j.exception() for j in journeys)
            await asyncio.sleep(0.01)  # polls progress; the journeys' own deadlines bound it
        process.kill()  # SIGKILL: no chance to finish anything
        await process.wait()
        unfinished = sum(1 for j in journeys if not j.done())
        process = await _spawn(env, args, log)
        await _ready(url, process)

        await asyncio.gather(*journeys)  # every customer is answered, through to the placed order

        assert unfinished > 0
        orders, inbox, stored = await _state(database_url)
        assert orders == Counter({s.user_id: 1 for s in shoppers})  # none lost, none doubled
        assert stored == CUSTOMERS * STEPS and inbox == Counter({DONE: stored})
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
        if redelivery is not None:
            await redelivery.close()
        await telegram.close()
    assert process.returncode == 0
    lines = log.read_text()
    assert "Traceback" not in lines.split('"bot_running"')[-1]  # the restarted process ran clean
