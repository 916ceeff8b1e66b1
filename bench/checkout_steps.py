"""A lone customer's checkout, step by step: how long each step waits for its answer.

    PYTHONPATH=. python bench/checkout_steps.py --postgres "$SHOPBOT_TEST_POSTGRES_URL" --db-latency-ms 5

One `shopbot run` (polling, the bot pinned to one core as in bench/load.py) on a new PostgreSQL database,
reached through bench/latency_proxy.py when `--db-latency-ms` is given: every round trip the bot waits for
then costs at least twice that, so what a step waits for shows above a noisy machine's scatter. One
customer walks the checkout journey of bench/load_journeys.py again and again (a new customer each time);
per step, the median and the 90th percentile of the time from the update handed over to the step's
expected answer. Steps that answer with two messages (the name, the phone) show whether the second waits
for the first to be marked sent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.e2e_updates import _admin, _fresh_postgres  # noqa: E402
from bench.load import BotUnderLoad, _latency_proxy  # noqa: E402
from bench.load_journeys import JOURNEYS, prepare_shop, take_step  # noqa: E402
from bot.processes.collector import settle_collector  # noqa: E402

REPLY_TIMEOUT = 10.0


async def measure(options: argparse.Namespace) -> list[tuple[str, list[float]]]:
    steps_for, _ = JOURNEYS["checkout"]
    waited: list[tuple[str, list[float]]] = [(f"{kind} {value}", []) for kind, value, _ in steps_for(1)]
    async with AsyncExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url, name = await _fresh_postgres(options.postgres)
        stack.push_async_callback(_admin, options.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await prepare_shop(url)
        if options.db_latency_ms:
            url = await stack.enter_async_context(_latency_proxy(url, options.db_latency_ms))
        bot = BotUnderLoad(options.runtime, "polling", url, options.bot_core, tmp / "bot.log")
        stack.push_async_callback(bot.stop)
        await bot.start()
        await bot.row("browse", 1, 2.0, 1)  # imports, caches, connections
        settle_collector()  # the driver's full collections would read as the bot's waits (bench/load.py)
        telegram, user_id = bot.telegram, 900_000_000
        stop_at = time.perf_counter() + options.seconds
        while time.perf_counter() < stop_at:
            user_id += 1
            for (kind, value, expect), (_, times) in zip(steps_for(user_id), waited, strict=True):
                answered = telegram.expect(user_id, expect)
                started = time.perf_counter()
                await take_step(telegram, user_id, kind, value)
                times.append(await asyncio.wait_for(answered, REPLY_TIMEOUT) - started)
            telegram.forget(user_id)
    return waited


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--postgres", default=os.environ.get("SHOPBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--db-latency-ms", type=float, default=0.0)
    parser.add_argument("--runtime", default="ptb", choices=("ptb", "aiogram"))
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--bot-core", type=int, default=(os.cpu_count() or 1) - 1)
    options = parser.parse_args()
    if not options.postgres:
        sys.exit("no --postgres or SHOPBOT_TEST_POSTGRES_URL")
    others = (os.sched_getaffinity(0) - {options.bot_core}) or os.sched_getaffinity(0)
    os.sched_setaffinity(0, others)  # the driver stays off the bot's core
    waited = asyncio.run(measure(options))
    print(f"# {options.runtime}, polling, PostgreSQL + {options.db_latency_ms:g} ms each way, "
          f"{len(waited[0][1])} journeys")  # fmt: skip
    print("| step | p50 ms | p90 ms |\n|---|---:|---:|")
    for step, times in waited:
        ordered = sorted(times)
        p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
        print(f"| {step} | {statistics.median(ordered) * 1000:.1f} | {p90 * 1000:.1f} |")


if __name__ == "__main__":
    main()
