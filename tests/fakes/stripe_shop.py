"""A running shop for end-to-end payment tests: its HTTP server, a StripeGateway on the official SDK, a
fake Stripe API, all on loopback; the database is the in-memory unit of work."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from bot.http.server import http_app, start_http_server
from bot.observability.metrics import Metrics
from bot.settings import Settings
from bot.wiring.payments import PaymentServices, build_payments
from domain.clock import FixedClock
from domain.order import Order
from domain.ports import PaymentGateway
from handlers.merchant.desk import MerchantDesk
from tests.fakes.card_link import card_checkout_reply
from tests.fakes.memory import FakeUnitOfWorkFactory
from tests.fakes.payment_shop import MERCHANT_CHAT, place
from tests.fakes.stripe_api import FakeStripe, sign_payload

__all__ = ["Shop", "open_shop", "SECRET"]

SECRET = "whsec_test_secret"


@dataclass
class Shop:
    clock: FixedClock
    stripe: FakeStripe
    payments: PaymentServices
    factory: FakeUnitOfWorkFactory
    http: httpx.AsyncClient
    database_up: list[bool]
    stripe_api_url: str

    async def post(self, event: dict, *, secret: str = SECRET, at: datetime | None = None, header=None):
        body = json.dumps(event)
        timestamp = int((at or self.clock.now()).timestamp())
        signature = sign_payload(body, secret, timestamp) if header is None else header
        headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
        return await self.http.post("/webhooks/stripe", content=body, headers=headers)

    async def checkout(self, **cart: int) -> tuple[Order, str]:
        order = await place(self.factory, self.clock, **cart)
        async with self.factory() as uow:
            await card_checkout_reply(uow, self.gateway, order, self.clock.now())
            await uow.commit()
        return order, list(self.stripe.sessions)[-1]

    @property
    def gateway(self) -> PaymentGateway:
        return self.payments.gateway

    def order(self, number: str) -> Order:
        return self.factory.state.orders[number]


@asynccontextmanager
async def open_shop(
    *, metrics: Metrics | None = None, desk: MerchantDesk | None = None, **settings: object
) -> AsyncIterator[Shop]:
    """The shop's payments wired from settings as `run` wires them, against a fake Stripe API.

    `settings` adds to or overrides the Stripe ones (e.g. telegram_payment_provider_token); `metrics`
    counts the payments as `run` counts them; `desk` lends them its order card and its card redraw, as
    `run`'s merchant desk does (None: the plain card, and no card is redrawn by a payment event)."""
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    fake = FakeStripe(clock)
    stripe_runner = await start_http_server(fake.app, "127.0.0.1", 0)
    configured = Settings(
        _env_file=None,
        **{
            "stripe_secret_key": fake.api_key,
            "stripe_webhook_secret": SECRET,
            "stripe_api_url": f"http://127.0.0.1:{stripe_runner.addresses[0][1]}",
            "public_url": "https://shop.example",
            "merchant_chat_id": MERCHANT_CHAT,
            **settings,
        },
    )
    factory = FakeUnitOfWorkFactory()
    cards = {} if desk is None else {"order_card": desk.order_card, "refresh_cards": desk.refresh_cards}
    payments = build_payments(configured, factory, clock, metrics=metrics, **cards)
    database_up = [True]

    async def health() -> bool:
        return database_up[0]

    app = http_app(health=health, stripe_webhook=payments.stripe_webhook)
    runner = await start_http_server(app, "127.0.0.1", 0)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{runner.addresses[0][1]}") as http:
            yield Shop(clock, fake, payments, factory, http, database_up, configured.stripe_api_url)
    finally:
        await runner.cleanup()
        await stripe_runner.cleanup()
        await payments.aclose()
