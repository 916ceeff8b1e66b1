"""Test helpers for webhook mode: a migrated shop database, settings for `shopbot run`, a shopper who
writes and presses buttons through the fake Telegram server, delivered to the bot's webhook as Telegram
would deliver them (POST with the secret header)."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.settings import Settings
from bot.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from domain.actor import Actor
from storage.catalog.csv_format import parse_catalog
from storage.catalog.transfer import import_catalog
from storage.database.engine import create_engine, dispose
from storage.database.migrate import upgrade_with
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.fakes.stripe_api import FakeStripe
from tests.fakes.telegram_server import Call, FakeTelegram

__all__ = [
    "SECRET",
    "MERCHANT_CHAT",
    "free_port",
    "started",
    "prepare_database",
    "shop_settings",
    "STRIPE_WEBHOOK_SECRET",
    "stripe_settings",
    "post_update",
    "WebhookTelegram",
    "Step",
    "checkout_journey",
    "bot_env",
    "Shopper",
]

SECRET = "webhook-secret_0123456789"
MERCHANT_CHAT = -100500
CATALOG = """sku,name,category,price,stock,safety_stock,description,photo
TEA-GREEN,Green tea,Tea,12.50,500,2,Sencha from Shizuoka,
TEA-BLACK,Black tea,Tea,9.00,500,2,Assam breakfast tea,
"""


async def started(running: asyncio.Task[None], telegram: FakeTelegram) -> None:
    """Wait for the bot process to call setWebhook; raise why it stopped if it stops first."""
    hooked = asyncio.create_task(telegram.wait_for("setWebhook", timeout=30))
    await asyncio.wait({running, hooked}, return_when=asyncio.FIRST_COMPLETED)
    if running.done():
        hooked.cancel()
        running.result()
        raise AssertionError("the bot process stopped before calling setWebhook")
    await hooked


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def prepare_database(url: str) -> None:
    """Migrate (idempotent) and stock the two teas when the shop is empty."""
    engine = create_engine(url)
    try:
        await upgrade_with(engine)
        uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
        async with uow_factory() as uow:
            if not await uow.products.list_all():
                rows = parse_catalog(CATALOG, "USD")
                await import_catalog(uow, rows, actor=Actor.system("test"), now=datetime.now(UTC))
                await uow.commit()
    finally:
        await dispose(engine)


def shop_settings(database_url: str, telegram: FakeTelegram, port: int, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "telegram_token": telegram.token,
        "telegram_api_url": telegram.url,
        "telegram_webhook_secret": SECRET,
        "http_host": "127.0.0.1",
        "http_port": port,
        "public_url": f"http://127.0.0.1:{port}",
        "merchant_chat_id": MERCHANT_CHAT,
        "stripe_secret_key": None,
        "telegram_payment_provider_token": None,
        "tracking_api_key": None,
        "shop_name": "Tea House",
    }
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


STRIPE_WEBHOOK_SECRET = "whsec_test_secret"


def stripe_settings(stripe: FakeStripe, served: web.AppRunner) -> dict[str, Any]:
    """The settings that point the shop at the fake Stripe API `served` on loopback, webhooks signed with
    STRIPE_WEBHOOK_SECRET (for `shop_settings(..., **stripe_settings(...))`)."""
    return {
        "stripe_secret_key": stripe.api_key,
        "stripe_webhook_secret": STRIPE_WEBHOOK_SECRET,
        "stripe_api_url": f"http://127.0.0.1:{served.addresses[0][1]}",
    }


async def post_update(url: str, update: dict[str, Any], secret: str = SECRET) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.post(url + WEBHOOK_PATH, json=update, headers={SECRET_HEADER: secret}) as response:
            return response.status


Step = tuple[str, str, str]  # (what the customer does: send/press/contact, with what, the reply's text)


def checkout_journey(product: str, *, name: str, phone: str, address: str) -> list[Step]:
    """From /start to a placed cash-on-delivery order of one `product` (a tea): 12 updates."""
    return [
        ("send", "/start", "Welcome to Tea House"),
        ("press", "Catalog", "Choose a category"),
        ("press", "Tea", "Pick a product"),
        ("press", product, {"Green tea": "Sencha", "Black tea": "Assam"}[product]),
        ("press", "Add 1 to cart", "In your cart: 1"),
        ("send", "/cart", f"{product} × 1"),
        ("press", "Checkout", "Checkout 1/4"),
        ("send", name, "Checkout 2/4"),
        ("contact", phone, "Checkout 3/4"),
        ("press", "Standard", "Checkout 4/4"),
        ("send", address, "Total:"),
        ("press", "Cash on delivery", "is placed!"),
    ]


def bot_env(database_url: str, telegram: FakeTelegram, public_url: str, **settings: str) -> dict[str, str]:
    """The environment of a `python -m bot ...` subprocess: this checkout, no SHOPBOT_* of the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPBOT_")}
    env.update(
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
        SHOPBOT_DATABASE_URL=database_url,
        SHOPBOT_TELEGRAM_TOKEN=telegram.token,
        SHOPBOT_TELEGRAM_API_URL=telegram.url,
        SHOPBOT_TELEGRAM_WEBHOOK_SECRET=SECRET,
        SHOPBOT_PUBLIC_URL=public_url,
        SHOPBOT_MERCHANT_CHAT_ID=str(MERCHANT_CHAT),
        SHOPBOT_SHOP_NAME="Tea House",
    )
    env.update({f"SHOPBOT_{key.upper()}": value for key, value in settings.items()})
    return env


