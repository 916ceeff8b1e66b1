"""The Stripe webhook endpoint: verify `Stripe-Signature`, then hand the event to `StripeEvents`.

The signature (`t=...,v1=HMAC-SHA256(secret, f"{t}.{body}")`) is checked by the SDK's
`stripe.WebhookSignature`; the timestamp is checked here against the injected clock (the SDK would read
the wall clock), 300 s either way. A missing, wrong or stale signature is a 400 and changes nothing.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import structlog
from aiohttp import web

from domain.clock import Clock
from handlers.payments.stripe_events import WebhookAnswer

__all__ = ["StripeWebhook", "StripeEventHandler", "TOLERANCE_SECONDS"]

log = structlog.get_logger(__name__)
TOLERANCE_SECONDS = 300


def _timestamp(header: str) -> int:
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            return int(value)
    raise ValueError("no timestamp")


class StripeEventHandler(Protocol):
    """What verified events go to: `handlers.payments.stripe_events.StripeEvents`, or a wrapper around it."""

    async def handle(self, event: Any) -> WebhookAnswer: ...


class StripeWebhook:
    def __init__(self, events: StripeEventHandler, secret: str, clock: Clock) -> None:
        self._events = events
        self._secret = secret
        self._clock = clock
        import stripe  # here: a shop without Stripe never loads the SDK

        self._signature = stripe.WebhookSignature
        self._refusals = (stripe.SignatureVerificationError, ValueError, RecursionError)

    def _verify(self, body: bytes, header: str) -> None:
        self._signature.verify_header(body, header, self._secret, tolerance=None)
        age = self._clock.now().timestamp() - _timestamp(header)
        if abs(age) > TOLERANCE_SECONDS:
            raise ValueError("timestamp outside the tolerance")

    async def __call__(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            self._verify(body, request.headers.get("Stripe-Signature", ""))
            event = json.loads(body)
        except self._refusals as exc:
            log.warning("stripe_webhook_refused", reason=type(exc).__name__)
            return web.Response(status=400, text="invalid signature")
        answer = await self._events.handle(event)
        return web.Response(status=answer.status, text=answer.text)
