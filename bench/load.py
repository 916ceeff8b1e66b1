"""Closed-loop load on `shopbot run`: K simulated customers, each step waiting for its reply.

    PYTHONPATH=. python bench/load.py                                   # every row SQLite (+ PG if set)
    PYTHONPATH=. python bench/load.py --runtimes aiogram --modes polling --databases sqlite \
        --journeys browse --customers 50,200 --seconds 10

The bot is a real subprocess (`python -m bot run --no-jobs`) pinned with `taskset` to one core (the last
one); this driver and the fake Bot API (bench/load_telegram.py, over loopback HTTP) are pinned to the
others. In webhook mode the driver, as Telegram, opens at most 40 connections to the webhook at once
(setWebhook's default `max_connections`). One bot process per runtime × mode × database serves every row
of that configuration in turn (after a short warm-up), so peak RSS is the process's peak so far. The
processes of one runtime and mode run side by side, each idle while another is measured, and each row is
measured on every database in turn: a shared VM's speed drifts over minutes, and a ratio between databases
is then taken at one state of the machine. `--rounds N` measures every row N times, the databases taking
turns going first, and ends with a table of each row's medians.
Journeys: bench/load_journeys.py. Databases: SQLite (WAL, synchronous=NORMAL: a commit is not waited on
the disk), PostgreSQL as installed (each commit waits for its WAL flush), and `postgresql-async`, a
database set as docs/deployment.md describes (`synchronous_commit = off`, SQLite's kind of durability).
`--db-latency-ms`: PostgreSQL through bench/latency_proxy.py, as a server on another host would answer.
Before each PostgreSQL row the driver runs `VACUUM (ANALYZE)` on the bot's database: what autovacuum, on by
default, does to tables whose rows are updated again and again (the inbox, the outbox, carts, dialogs) on a
server that has it (these machines' server has it off).

Per row: answered updates per second of wall time; latency percentiles from handing an update over
(queued for getUpdates, or POSTed to the webhook) to the fake Bot API receiving the expected reply;
unanswered updates (no reply within 10 s); Bot API calls the fake refused (4xx), e.g. an edit Telegram
would not allow; error lines the bot logged; the bot's CPU time (user + system, all its threads) per
answered update; SQL statements per update (the bot counts them when SHOPBOT_COUNT_SQL_STATEMENTS is
set, exposed on /metrics); the bot's peak RSS (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.e2e_updates import _admin, _fresh_postgres  # noqa: E402
from bench.load_journeys import JOURNEYS, Tally, customer, prepare_shop  # noqa: E402
from bench.load_telegram import LoadTelegram  # noqa: E402
from bot.clock import UtcClock  # noqa: E402
from bot.http.server import start_http_server  # noqa: E402
from bot.processes.collector import settle_collector  # noqa: E402
from bot.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH  # noqa: E402
from tests.fakes.seventeen_track import TOKEN as TRACKING_KEY  # noqa: E402
from tests.fakes.seventeen_track import FakeSeventeenTrack  # noqa: E402
from tests.fakes.stripe_api import FakeStripe  # noqa: E402
from tests.shops.webhook import SECRET, bot_env, free_port  # noqa: E402

_TICK = os.sysconf("SC_CLK_TCK")
# PostgreSQL with `synchronous_commit = off`: commits not waited on the disk, as SQLite's (synchronous=NORMAL)
ASYNC_COMMIT = "postgresql-async"
WEBHOOK_CONNECTIONS = 40  # Telegram's default max_connections for a webhook
_ERROR_LINE = re.compile(rb"error|locked|traceback|job_failed", re.IGNORECASE)
HEADER = (
    "| runtime | mode | db | journey | K | updates | upd/s | p50 ms | p95 ms | p99 ms | unanswered "
    "| refused | errors | CPU ms/upd | SQL/upd | peak RSS MiB |"
)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime, every thread


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _sql_statements(http: aiohttp.ClientSession, url: str) -> float:
    async with http.get(url + "/metrics") as response:
        text = await response.text()
    found = re.search(r"^shopbot_sql_statements_total (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else float("nan")


def _pct(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else float("nan")


class BotUnderLoad:
    """One `shopbot run` process and the fake Telegram it talks to."""

    def __init__(self, runtime: str, mode: str, database_url: str, core: int, log: Path) -> None:
        self.runtime, self.mode, self.database_url = runtime, mode, database_url
        self.core, self.log = core, log
        self.profile: Path | None = None  # cProfile the bot into this file
        self.log_level = "WARNING"
        self.integrations: dict[str, str] | None = None  # Stripe and 17TRACK settings: run with jobs
        self.telegram = LoadTelegram()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        # Telegram opens at most setWebhook's max_connections to a webhook at once (default 40, which the
        # bot leaves as it is); more updates wait at Telegram, and their latency counts from there
        self.webhook_http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=WEBHOOK_CONNECTIONS))
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        await self.telegram.start()
        if self.mode == "webhook":
            self.telegram.deliver = self._post
        env = bot_env(
            self.database_url, self.telegram, self.url, http_port=str(self.port), log_level=self.log_level,
            count_sql_statements="true", **(self.integrations or {}),
        )  # fmt: skip
        profile = ["-m", "cProfile", "-o", str(self.profile)] if self.profile else []
        args = ["taskset", "-c", str(self.core), sys.executable, *profile, "-m", "bot", "run"]
        args += ["--runtime", self.runtime, "--mode", self.mode]
        if self.integrations is None:
            args.append("--no-jobs")
        self.process = await asyncio.create_subprocess_exec(
            *args, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=self.log.open("ab")
        )
        await self._wait_ready()
        if self.mode == "webhook":
            await asyncio.wait_for(self.telegram.hooked.wait(), 30)

    async def _wait_ready(self, seconds: float = 180) -> None:
        """/readyz answers 200 (slow under cProfile on a busy machine: give it time)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is None or self.process.returncode is not None:
                raise RuntimeError(f"the bot process exited at start; see {self.log}")
            try:
                async with self.http.get(self.url + "/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError("the bot process never became ready")

    async def _settle(self, quiet: float = 2.0, longest: float = 60) -> None:
        """Wait until the bot made no Bot API call for `quiet` s: one row's leftovers stay out of the next."""
        deadline = time.monotonic() + longest
        while time.monotonic() < deadline:
            before = self.telegram.calls_by_method.total() - self.telegram.calls_by_method["getUpdates"]
            await asyncio.sleep(quiet)
            after = self.telegram.calls_by_method.total() - self.telegram.calls_by_method["getUpdates"]
            if after == before:
                return

    async def _post(self, update: dict[str, Any]) -> None:
        for attempt in range(8):  # as Telegram does: again until it is taken
            async with self.webhook_http.post(
                self.url + WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET}
            ) as response:
                if response.status == 200:
                    return
            await asyncio.sleep(0.05 * 2**attempt)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await asyncio.wait_for(self.process.wait(), 30)
        await self.http.close()
        await self.webhook_http.close()
        await self.telegram.close()

    async def row(self, journey: str, customers: int, seconds: float, first_id: int) -> dict[str, Any]:
        assert self.process is not None
        pid = self.process.pid
        await self._settle()
        log_from = self.log.stat().st_size
        refused_before = sum(self.telegram.refused.values())
        calls_before = self.telegram.calls_by_method.copy()
        sql_before = await _sql_statements(self.http, self.url)
        cpu_before = _cpu_seconds(pid)
        tally = Tally()
        ids = itertools.count(first_id + customers)  # new customers, for journeys that want them
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(
            *(customer(self.telegram, journey, first_id + n, ids, stop_at, tally) for n in range(customers))
        )
        elapsed = time.perf_counter() - started
        cpu = _cpu_seconds(pid) - cpu_before
        sql = await _sql_statements(self.http, self.url) - sql_before
        with self.log.open("rb") as log:
            log.seek(log_from)
            errors = sum(1 for line in log if _ERROR_LINE.search(line))
        calls = self.telegram.calls_by_method - calls_before
        if os.environ.get("BENCH_SHOW_CALLS"):
            print(f"# Bot API calls: {dict(calls)}", file=sys.stderr)
        ordered = sorted(tally.latencies)
        n = len(ordered)
        return {
            "latencies": ordered,
            "updates": n,
            "per_second": n / elapsed,
            "p50": _pct(ordered, 0.50),
            "p95": _pct(ordered, 0.95),
            "p99": _pct(ordered, 0.99),
            "unanswered": tally.unanswered,
            "refused": sum(self.telegram.refused.values()) - refused_before,
            "errors": errors,
            "cpu_ms": cpu * 1000 / n if n else float("nan"),
            "sql": sql / n if n else float("nan"),
            "rss": _peak_rss_mib(pid),
        }


