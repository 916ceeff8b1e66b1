"""A running shop for end-to-end payment tests: its HTTP server, a StripeGateway on the official SDK, a
fake Stripe API, all on loopback; the database is the in-memory unit of work."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from bot.http_server import http_app, start_http_server
from bot.stripe_gateway import StripeGateway, stripe_client
from bot.stripe_webhook import StripeWebhook
from domain.clock import FixedClock
from domain.order import Order
from handlers.payments import card_checkout_reply
from handlers.stripe_events import StripeEvents
from tests.fakes.memory import FakeUnitOfWorkFactory
from tests.fakes.payment_shop import NOTICES, place
from tests.fakes.stripe_api import FakeStripe, sign_payload

__all__ = ["Shop", "open_shop", "SECRET"]

SECRET = "whsec_test_secret"


@dataclass
class Shop:
    clock: FixedClock
    stripe: FakeStripe
    gateway: StripeGateway
    factory: FakeUnitOfWorkFactory
    http: httpx.AsyncClient
    database_up: list[bool]

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

    def order(self, number: str) -> Order:
        return self.factory.state.orders[number]


@asynccontextmanager
async def open_shop() -> AsyncIterator[Shop]:
    """The shop's HTTP server and Stripe gateway, wired to a fake Stripe API, all on loopback."""
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    fake = FakeStripe(clock)
    stripe_runner = await start_http_server(fake.app, "127.0.0.1", 0)
    client = stripe_client(fake.api_key, f"http://127.0.0.1:{stripe_runner.addresses[0][1]}")
    gateway = StripeGateway(client, "https://shop.example", clock)
    factory = FakeUnitOfWorkFactory()
    database_up = [True]

    async def health() -> bool:
        return database_up[0]

    webhook = StripeWebhook(StripeEvents(factory, gateway, NOTICES, clock), SECRET, clock)
    runner = await start_http_server(http_app(health=health, stripe_webhook=webhook), "127.0.0.1", 0)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{runner.addresses[0][1]}") as http:
        yield Shop(clock, fake, gateway, factory, http, database_up)
    await runner.cleanup()
    await stripe_runner.cleanup()
    await client._requestor._client.close_async()
