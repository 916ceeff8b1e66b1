"""Scale-out on one PostgreSQL: two `shopbot run --mode webhook --no-jobs` processes and a `shopbot worker`
as real subprocesses. Customers' updates go to either web process (a load balancer's choice), some of them
delivered again to the other one; every update is handled once, no order doubles, no message repeats."""

from __future__ import annotations

import asyncio
import json
import random
import re
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from storage.database.engine import create_engine, dispose
from storage.tables import OrderRow
from storage.tables.inbox import DONE, InboxRow
from tests.conftest import _empty_all_tables
from tests.shops.webhook import (
    MERCHANT_CHAT,
    Shopper,
    WebhookTelegram,
    bot_env,
    checkout_journey,
    free_port,
    post_update,
    prepare_database,
)

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = 10


class Process:
    def __init__(self, name: str, proc: asyncio.subprocess.Process, log: Path, url: str = "") -> None:
        self.name, self.proc, self.log, self.url = name, proc, log, url

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log.read_text().splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
        return out


async def _spawn(name: str, args: list[str], env: dict[str, str], tmp: Path, url: str = "") -> Process:
    log = tmp / f"{name}.log"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("w"),
    )  # fmt: skip
    return Process(name, proc, log, url)


async def _ready(process: Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):  # 60 s: a loaded CI machine imports aiogram slowly
            if process.proc.returncode is not None:
                raise AssertionError(f"{process.name} exited: {process.log.read_text()[-2000:]}")
            try:
                async with http.get(process.url + "/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)  # polls readiness; bounded
    raise AssertionError(f"{process.name} never became ready")


@pytest.fixture
async def cluster(
    postgres_url: str, tmp_path: Path
) -> AsyncIterator[tuple[WebhookTelegram, list[Process], str]]:
    await _empty_all_tables(postgres_url)  # the session's database: no customers left by earlier tests
    await prepare_database(postgres_url)
    telegram = await WebhookTelegram().start()
    ports = [free_port(), free_port()]
    env = bot_env(
        postgres_url,
        telegram,
        f"http://127.0.0.1:{ports[0]}",  # the load balancer's address
        log_format="json",
        outbox_poll_seconds="0.2",
        flood_private_per_second="1000",
        flood_group_per_minute="60000",
        flood_global_per_second="1000",
    )
    processes = []
    for n, port in enumerate(ports):
        web_env = {**env, "SHOPBOT_HTTP_PORT": str(port)}
        args = ["run", "--mode", "webhook", "--no-jobs", "--runtime", ("ptb", "aiogram")[n]]
        processes.append(await _spawn(f"web{n}", args, web_env, tmp_path, f"http://127.0.0.1:{port}"))
    worker_port = free_port()
    worker_args = ["worker", "--metrics-port", str(worker_port)]
    processes.append(await _spawn("worker", worker_args, env, tmp_path, f"http://127.0.0.1:{worker_port}"))
    try:
        await asyncio.gather(*(_ready(p) for p in processes[:2]))
        yield telegram, processes, postgres_url
    finally:
        for p in processes:
            if p.proc.returncode is None:
                p.proc.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(p.proc.wait(), 30) for p in processes]
        await telegram.close()
        assert codes == [0, 0, 0], [p.log.read_text()[-1500:] for p in processes]


async def _journey(shopper: Shopper) -> None:
    steps = checkout_journey(
        "Black tea",
        name=f"Customer {shopper.user_id}",
        phone="+1 202 555 0199",
        address="5 Elm Road, Springfield, 12345, US",
    )
    await shopper.walk(steps[:5] + [("send", "/help", "/catalog")] + steps[5:])


async def test_two_web_processes_and_a_worker_handle_each_update_once(cluster):
    telegram, processes, database_url = cluster
    web = processes[:2]
    chooser = random.Random(20261124)
    sent: list[int] = []
    again: list[asyncio.Task[int]] = []

    async def balance(update: dict[str, Any]) -> None:  # the load balancer, with Telegram's redeliveries
        first, other = chooser.sample(web, 2)
        sent.append(update["update_id"])
        if chooser.random() < 0.25:
            again.append(asyncio.create_task(post_update(other.url, update)))
        assert await post_update(first.url, update) == 200

    telegram.deliver = balance
    await asyncio.gather(*(_journey(Shopper(telegram, 7000 + n)) for n in range(CUSTOMERS)))
    assert all(status == 200 for status in await asyncio.gather(*again))

    placed = [c for c in _shown(telegram) if "is placed!" in c.params.get("text", "")]
    numbers = [re.findall(r"\b[A-Z0-9]{3}-[A-Z0-9]{4}\b", c.params["text"])[0] for c in placed]
    assert len(numbers) == CUSTOMERS == len(set(numbers))
    await _merchant_hears_of(telegram, numbers)
    web_counts = [_counter(await _metrics(p.url), "shopbot_updates_total") for p in web]
    assert sum(web_counts) == len(set(sent)) and all(web_counts)  # both processes took a share
    assert _counter(await _metrics(processes[2].url), "shopbot_outbox_sent_total") >= CUSTOMERS

    engine = create_engine(database_url)
    try:
        async with engine.connect() as db:
            orders = (
                await db.execute(select(OrderRow.customer_id, func.count()).group_by(OrderRow.customer_id))
            ).all()
            assert sorted(orders) == [(7000 + n, 1) for n in range(CUSTOMERS)]
            handled = set((await db.execute(select(InboxRow.update_id))).scalars())
            assert handled == set(sent)  # each settled by the turn that handled it, in its own commit
            states = Counter((await db.execute(select(InboxRow.state))).scalars())
            assert states == {DONE: len(sent)}
    finally:
        await dispose(engine)

    handled_logs = Counter(
        line["update_id"] for p in web for line in p.lines() if line.get("event") == "update_handled"
    )
    assert set(handled_logs) == set(sent) and set(handled_logs.values()) == {1}
    assert all(
        line.get("event") != "update_received" or "update_id" in line for p in web for line in p.lines()
    )
    answered = Counter(c.params["callback_query_id"] for c in telegram.calls_of("answerCallbackQuery"))
    assert set(answered.values()) == {1}
    sequences = [
        [c.params["text"] for c in _shown(telegram) if c.params["chat_id"] == 7000 + n]
        for n in range(CUSTOMERS)
    ]
    assert len({len(texts) for texts in sequences}) == 1  # the same journey: the same number of messages
    for texts in sequences:
        assert sum("Welcome" in t for t in texts) == 1 and sum("is placed!" in t for t in texts) == 1


async def _metrics(url: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(url + "/metrics") as response:
        return await response.text()


def _counter(text: str, name: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") or line.startswith(name + " ")
    )


def _shown(telegram: WebhookTelegram) -> list:
    return [c for c in telegram.calls if c.method in ("sendMessage", "editMessageText") and c.status == 200]


async def _merchant_hears_of(telegram: WebhookTelegram, numbers: list[str]) -> None:
    """The worker's relay delivers one new-order message per order to the merchant chat."""

    def cards() -> Counter[str]:
        found: Counter[str] = Counter()
        for call in telegram.calls_of("sendMessage"):
            if call.params["chat_id"] == MERCHANT_CHAT:
                found.update(n for n in numbers if n in call.params.get("text", ""))
        return found

    for _ in range(200):
        if set(cards()) == set(numbers):
            break
        await asyncio.sleep(0.05)  # polls the relay's progress; bounded
    assert cards() == Counter({n: 1 for n in numbers})