async def _bot_on(
    stack: AsyncExitStack, runtime: str, mode: str, database: str, options: argparse.Namespace
) -> BotUnderLoad:
    """A started, warmed-up bot process on a fresh database of the kind `database`, stopped by `stack`."""
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
    if database == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / 'load.db'}"
    else:
        url, name = await _fresh_postgres(options.postgres)
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        stack.push_async_callback(_admin, options.postgres, drop)
        if database == ASYNC_COMMIT:  # as docs/deployment.md tells an operator to set it
            await _admin(options.postgres, f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    await prepare_shop(url)
    if database != "sqlite" and options.db_latency_ms:
        url = await stack.enter_async_context(_latency_proxy(url, options.db_latency_ms))
    bot = BotUnderLoad(runtime, mode, url, options.bot_core, options.bot_log or tmp / "bot.log")
    bot.log_level = options.log_level
    if options.profile is not None:  # one file per bot process: the bots of a configuration run at once
        bot.profile = options.profile.with_name(f"{options.profile.name}.{runtime}.{mode}.{database}")
    if options.integrations:
        bot.integrations = await stack.enter_async_context(_integrations())
    stack.push_async_callback(bot.stop)
    await bot.start()
    await bot.row("browse", 4, options.warmup, 1)  # imports, caches, connections
    return bot


def _cells(labels: list[Any], r: dict[str, Any]) -> str:
    cells = [*labels, r["updates"], f"{r['per_second']:.0f}"]
    cells += [f"{r[p]:.1f}" for p in ("p50", "p95", "p99")]
    cells += [r["unanswered"], r["refused"], r["errors"], f"{r['cpu_ms']:.2f}", f"{r['sql']:.1f}"]
    cells.append(f"{r['rss']:.1f}")
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _median(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Rates and CPU the median of the rounds, latency percentiles over every round's updates together;
    failures summed, peak RSS the highest."""
    merged = {key: statistics.median(r[key] for r in results) for key in ("per_second", "cpu_ms", "sql")}
    summed = ("updates", "unanswered", "refused", "errors")
    merged.update({key: sum(r[key] for r in results) for key in summed})
    pooled = sorted(itertools.chain.from_iterable(r["latencies"] for r in results))
    merged.update({f"p{q}": _pct(pooled, q / 100) for q in (50, 95, 99)})
    merged["rss"] = max(r["rss"] for r in results)
    return merged


async def run_configuration(
    runtime: str, mode: str, databases: list[str], rows: list[tuple[str, int]], options: argparse.Namespace
) -> list[str]:
    """Every row on one bot per database, those bots alive together: a row is measured on each database
    in turn, so that their ratio is taken at one state of the machine. With several rounds the databases
    take turns going first, and the lines returned are each row's median."""
    results: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    async with AsyncExitStack() as stack:
        bots = [await _bot_on(stack, runtime, mode, database, options) for database in databases]
        pairs = list(zip(databases, bots, strict=True))
        number = itertools.count(1)
        for round_ in range(options.rounds):
            for journey, k in rows:
                for database, bot in pairs if round_ % 2 == 0 else reversed(pairs):
                    if database != "sqlite":  # what autovacuum (on by default) does as the rows go by
                        await _admin(bot.database_url, "VACUUM (ANALYZE)")
                    r = await bot.row(journey, k, options.seconds, next(number) * 100_000_000)
                    results.setdefault((database, journey, k), []).append(r)
                    print(_cells([runtime, mode, database, journey, k], r), flush=True)
    return [
        _cells([runtime, mode, database, journey, k], _median(results[(database, journey, k)]))
        for database in databases
        for journey, k in rows
    ]


@asynccontextmanager
async def _latency_proxy(url: str, delay_ms: float) -> AsyncIterator[str]:
    """`url` through bench/latency_proxy.py (on the driver's core): PostgreSQL as if on another host."""
    parsed = make_url(url)
    proxy = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "latency_proxy.py"),
        "--to",
        f"{parsed.host}:{parsed.port or 5432}",
        "--delay-ms",
        str(delay_ms),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proxy.stdout is not None
        port = int(await proxy.stdout.readline())
        yield parsed.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    finally:
        proxy.terminate()
        await proxy.wait()


@asynccontextmanager
async def _integrations() -> AsyncIterator[dict[str, str]]:
    """Fake Stripe and 17TRACK on loopback, as the operator tier runs them; the bot's settings for them."""
    stripe = FakeStripe(UtcClock())
    runner = await start_http_server(stripe.app, "127.0.0.1", 0)
    tracking = FakeSeventeenTrack(rate=10)
    await tracking.start()
    try:
        yield {
            "stripe_secret_key": stripe.api_key,
            "stripe_webhook_secret": "whsec_bench",
            "stripe_api_url": f"http://127.0.0.1:{runner.addresses[0][1]}",
            "tracking_api_key": TRACKING_KEY,
            "tracking_api_url": tracking.url,
            "telegram_payment_provider_token": "284685063:TEST:bench",
            "merchant_user_ids": "900001",
        }
    finally:
        await tracking.stop()
        await runner.cleanup()


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runtimes", default="ptb,aiogram")
    parser.add_argument("--modes", default="polling,webhook")
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help=f"of sqlite, postgresql and {ASYNC_COMMIT} (PostgreSQL with synchronous_commit = off)",
    )
    parser.add_argument("--journeys", default=",".join(JOURNEYS))
    parser.add_argument("--customers", default="1,10,50,200", help="K values, comma-separated")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured time per row")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every row this many times; a table of medians follows"
    )
    parser.add_argument("--postgres", default=os.environ.get("SHOPBOT_TEST_POSTGRES_URL"))
    parser.add_argument(
        "--db-latency-ms",
        type=float,
        default=0.0,
        help="PostgreSQL through a proxy holding each chunk this long each way (a server on another host)",
    )
    parser.add_argument("--bot-core", type=int, default=(os.cpu_count() or 1) - 1)
    parser.add_argument("--bot-log", type=Path, help="keep the bot processes' logs in this file")
    parser.add_argument("--log-level", default="WARNING", help="the bot's SHOPBOT_LOG_LEVEL")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="run the bots under cProfile, stats into FILE.<runtime>.<mode>.<database>",
    )
    parser.add_argument(
        "--integrations",
        action="store_true",
        help="configure Stripe and 17TRACK (loopback fakes) and run the jobs in the bot, as in production",
    )
    return parser.parse_args()


