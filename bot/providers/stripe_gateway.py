"""`StripeGateway`: the `PaymentGateway` port over the official Stripe SDK (async, httpx transport).

Checkout links are Stripe Checkout Sessions in payment mode, one line per order line plus the shipping
line (named in the customer's language, as is Stripe's page), amounts as Stripe reads them
(`STRIPE_AMOUNTS`: JPY and MGA in whole units, ISK with two decimals, KWD in thousandths ending in 0).
When a price cannot be sent exactly (5.125 KWD, 12.50 HUF) the order goes as one line of its rounded total,
so that what Stripe charges is exactly the rounded total the webhook expects, never the sum of separately
rounded lines.

A session must expire between 30 minutes and 24 hours after its creation (Stripe's rule), so
`expires_at` (the end of the stock hold) is clamped into that window: with the default 30-minute hold the
link outlives the hold by a few minutes, and a payment in that gap arrives for an expired order and is
handled as a late payment (stock re-reserved, or the money refunded).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import stripe

from domain.clock import Clock
from domain.errors import PaymentRefused, PaymentUnavailable
from domain.money import Money
from domain.order import Order
from domain.payments.currency import STRIPE_AMOUNTS
from domain.payments.refunds import refund_key
from domain.ports import CheckoutLink
from handlers.kernel.i18n import translations

__all__ = ["StripeGateway"]

MIN_LIFETIME = timedelta(minutes=30, seconds=60)  # 30 min is Stripe's floor; a minute for clock skew
MAX_LIFETIME = timedelta(hours=23, minutes=59)
_LOCALES = {"zh": "zh"}  # the customer's language -> Stripe Checkout's `locale` (Simplified Chinese)


def _suffix(locale: str | None) -> str:
    """Another language is another page: its own idempotency key."""
    return f"-{locale}" if locale else ""


class StripeGateway:
    def __init__(
        self,
        client: stripe.StripeClient,
        public_url: str,
        clock: Clock,
        *,
        http_client: stripe.HTTPXClient | None = None,
    ) -> None:
        self._client = client
        self._public_url = public_url.rstrip("/")
        self._clock = clock
        self._http_client = http_client

    @classmethod
    def connect(
        cls, secret_key: str, api_url: str, public_url: str, clock: Clock, *, timeout: float = 20.0
    ) -> StripeGateway:
        """Stripe's client on httpx, talking to `api_url` (the real API, or a fake one in tests)."""
        http_client = stripe.HTTPXClient(timeout=timeout)
        client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_url},
            http_client=http_client,
            max_network_retries=2,  # safe: every POST carries an idempotency key
        )
        return cls(client, public_url, clock, http_client=http_client)

    async def aclose(self) -> None:
        if self._http_client is not None:
            await self._http_client.close_async()

    @staticmethod
    async def _call(create: Any, params: dict[str, Any], options: dict[str, Any]) -> Any:
        try:
            return await create(params, options)
        except (stripe.InvalidRequestError, stripe.IdempotencyError) as exc:  # a 400/404: final
            raise PaymentRefused(str(exc.user_message or type(exc).__name__)[:300]) from exc
        except stripe.StripeError as exc:  # network, 5xx, rate limit, auth: may pass later
            raise PaymentUnavailable(f"Stripe: {type(exc).__name__}") from exc

    def _expiry(self, wanted: datetime) -> datetime:
        now = self._clock.now()
        return min(max(wanted, now + MIN_LIFETIME), now + MAX_LIFETIME)

    async def create_checkout(
        self, order: Order, *, expires_at: datetime, language: str = "en"
    ) -> CheckoutLink:
        expiry = self._expiry(expires_at)
        currency = order.currency.lower()

        def line(name: str, price: Money, quantity: int) -> dict[str, Any]:
            amount = STRIPE_AMOUNTS.to_minor(price)
            data = {"currency": currency, "unit_amount": amount, "product_data": {"name": name}}
            return {"price_data": data, "quantity": quantity}

        parts = [(item.display_name(language), item.unit_price, item.quantity) for item in order.lines]
        if order.discount_minor:  # Stripe refuses negative prices: the goods become one discounted line
            goods = ", ".join(f"{item.quantity} × {item.display_name(language)}" for item in order.lines)
            name = f"{goods} (−{order.discount.format()} {order.promo_code})"
            parts = [(name[:250], order.subtotal - order.discount, 1)]
        if order.shipping_fee.amount_minor:
            parts.append((order.delivery.label_for(language), order.shipping_fee, 1))
        if not all(STRIPE_AMOUNTS.exact(price) for _, price, _ in parts):
            title = translations(language).gettext("Order {number}").format(number=order.number)
            parts = [(title, order.total, 1)]
        items = [line(*part) for part in parts]
        back = f"{self._public_url}/payments"
        page = _LOCALES.get(language)  # Stripe's own page in the customer's language ("auto" otherwise)
        session = await self._call(
            self._client.v1.checkout.sessions.create_async,
            {
                **({"locale": page} if page else {}),
                "mode": "payment",
                "line_items": items,
                "client_reference_id": order.number,
                "metadata": {"order_number": order.number},
                "payment_intent_data": {"metadata": {"order_number": order.number}},
                "expires_at": int(expiry.timestamp()),
                "success_url": f"{back}/done?order={order.number}",
                "cancel_url": f"{back}/cancelled?order={order.number}",
            },
            {"idempotency_key": f"shopbot-checkout-{order.number}-{int(expiry.timestamp())}{_suffix(page)}"},
        )
        return CheckoutLink(
            session.id, str(session.url), datetime.fromtimestamp(session.expires_at, expiry.tzinfo)
        )

    async def refund(self, order: Order, amount: Money, *, key: str = "") -> str:
        """Refund `amount` of the order's charge (payment intent `pi_...` or charge `ch_...`): the order's
        total refunds exactly what was charged for it; part of it is rounded down to what Stripe takes.
        `key` is the refund's idempotency key (by default the whole payment's, `refund_key`): every try of
        one refund sends the same, two refunds of one amount (two returns of one item) two."""
        charge = order.provider_charge_id
        if not charge:
            raise ValueError(f"order {order.number} has no charge to refund")
        target = {"payment_intent": charge} if charge.startswith("pi_") else {"charge": charge}
        whole = amount == order.total
        sent = STRIPE_AMOUNTS.to_minor(amount) if whole else STRIPE_AMOUNTS.refund_minor(amount)
        refund = await self._call(
            self._client.v1.refunds.create_async,
            {**target, "amount": sent, "metadata": {"order_number": order.number}},
            {"idempotency_key": "shopbot-refund-" + (key or refund_key(order.number, charge, amount))},
        )
        return refund.id
