"""`shopbot run`: refuses to start without a token, polls until SIGTERM/SIGINT and stops cleanly."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.cli_run import RuntimeChoice, serve
from bot.settings import Settings
from tests.e2e.echo_shop import EchoShop
from tests.fakes.telegram_server import FakeTelegram


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


@pytest.mark.parametrize("runtime", list(RuntimeChoice))
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_bot_answers_until_signalled_then_stops(
    runtime: RuntimeChoice, sig: signal.Signals, telegram: FakeTelegram, shop: EchoShop
) -> None:
    settings = Settings(telegram_token=telegram.token, telegram_api_url=telegram.url, _env_file=None)
    serving = asyncio.create_task(serve(settings, runtime, shop))
    await telegram.push_text(501, "open?")
    await telegram.wait_for("sendMessage")

    os.kill(os.getpid(), sig)

    await asyncio.wait_for(serving, 5)  # returns, rather than being killed
    assert signal.getsignal(sig) in (signal.default_int_handler, signal.SIG_DFL)  # handlers given back


@pytest.mark.parametrize("runtime", list(RuntimeChoice))
async def test_token_never_reaches_the_logs_even_at_debug(
    runtime: RuntimeChoice, telegram: FakeTelegram, shop: EchoShop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(telegram_token=telegram.token, telegram_api_url=telegram.url, _env_file=None)
    serving = asyncio.create_task(serve(settings, runtime, shop))
    await telegram.push_text(501, "hi")
    await telegram.wait_for("sendMessage")
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(serving, 5)

    secret_part = telegram.token.split(":")[1]
    assert caplog.records
    assert not [r.name for r in caplog.records if secret_part in r.getMessage()]
    assert secret_part not in caplog.text


def test_run_says_so_when_the_conversation_is_not_connected(clean_env, tmp_path: Path) -> None:
    clean_env.setenv("SHOPBOT_TELEGRAM_TOKEN", "123456:TEST-token")
    clean_env.setenv("SHOPBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")

    result = CliRunner().invoke(app, ["run", "--runtime", "aiogram"])

    assert result.exit_code == 1
    assert "Cannot start" in result.output
