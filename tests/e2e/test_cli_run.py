"""`shopbot run`: refuses to start without a token, polls until SIGTERM/SIGINT and stops cleanly."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from bot.cli import app
from bot.cli.run import RUNTIMES
from bot.processes.web import RunOptions, run_bot
from bot.settings import Settings
from tests.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("SHOPBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return monkeypatch


def test_run_without_a_token_says_which_setting_is_missing(clean_env) -> None:
    result = CliRunner().invoke(app, ["run"])

    assert result.exit_code == 2
    assert "SHOPBOT_TELEGRAM_TOKEN is not set" in result.output


def test_run_rejects_an_unknown_runtime(clean_env) -> None:
    clean_env.setenv("SHOPBOT_TELEGRAM_TOKEN", "123456:TEST-token")

    result = CliRunner().invoke(app, ["run", "--runtime", "telethon"])

    assert result.exit_code == 2


def _settings(telegram: FakeTelegram, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        telegram_token=telegram.token,
        telegram_api_url=telegram.url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}",
        http_host="127.0.0.1",
        http_port=_free_port(),
        shop_name="Tea House",
    )


def _running(settings: Settings, runtime: str) -> asyncio.Task[None]:
    return asyncio.create_task(run_bot(settings, RunOptions(runtime)))


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_bot_answers_until_signalled_then_stops(
    runtime: str, sig: signal.Signals, telegram: FakeTelegram, tmp_path: Path
) -> None:
    serving = _running(_settings(telegram, tmp_path), runtime)
    await telegram.push_text(501, "/start")
    await telegram.wait_for("sendMessage", lambda p: "Welcome to Tea House" in p["text"], timeout=30)

    os.kill(os.getpid(), sig)

    await asyncio.wait_for(serving, 15)  # returns, rather than being killed
    assert signal.getsignal(sig) in (signal.default_int_handler, signal.SIG_DFL)  # handlers given back


@pytest.mark.parametrize("runtime", RUNTIMES)
async def test_token_never_reaches_the_logs_even_at_debug(
    runtime: str, telegram: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    serving = _running(_settings(telegram, tmp_path), runtime)
    await telegram.push_text(501, "/start")
    await telegram.wait_for("sendMessage", lambda p: "Welcome to Tea House" in p["text"], timeout=30)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(serving, 15)

    secret_part = telegram.token.split(":")[1]
    assert caplog.records
    assert not [r.name for r in caplog.records if secret_part in r.getMessage()]
    assert secret_part not in caplog.text


async def test_shopbot_run_serves_customers_and_health_until_sigterm(tmp_path: Path, telegram: FakeTelegram):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SHOPBOT_")},
        "PYTHONPATH": str(ROOT),
        "SHOPBOT_TELEGRAM_TOKEN": telegram.token,
        "SHOPBOT_TELEGRAM_API_URL": telegram.url,
        "SHOPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}",
        "SHOPBOT_HTTP_PORT": str(port),
        "SHOPBOT_SHOP_NAME": "Tea House",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import app; app()",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await telegram.push_text(501, "/start")
        await telegram.wait_for("sendMessage", lambda p: "Welcome to Tea House" in p["text"], timeout=30)
        async with httpx.AsyncClient() as client:
            health = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    logs = (await process.stderr.read()).decode()
    assert telegram.token.split(":")[1] not in logs


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
