from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import bot.telegram.aiogram  # noqa: F401 - import the frameworks at collection, outside any test's deadline
import bot.telegram.ptb  # noqa: F401
from bot.telegram.connection import TelegramConnection
from bot.telegram.runtime import Runtime, build_runtime
from tests.fakes.telegram_server import FakeTelegram
from tests.shops.echo import EchoShop


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.close()


@pytest.fixture
def connection(telegram: FakeTelegram) -> TelegramConnection:
    return TelegramConnection(
        telegram.token, telegram.url, payment_provider_token="provider-token", poll_timeout=1
    )


@pytest.fixture
def shop(tmp_path: Path) -> EchoShop:
    photo = tmp_path / "mug.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a tiny jpeg")
    return EchoShop(photo_path=str(photo))


@pytest.fixture(params=["ptb", "aiogram"])
async def runtime(
    request: pytest.FixtureRequest, connection: TelegramConnection, shop: EchoShop
) -> AsyncIterator[Runtime]:
    running = build_runtime(request.param, connection, shop)
    await running.start()
    yield running
    await running.stop()
