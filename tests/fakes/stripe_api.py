"""A fake Stripe API on loopback that the official SDK talks to over real HTTP, and a webhook signer.

Speaks the wire format: form-encoded requests with bracketed keys (`line_items[0][quantity]=2`), bearer
auth, JSON objects with an `object` field, Stripe-shaped errors, and `Idempotency-Key` (the same key
returns the same object; the same key with other parameters is an `idempotency_error`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import re
import time
from datetime import datetime
from typing import Any

import httpx
from aiohttp import web

from domain.clock import Clock

__all__ = ["FakeStripe", "sign_payload", "post_event"]

_KEY = re.compile(r"[^\[\]]+")


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_listify(node[k]) for k in sorted(node, key=int)]
        return {k: _listify(v) for k, v in node.items()}
    return node


def parse_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = _KEY.findall(key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def sign_payload(payload: str, secret: str, timestamp: int) -> str:
    """The `Stripe-Signature` header Stripe sends: t=<unix>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


async def post_event(shop_url: str, event: dict[str, Any], secret: str) -> httpx.Response:
    """Deliver `event` to the shop's Stripe webhook (`shop_url` + /webhooks/stripe), signed as Stripe
    signs it."""
    body = json.dumps(event)
    signature = sign_payload(body, secret, int(time.time()))
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{shop_url}/webhooks/stripe",
            content=body,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )


def _error(status: int, message: str, kind: str = "invalid_request_error") -> web.Response:
    return web.json_response({"error": {"type": kind, "message": message}}, status=status)


_THREE_DECIMAL = {"bhd", "jod", "kwd", "omr", "tnd"}


def _amount_refused(amount: int, currency: str) -> dict[str, Any] | None:
    """Stripe's special cases (docs.stripe.com/currencies#special-cases), as its API answers them."""
    if amount < 0:
        message = "This value must be greater than or equal to 0."
        return {"error": {"type": "invalid_request_error", "param": "unit_amount", "message": message}}
    if currency in _THREE_DECIMAL and amount % 10:
        message = f"Amounts in {currency.upper()} must have 0 as the last digit (thousandths)"
        return {"error": {"type": "invalid_request_error", "code": "invalid_amount", "message": message}}
    if currency == "isk" and amount % 100:
        message = "Currency ISK has become effectively zero-decimal: amounts must be divisible by 100"
        code = "invalid_charge_amount_no_decimal_compatible"
        return {"error": {"type": "invalid_request_error", "code": code, "message": message}}
    return None


