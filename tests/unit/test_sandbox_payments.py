"""The sandbox payment provider: its page takes pretend money and posts what Stripe's webhook would get."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.demo.sandbox_payments import SANDBOX_LABEL, SandboxCheckout, SandboxGateway
from domain.clock import FixedClock
from tests.unit.terminal_toys import Controls, Terminal, order_of


async def test_paying_on_the_sandbox_page_posts_a_completed_checkout_event_for_the_order() -> None:
    seen: list[dict[str, Any]] = []

    async def webhook(event: dict[str, Any]) -> str:
        seen.append(event)
        return "paid"

    gateway = SandboxGateway(FixedClock(datetime(2026, 3, 1, tzinfo=UTC)), webhook)
    term = Terminal(controls=Controls(gateway))
    term.shop.gateway = gateway
    await term.type("/pay")
    screen = await term.type("[Pay now]")
    assert SANDBOX_LABEL in screen and "Order K7M-2QXD: $17.50" in screen
    screen = await term.type("[Pay $17.50]")
    assert "payment of $17.50 sent (paid)" in screen
    [event] = seen
    session = event["data"]["object"]
    assert event["type"] == "checkout.session.completed"
    assert (session["amount_total"], session["currency"], session["payment_status"]) == (1750, "usd", "paid")
    assert session["metadata"] == {"order_number": "K7M-2QXD"}
    assert term.controls.settled >= 1  # what the payment caused is delivered right after


async def test_an_expired_sandbox_checkout_takes_no_payment() -> None:
    async def webhook(event: dict[str, Any]) -> str:
        raise AssertionError("nothing may be posted")

    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    gateway = SandboxGateway(clock, webhook)
    link = await gateway.create_checkout(order_of(1750), expires_at=clock.now() + timedelta(minutes=30))
    clock.advance(minutes=31)
    page = await gateway.open_link(link.url)
    assert page is not None and "expired" in page.text and page.actions == ()


async def test_a_link_carries_its_checkout_so_a_restarted_demo_can_still_open_it() -> None:
    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    expires = clock.now() + timedelta(hours=1)
    link = await SandboxGateway(clock).create_checkout(order_of(990), expires_at=expires)
    session = SandboxCheckout.from_url(link.url)
    assert session is not None and session.session_id == link.session_id
    assert (session.order_number, session.amount.amount_minor) == ("K7M-2QXD", 990)
    assert session.expires_at == expires


async def test_links_the_sandbox_did_not_make_are_not_its_pages() -> None:
    gateway = SandboxGateway(FixedClock())
    assert await gateway.open_link("https://t.17track.net/en#nums=JD0146") is None
    assert await gateway.open_link("sandbox://checkout/cs_1?order=A") is None  # amount missing


async def test_refunds_are_pretend_and_recorded() -> None:
    gateway = SandboxGateway(FixedClock())
    order = order_of(1750)
    ref = await gateway.refund(order, order.total)
    assert ref.startswith("re_sandbox_") and gateway.refunds == [("K7M-2QXD", order.total)]
