"""End-to-end throughput and latency of `shopbot run`, per runtime, receive mode and database.

    PYTHONPATH=. python bench/e2e_updates.py [--customers 16] [--rounds 2] [--postgres URL]

The bot runs as a real subprocess (`python -m bot run --no-jobs`) against the fake Telegram Bot API served
by this process. Virtual customers walk the checkout journey at the same time (start, catalog, category,
product, add to cart, /cart, checkout, name, phone, delivery, address, cash on delivery: 12 updates), each
step waiting for the bot's answer. Latency is from the update being handed over (pushed to getUpdates, or
POSTed to the webhook) to the fake Bot API receiving the expected reply. Without --postgres (or env
SHOPBOT_TEST_POSTGRES_URL) only SQLite runs. Each configuration gets a fresh database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.database.engine import create_engine, dispose  # noqa: E402
from tests.shops.webhook import (  # noqa: E402
    WebhookTelegram,
    bot_env,
    checkout_journey,
    free_port,
    post_update,
    prepare_database,
)

STEPS = checkout_journey(
    "Black tea", name="Bench Customer", phone="+1 202 555 0123", address="5 Elm Road, Springfield, 12345, US"
)


class TimedTelegram(WebhookTelegram):
    """Stamps the moment the expected reply of a waiting customer arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, tuple[int, str, asyncio.Future[float]]] = {}

    async def _notify(self) -> None:
        now = time.perf_counter()
        for chat_id, (mark, expect, done) in list(self.waiting.items()):
            for call in self.calls[mark:]:
                if (
                    call.method in ("sendMessage", "editMessageText")
                    and call.params.get("chat_id") == chat_id
                ):
                    if expect in str(call.params.get("text", "")) and not done.done():
                        done.set_result(now)
                        del self.waiting[chat_id]
                        break
        await super()._notify()


async def _customer(telegram: TimedTelegram, user_id: int, rounds: int, latencies: list[float]) -> int:
    """Walk the journey `rounds` times; returns 1 when a reply never came (the journey stops there)."""
    for _ in range(rounds):
        for kind, value, expect in STEPS:
            done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            telegram.waiting[user_id] = (len(telegram.calls), expect, done)
            started = time.perf_counter()
            if kind == "send":
                await telegram.push_text(user_id, value)
            elif kind == "contact":
                await telegram.share_contact(user_id, value)
            else:
                await telegram.press(user_id, *_button(telegram, user_id, value))
            try:
                latencies.append(await asyncio.wait_for(done, 30) - started)
            except TimeoutError:
                return 1
    return 0


def _button(telegram: TimedTelegram, user_id: int, label: str) -> tuple[int, str]:
    mine = sorted((mid, m) for (chat, mid), m in telegram.messages.items() if chat == user_id)
    for message_id, message in reversed(mine):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
            for button in row:
                if label in button.get("text", "") and "callback_data" in button:
                    return message_id, button["callback_data"]
    raise RuntimeError(f"no button {label!r}")


async def _fresh_postgres(server: str) -> tuple[str, str]:
    name = f"shopbot_bench_{secrets.token_hex(4)}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False), name


async def _admin(server: str, sql: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(sql)
    finally:
        await dispose(engine)


async def _wait_ready(url: str, bot: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if bot.returncode is not None:
                raise RuntimeError("the bot process exited at start")
            try:
                async with http.get(url + "/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("the bot process never became ready")


async def run_one(
    runtime: str, mode: str, database_url: str, customers: int, rounds: int, bot_log: Path | None = None
) -> dict[str, Any]:
    await prepare_database(database_url)
    telegram = await TimedTelegram().start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    if mode == "webhook":

        async def deliver(update: dict[str, Any]) -> None:  # as Telegram does: again until it is taken
            for attempt in range(10):
                if await post_update(url, update) == 200:
                    return
                await asyncio.sleep(0.1 * 2**attempt)

        telegram.deliver = deliver
    env = bot_env(database_url, telegram, url, http_port=str(port), log_level="WARNING")
    args = [sys.executable, "-m", "bot", "run", "--runtime", runtime, "--mode", mode, "--no-jobs"]
    bot = await asyncio.create_subprocess_exec(
        *args, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
        stderr=bot_log.open("a") if bot_log else asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    latencies: list[float] = []
    try:
        await _wait_ready(url, bot)
        if mode == "webhook":
            await telegram.wait_for("setWebhook", timeout=30)
        started = time.perf_counter()
        lost = sum(
            await asyncio.gather(
                *(_customer(telegram, 9000 + n, rounds, latencies) for n in range(customers))
            )
        )
        elapsed = time.perf_counter() - started
    finally:
        bot.terminate()
        await asyncio.wait_for(bot.wait(), 30)
        await telegram.close()
    ordered = sorted(latencies)
    return {
        "updates": len(latencies),
        "lost": lost,
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--postgres", default=os.environ.get("SHOPBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--runtimes", default="ptb,aiogram")
    parser.add_argument("--modes", default="polling,webhook")
    parser.add_argument("--bot-log", type=Path, help="append the bot processes' logs to this file")
    options = parser.parse_args()
    print(f"# {platform.python_implementation()} {platform.python_version()}, nproc={os.cpu_count()}, "
          f"{options.customers} customers x {options.rounds} journeys x {len(STEPS)} updates")  # fmt: skip
    print("| runtime | mode | database | updates | unanswered | updates/s | p50 ms | p99 ms |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for database in ["sqlite", "postgresql"] if options.postgres else ["sqlite"]:
        for runtime in options.runtimes.split(","):
            for mode in options.modes.split(","):
                with tempfile.TemporaryDirectory() as tmp:
                    if database == "sqlite":
                        url, name = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", ""
                    else:
                        url, name = await _fresh_postgres(options.postgres)
                    try:
                        r = await run_one(
                            runtime, mode, url, options.customers, options.rounds, options.bot_log
                        )
                    finally:
                        if name:
                            await _admin(options.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cells = [runtime, mode, database, r["updates"], r["lost"], f"{r['per_second']:.0f}"]
                cells += [f"{r['p50_ms']:.1f}", f"{r['p99_ms']:.1f}"]
                print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
