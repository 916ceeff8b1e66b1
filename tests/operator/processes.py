"""`shopbot` as an operator runs it: the console script next to this Python, a working directory with
its own database, every integration pointed at the loopback fakes, and the process's whole output kept
to be read for ERROR lines, tracebacks and failed jobs."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.clock import UtcClock
from bot.http.server import start_http_server
from tests.fakes.seventeen_track import TOKEN as TRACKING_KEY
from tests.fakes.seventeen_track import FakeSeventeenTrack
from tests.fakes.stripe_api import FakeStripe
from tests.fakes.telegram_server import FakeTelegram

__all__ = ["SHOPBOT", "Fakes", "running_fakes", "operator_env", "shopbot", "ShopbotProcess", "running"]

SHOPBOT = Path(sys.executable).with_name("shopbot")  # the console script pip installed (README)
STRIPE_WEBHOOK_SECRET = "whsec_operator_tier"
MERCHANT_CHAT = -100500
STAFF = 900
# What must never appear in a healthy process's output, in console or JSON logs.
PROBLEM = re.compile(
    r'Traceback|job_failed|\bERROR\b|\bCRITICAL\b|\[error|\[critical|"level":\s*"(?:error|critical)"'
)


@dataclass
class Fakes:
    telegram: FakeTelegram
    stripe: FakeStripe
    stripe_url: str
    tracking: FakeSeventeenTrack


@asynccontextmanager
async def running_fakes() -> AsyncIterator[Fakes]:
    telegram = await FakeTelegram().start()
    stripe = FakeStripe(UtcClock())
    stripe_runner = await start_http_server(stripe.app, "127.0.0.1", 0)
    tracking = FakeSeventeenTrack(rate=10)
    await tracking.start()
    try:
        yield Fakes(telegram, stripe, f"http://127.0.0.1:{stripe_runner.addresses[0][1]}", tracking)
    finally:
        await tracking.stop()
        await stripe_runner.cleanup()
        await telegram.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def operator_env(fakes: Fakes, database_url: str, port: int, **extra: str) -> dict[str, str]:
    """Every integration on, against the fakes; jobs due within seconds, not hours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPBOT_")}
    env.update(
        {
            "SHOPBOT_DATABASE_URL": database_url,
            "SHOPBOT_SHOP_NAME": "Tea House",
            "SHOPBOT_TELEGRAM_TOKEN": fakes.telegram.token,
            "SHOPBOT_TELEGRAM_API_URL": fakes.telegram.url,
            "SHOPBOT_TELEGRAM_PAYMENT_PROVIDER_TOKEN": "284685063:TEST:operator",
            "SHOPBOT_MERCHANT_CHAT_ID": str(MERCHANT_CHAT),
            "SHOPBOT_MERCHANT_USER_IDS": str(STAFF),
            "SHOPBOT_HTTP_PORT": str(port),
            "SHOPBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "SHOPBOT_STRIPE_SECRET_KEY": fakes.stripe.api_key,
            "SHOPBOT_STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
            "SHOPBOT_STRIPE_API_URL": fakes.stripe_url,
            "SHOPBOT_TRACKING_API_KEY": TRACKING_KEY,
            "SHOPBOT_TRACKING_API_URL": fakes.tracking.url,
            "SHOPBOT_TRACKING_POLL_SECONDS": "5",
            "SHOPBOT_EXPIRY_POLL_SECONDS": "1",
            "SHOPBOT_LOW_STOCK_POLL_SECONDS": "5",
            "SHOPBOT_OUTBOX_POLL_SECONDS": "0.1",
            "SHOPBOT_FLOOD_PRIVATE_PER_SECOND": "50",
            "SHOPBOT_FLOOD_GROUP_PER_MINUTE": "600",
            "SHOPBOT_DAILY_REPORT_HOUR": "0",
            "SHOPBOT_COMPLETE_AFTER_DAYS": "1",
        }
    )
    env.update(extra)
    return env


async def shopbot(env: dict[str, str], cwd: Path, *args: str) -> str:
    """Run one command to its end as README shows it; its output, which must be clean."""
    process = await asyncio.create_subprocess_exec(
        SHOPBOT, *args, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    text = out.decode()
    assert process.returncode == 0, f"shopbot {' '.join(args)} exited {process.returncode}:\n{text}"
    assert not PROBLEM.search(text), text
    return text


@dataclass
class ShopbotProcess:
    """A long-running `shopbot run` or `shopbot worker`; its output lines are collected as they come."""

    args: tuple[str, ...]
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, env: dict[str, str], cwd: Path, *args: str) -> ShopbotProcess:
        process = await asyncio.create_subprocess_exec(
            SHOPBOT, *args, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        started = cls(args, process)
        started.reader = asyncio.create_task(started._read())
        return started

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def stop(self) -> None:
        """SIGTERM, as a service manager stops it: it must exit 0 within seconds."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"shopbot {' '.join(self.args)} ignored SIGTERM:\n{self.output}") from None
        if self.reader is not None:
            await self.reader
        assert code == 0, f"shopbot {' '.join(self.args)} exited {code}:\n{self.output}"

    def assert_clean(self) -> None:
        bad = [line for line in self.lines if PROBLEM.search(line)]
        report = "\n".join(bad) + "\n--- whole output ---\n" + self.output
        assert not bad, f"shopbot {' '.join(self.args)} logged problems:\n{report}"

    async def wait_ready(self, url: str, timeout: float = 60) -> None:  # noqa: ASYNC109
        """Until `url` answers 200 (the process is up and serving), or the process died."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient() as http:
            while loop.time() < deadline and self.process.returncode is None:
                try:
                    if (await http.get(url)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)  # another process starting: nothing to wait on but its port
        raise AssertionError(f"shopbot {' '.join(self.args)} never served {url}:\n{self.output}")


@asynccontextmanager
async def running(env: dict[str, str], cwd: Path, *args: str, ready: str) -> AsyncIterator[ShopbotProcess]:
    """A process started and serving `ready`; stopped with SIGTERM at the end (exit 0, clean output).
    When the block fails, the process is killed and its output added to the failure."""
    process = await ShopbotProcess.start(env, cwd, *args)
    try:
        await process.wait_ready(ready)
        yield process
    except BaseException as exc:
        if process.process.returncode is None:
            process.process.kill()
            await process.process.wait()
        if process.reader is not None:
            await process.reader
        exc.add_note(f"--- output of shopbot {' '.join(args)} ---\n{process.output}")
        raise
    await process.stop()
    process.assert_clean()