class FakeStripe:
    def __init__(self, clock: Clock, api_key: str = "sk_test_shopbot") -> None:
        self.clock = clock
        self.api_key = api_key
        self.sessions: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}  # ch_/pi_ id -> {"amount", "currency", "refunded"}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.refund_keys: dict[str, str] = {}  # refund id -> the Idempotency-Key it was made with
        self.refunds_blocked = False  # answer refunds `blocked_status`: 503 (Stripe down) or 429 (too many)
        self.blocked_status = 503
        self.refund_seconds = 0.0  # how long Stripe takes to answer a refund request
        self._idempotent: dict[str, tuple[dict[str, Any], web.Response]] = {}
        self._ids = itertools.count(1)
        self.app = web.Application()
        self.app.router.add_post("/v1/checkout/sessions", self._create_session)
        self.app.router.add_post("/v1/refunds", self._create_refund)

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    async def _guarded(self, request: web.Request, create) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "Invalid API Key provided", "authentication_error")
        params = parse_form(list((await request.post()).items()))  # type: ignore[arg-type]
        self.requests.append((request.path, params))
        key = request.headers.get("Idempotency-Key")
        if key and key in self._idempotent:
            seen, body = self._idempotent[key]
            if seen != params:
                return _error(400, "Keys for idempotent requests can only be used with the same parameters")
            return web.json_response(body)
        status, body = create(params)
        if key and status == 200:
            self._idempotent[key] = (params, body)
            if body.get("object") == "refund":
                self.refund_keys[body["id"]] = key
        # Stripe may tell its SDK not to retry a 5xx itself; the shop's refund job asks again later.
        headers = {"Stripe-Should-Retry": "false"} if status >= 500 else None
        return web.json_response(body, status=status, headers=headers)

    async def _create_session(self, request: web.Request) -> web.Response:
        return await self._guarded(request, self._session)

    def _session(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        expires_at = int(p.get("expires_at", self._now() + 86400))
        if not self._now() + 1800 <= expires_at <= self._now() + 86400:
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "param": "expires_at",
                    "message": "expires_at must be 30 minutes to 24 hours from creation",
                }
            }
        for item in p["line_items"]:
            data = item["price_data"]
            refused = _amount_refused(int(data["unit_amount"]), data["currency"])
            if refused:
                return 400, refused
        total = sum(int(i["price_data"]["unit_amount"]) * int(i["quantity"]) for i in p["line_items"])
        n = next(self._ids)
        session = {
            "id": f"cs_test_{n}",
            "object": "checkout.session",
            "url": f"https://checkout.stripe.com/c/pay/cs_test_{n}",
            "mode": p["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": total,
            "currency": p["line_items"][0]["price_data"]["currency"],
            "client_reference_id": p.get("client_reference_id"),
            "metadata": p.get("metadata", {}),
            "expires_at": expires_at,
            "payment_intent": f"pi_test_{n}",
            "success_url": p["success_url"],
            "cancel_url": p["cancel_url"],
            "line_items_sent": p["line_items"],
            "locale": p.get("locale", "auto"),
        }
        self.sessions[session["id"]] = session
        return 200, session

    async def _create_refund(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.refund_seconds)
        return await self._guarded(request, self._refund)

    def _refund(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.refunds_blocked and self.blocked_status == 429:  # too many requests: later it may pass
            message = "Too many requests hit the API too quickly."
            return 429, {"error": {"type": "invalid_request_error", "code": "rate_limit", "message": message}}
        if self.refunds_blocked:  # a passing failure on Stripe's side: asked again later, it may pass
            return 503, {"error": {"type": "api_error", "message": "Stripe is unavailable right now."}}
        target = p.get("payment_intent") or p.get("charge")
        charge = self.charges.get(target or "")
        if charge is None:
            return 404, {"error": {"type": "invalid_request_error", "message": f"No such charge: {target}"}}
        amount = int(p.get("amount", charge["amount"]))
        refused = _amount_refused(amount, charge["currency"])
        if refused:
            return 400, refused
        if charge["refunded"] + amount > charge["amount"]:
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "code": "charge_already_refunded",
                    "message": "Charge has already been refunded.",
                }
            }
        charge["refunded"] += amount
        refund = {
            "id": f"re_test_{next(self._ids)}",
            "object": "refund",
            "amount": amount,
            "currency": charge["currency"],
            "charge": p.get("charge"),
            "payment_intent": p.get("payment_intent"),
            "status": "succeeded",
            "metadata": p.get("metadata", {}),
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

    # -- what happens on Stripe's side, as webhook events -----------------------------------------
    def pay(self, session_id: str, *, amount_total: int | None = None, currency: str | None = None):
        """The customer paid: returns the `checkout.session.completed` event."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid")
        paid = {
            **session,
            "amount_total": amount_total or session["amount_total"],
            "currency": currency or session["currency"],
        }
        self.charges[session["payment_intent"]] = {
            "amount": paid["amount_total"],
            "currency": paid["currency"],
            "refunded": 0,
        }
        return self.event("checkout.session.completed", paid)

    def expire(self, session_id: str) -> dict[str, Any]:
        self.sessions[session_id].update(status="expired")
        return self.event("checkout.session.expired", self.sessions[session_id])

    def refund_succeeded(self, refund_id: str) -> dict[str, Any]:
        return self.event("refund.updated", self.refunds[refund_id])

    def charge(self, charge_id: str, amount: int, currency: str) -> None:
        """A charge made elsewhere (Telegram Payments' Stripe provider)."""
        self.charges[charge_id] = {"amount": amount, "currency": currency.lower(), "refunded": 0}

    def event(self, kind: str, obj: dict[str, Any], at: datetime | None = None) -> dict[str, Any]:
        created = int((at or self.clock.now()).timestamp())
        return {
            "id": f"evt_test_{next(self._ids)}",
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": created,
            "type": kind,
            "livemode": False,
            "data": {"object": json.loads(json.dumps(obj))},
        }