async def main() -> None:
    options = _options()
    others = (os.sched_getaffinity(0) - {options.bot_core}) or os.sched_getaffinity(0)
    os.sched_setaffinity(0, others)  # the driver stays off the bot's core
    unknown = set(options.databases.split(",")) - {"sqlite", "postgresql", ASYNC_COMMIT}
    if unknown:
        sys.exit(f"unknown --databases: {', '.join(sorted(unknown))} (sqlite, postgresql, {ASYNC_COMMIT})")
    databases = [d for d in options.databases.split(",") if d == "sqlite" or options.postgres]
    rows = [(j, int(k)) for j in options.journeys.split(",") for k in options.customers.split(",")]
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"# {python}, nproc={os.cpu_count()}, bot on core {options.bot_core}, "
          f"{options.seconds:g} s per row, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(HEADER)
    print("|---|---|---|---|" + "---:|" * 12)
    # The driver holds about 200,000 objects of its own (the fakes, aiohttp, SQLAlchemy); CPython's full
    # collections walked them every 6-10 s under load, 105-130 ms with the driver stopped, and every update
    # in flight then read as that much slower (p99 at K = 50 up by as much). As the bot does: out of sight.
    settle_collector()
    if len(databases) < len(options.databases.split(",")):
        print("# PostgreSQL rows skipped: no --postgres or SHOPBOT_TEST_POSTGRES_URL", file=sys.stderr)
    medians = []
    for runtime in options.runtimes.split(","):
        for mode in options.modes.split(","):
            medians += await run_configuration(runtime, mode, databases, rows, options)
    if options.rounds > 1:
        print(f"\n# {options.rounds} rounds: median upd/s and CPU, percentiles of all their updates together")
        print(HEADER)
        print("|---|---|---|---|" + "---:|" * 12)
        print("\n".join(medians))


if __name__ == "__main__":
    asyncio.run(main())
