"""A sandbox payment provider for the demo: checkout links that take no real money.

`SandboxGateway` implements `domain.ports.PaymentGateway`. Its checkout link opens a sandbox page (in the
terminal) whose "Pay" button produces the event Stripe would post to the webhook —
`checkout.session.completed` with the session, amount and payment intent — and hands it to the same
settlement code the Stripe webhook calls once it has verified a signature. Nothing in the product's code
paths knows it is a sandbox.

The link carries everything the page shows (order, amount, expiry), so a demo database kept with
`--db` still has working links after a restart.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.demo.terminal.render import Page, PageAction
from domain.clock import Clock
from domain.money import Money
from domain.order import Order
from domain.ports import CheckoutLink

__all__ = ["SANDBOX_LABEL", "SandboxCheckout", "SandboxGateway", "CompleteCheckout"]

SANDBOX_LABEL = "SANDBOX — no real money"
_PREFIX = "sandbox://checkout/"

# Receives a Stripe-shaped event (`{"id", "type", "data": {"object": {...}}}`) and says what happened.
CompleteCheckout = Callable[[dict[str, Any]], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class SandboxCheckout:
    session_id: str
    order_number: str
    amount: Money
    expires_at: datetime

    def url(self) -> str:
        query = {
            "order": self.order_number,
            "amount": str(self.amount.amount_minor),
            "currency": self.amount.currency,
            "expires": str(int(self.expires_at.timestamp())),
        }
        return f"{_PREFIX}{self.session_id}?{urlencode(query)}"

    @classmethod
    def from_url(cls, url: str) -> SandboxCheckout | None:
        if not url.startswith(_PREFIX):
            return None
        parts = urlsplit(url)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        try:
            return cls(
                session_id=parts.path.strip("/"),
                order_number=query["order"],
                amount=Money(int(query["amount"]), query["currency"]),
                expires_at=datetime.fromtimestamp(int(query["expires"]), UTC),
            )
        except (KeyError, ValueError):
            return None

    def completed_event(self, number: int, now: datetime) -> dict[str, Any]:
        """What Stripe posts to the webhook when this session is paid."""
        return {
            "id": f"evt_sandbox_{self.session_id[-12:]}_{number}",
            "object": "event",
            "created": int(now.timestamp()),
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": self.session_id,
                    "object": "checkout.session",
                    "mode": "payment",
                    "status": "complete",
                    "payment_status": "paid",
                    "amount_total": self.amount.amount_minor,
                    "currency": self.amount.currency.lower(),
                    "client_reference_id": self.order_number,
                    "metadata": {"order_number": self.order_number},
                    "payment_intent": f"pi_sandbox_{self.session_id[-12:]}",
                }
            },
        }


class SandboxGateway:
    """`PaymentGateway` whose money is pretend; `complete` is the Stripe webhook's settlement path."""

    def __init__(self, clock: Clock, complete: CompleteCheckout | None = None) -> None:
        self._clock = clock
        self._complete = complete
        self._events = itertools.count(1)
        self.refunds: list[tuple[str, Money]] = []  # (order number, amount): what was sent back

    def connect(self, complete: CompleteCheckout) -> None:
        """Where paid sessions go; set once the webhook's handler (which refunds through us) exists."""
        self._complete = complete

    async def create_checkout(
        self, order: Order, *, expires_at: datetime, language: str = "en"
    ) -> CheckoutLink:
        session = SandboxCheckout(f"cs_sandbox_{uuid.uuid4().hex}", order.number, order.total, expires_at)
        return CheckoutLink(session.session_id, session.url(), expires_at)

    async def refund(self, order: Order, amount: Money, *, key: str = "") -> str:
        self.refunds.append((order.number, amount))
        return f"re_sandbox_{uuid.uuid4().hex[:16]}"

    async def open_link(self, url: str) -> Page | None:
        """The hosted checkout page behind a link this gateway made (None for any other link)."""
        session = SandboxCheckout.from_url(url)
        if session is None:
            return None
        header = f"{SANDBOX_LABEL}\nOrder {session.order_number}: {session.amount.format()}"
        if self._clock.now() >= session.expires_at:
            return Page(SANDBOX_LABEL, f"{header}\nThis checkout has expired.")
        text = f"{header}\nCard 4242 4242 4242 4242 (sandbox test card)"
        return Page(
            SANDBOX_LABEL, text, (PageAction(f"Pay {session.amount.format()}", self._payer(session)),)
        )

    def _payer(self, session: SandboxCheckout) -> Callable[[], Awaitable[str]]:
        async def pay() -> str:
            if self._clock.now() >= session.expires_at:
                return f"{SANDBOX_LABEL}: this checkout has expired; nothing was charged"
            if self._complete is None:
                raise RuntimeError("the sandbox gateway is not connected to a webhook handler")
            outcome = await self._complete(session.completed_event(next(self._events), self._clock.now()))
            return f"{SANDBOX_LABEL}: payment of {session.amount.format()} sent ({outcome})"

        return pay