class WebhookTelegram(FakeTelegram):
    """The fake Bot API, delivering what users do to the bot's webhook instead of holding it for
    getUpdates. `deliver(update)` decides where (one process, or a load balancer's choice)."""

    def __init__(self, deliver: Callable[[dict[str, Any]], Awaitable[None]] | None = None) -> None:
        super().__init__()
        self.deliver = deliver

    async def push_update(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        update = await super().push_update(kind, body)
        if self.deliver is not None:
            await self.deliver(update)
        return update


class Shopper:
    """One Telegram user writing and pressing buttons; each step waits for the bot's answer."""

    def __init__(self, telegram: FakeTelegram, user_id: int, *, patience: float = 10.0) -> None:
        self.telegram = telegram
        self.user_id = user_id
        self.patience = patience  # seconds to wait for each answer

    async def send(self, text: str, *, expect: str) -> Call:
        mark = len(self.telegram.calls)
        await self.telegram.push_text(self.user_id, text)
        return await self._reply(mark, expect)

    async def share_phone(self, phone: str, *, expect: str) -> Call:
        mark = len(self.telegram.calls)
        await self.telegram.share_contact(self.user_id, phone)
        return await self._reply(mark, expect)

    async def walk(self, steps: list[Step]) -> Call:
        """Every step in turn; returns the last reply."""
        acts = {"send": self.send, "press": self.press, "contact": self.share_phone}
        for kind, value, expect in steps:
            reply = await acts[kind](value, expect=expect)
        return reply

    async def press(self, label: str, *, expect: str) -> Call:
        message_id, data = self._button(label)
        mark = len(self.telegram.calls)
        await self.telegram.press(self.user_id, message_id, data)
        return await self._reply(mark, expect)

    async def _reply(self, mark: int, expect: str) -> Call:
        """The first message sent or edited in this chat since `mark` whose text has `expect`."""
        deadline = asyncio.get_running_loop().time() + self.patience
        while True:
            for call in self.telegram.calls[mark:]:
                if (
                    call.method in ("sendMessage", "editMessageText")
                    and call.params.get("chat_id") == self.user_id
                    and expect in str(call.params.get("text", ""))
                ):
                    return call
            if asyncio.get_running_loop().time() > deadline:
                seen = [c.params.get("text") for c in self.telegram.calls[mark:] if "text" in c.params]
                raise AssertionError(f"no reply with {expect!r}; got {seen}")
            await asyncio.sleep(0.005)  # polls a condition; the deadline only bounds a broken run

    def _button(self, label: str) -> tuple[int, str]:
        mine = sorted((mid, m) for (chat, mid), m in self.telegram.messages.items() if chat == self.user_id)
        for message_id, message in reversed(mine):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            for button in (b for row in rows for b in row):
                if label in button.get("text", "") and "callback_data" in button:
                    return message_id, button["callback_data"]
        raise AssertionError(f"no button {label!r} in chat {self.user_id}")
