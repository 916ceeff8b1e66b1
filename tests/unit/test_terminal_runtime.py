"""The terminal runtime over a tiny shop-like handler: what a person at the terminal sees and can do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.demo_personas import Persona
from bot.demo_session import Transcript, replay
from bot.sandbox_payments import SANDBOX_LABEL, SandboxGateway
from bot.simulated_carrier import SimulatedCarrier
from bot.terminal_render import Page
from bot.terminal_runtime import TerminalRuntime
from domain.clock import FixedClock
from handlers.incoming import Incoming, Kind
from handlers.reply import Button, Invoice, Outcome, Reply

CUSTOMER = Persona("customer", 101, 101, "Alice", "+15551234567")
MERCHANT = Persona("merchant", 202, -900, "Bob (merchant)", "+15557654321")


class ToyShop:
    """Answers like a shop: a menu, a product card, contact capture, an invoice, an order for the merchant."""

    def __init__(self) -> None:
        self.events: list[Incoming] = []
        self.runtime: TerminalRuntime | None = None
        self.gateway: SandboxGateway | None = None

    async def __call__(self, event: Incoming) -> Outcome:
        self.events.append(event)
        if event.kind is Kind.COMMAND and event.text == "start":
            menu = (
                (Button("Catalog", "1ca"), Button("Cart", "1ct")),
                (Button("Share phone", request_contact=True),),
            )
            return Outcome([Reply(f"Hello {event.user_name}!", buttons=menu)])
        if event.kind is Kind.BUTTON and event.action == "1ca":
            card = Reply(
                "Mug — $12.00", buttons=((Button("Add to cart", "1ad|MUG"),),), photo="mug.jpg", edit=True
            )
            return Outcome([card], answer="Opening the catalog")
        if event.kind is Kind.BUTTON and event.action == "1ad|MUG":
            invoice = Invoice("Order A", "1 mug", "order:A", "USD", (("Mug", 1200),))
            return Outcome([Reply("Pay here", invoice=invoice)], answer="Added")
        if event.kind is Kind.CONTACT:
            assert self.runtime is not None
            await self.runtime.notifier.deliver(
                MERCHANT.chat_id, Reply("New customer " + event.phone).to_payload()
            )
            return Outcome([Reply(f"Thanks, saved {event.phone}", remove_keyboard=True)])
        if event.kind is Kind.PRECHECKOUT:
            return Outcome(precheckout_ok=True)
        if event.kind is Kind.PAYMENT:
            assert event.payment is not None
            return Outcome([Reply(f"Paid {event.payment.total_amount} for {event.payment.payload}")])
        if event.kind is Kind.COMMAND and event.text == "pay":
            assert self.gateway is not None
            link = await self.gateway.create_checkout(_Order(), expires_at=datetime(2030, 1, 1, tzinfo=UTC))
            return Outcome([Reply("Pay by card", buttons=((Button("Pay now", url=link.url),),))])
        return Outcome([Reply(f"You said: {event.text}")])


class _Order:
    number = "K7M-2QXD"

    @property
    def total(self):
        from domain.money import Money

        return Money(1750, "USD")


class Controls:
    def __init__(self, gateway: SandboxGateway | None = None) -> None:
        self.settled = 0
        self.ticks = 0
        self.gateway = gateway

    async def settle(self) -> None:
        self.settled += 1

    async def tick(self) -> list[str]:
        self.ticks += 1
        return [f"clock moved ({self.ticks})"]

    async def open_link(self, url: str) -> Page | None:
        return await self.gateway.open_link(url) if self.gateway else None


def _runtime(shop: ToyShop, controls: Controls | None = None) -> tuple[TerminalRuntime, Transcript]:
    import io

    transcript = Transcript(io.StringIO())
    runtime = TerminalRuntime(
        shop, [CUSTOMER, MERCHANT], write=transcript.write, controls=controls or Controls()
    )
    shop.runtime = runtime
    return runtime, transcript


def _text(transcript: Transcript) -> str:
    return "\n".join(transcript.since_input)


async def test_buttons_are_numbered_in_order_and_pressed_by_number_or_label() -> None:
    shop = ToyShop()
    runtime, transcript = _runtime(shop)
    await runtime.submit("/start")
    screen = _text(transcript)
    assert "Hello Alice!" in screen
    assert "[1] Catalog   [2] Cart" in screen and "[3] Share phone (shares your phone)" in screen
    await runtime.submit("1")
    assert shop.events[-1].kind is Kind.BUTTON and shop.events[-1].action == "1ca"
    assert "🖼  photo: mug.jpg" in _text(transcript) and "✎ (edited)" in _text(transcript)
    assert "💬: Opening the catalog" in _text(transcript)
    await runtime.submit("[add to cart]")
    assert shop.events[-1].action == "1ad|MUG"


async def test_a_button_press_names_the_message_it_sits_on() -> None:
    shop = ToyShop()
    runtime, _ = _runtime(shop)
    await runtime.submit("/start")
    await runtime.submit("1")
    await runtime.submit("1")
    first_press, second_press = shop.events[1], shop.events[2]
    assert first_press.message_id is not None and first_press.message_id == second_press.message_id


async def test_a_number_without_such_button_is_refused_and_nothing_is_sent() -> None:
    shop = ToyShop()
    runtime, transcript = _runtime(shop)
    await runtime.submit("/start")
    await runtime.submit("9")
    assert len(shop.events) == 1
    assert "no button '9' here" in _text(transcript)


async def test_say_sends_a_number_as_text_and_commands_carry_their_arguments() -> None:
    shop = ToyShop()
    runtime, _ = _runtime(shop)
    await runtime.submit("/start")
    await runtime.submit("/say 2")
    await runtime.submit("/find blue mug")
    assert (shop.events[1].kind, shop.events[1].text) == (Kind.TEXT, "2")
    assert (shop.events[2].kind, shop.events[2].text, shop.events[2].args) == (
        Kind.COMMAND,
        "find",
        "blue mug",
    )


async def test_sharing_contact_by_button_or_command_sends_the_personas_phone() -> None:
    shop = ToyShop()
    runtime, _ = _runtime(shop)
    await runtime.submit("/start")
    await runtime.submit("3")
    await runtime.submit("/contact +15550001111")
    contacts = [e for e in shop.events if e.kind is Kind.CONTACT]
    assert [c.phone for c in contacts] == ["+15551234567", "+15550001111"]
    assert all(c.contact_user_id == CUSTOMER.user_id for c in contacts)


async def test_a_message_for_the_merchant_waits_until_switching_to_the_merchant() -> None:
    shop = ToyShop()
    runtime, transcript = _runtime(shop)
    await runtime.submit("/contact")
    assert "New customer" not in _text(transcript)
    assert "🔔 new message for the merchant" in _text(transcript)
    transcript.since_input.clear()
    await runtime.submit("/as merchant")
    assert runtime.prompt == "merchant> "
    assert "1 new message(s)" in _text(transcript) and "New customer +15551234567" in _text(transcript)
    await runtime.submit("hello")
    assert (shop.events[-1].user_id, shop.events[-1].chat_id, shop.events[-1].private) == (202, -900, False)


async def test_an_invoice_is_paid_through_precheckout_then_successful_payment() -> None:
    shop = ToyShop()
    runtime, transcript = _runtime(shop)
    await runtime.submit("/start")
    await runtime.submit("1")
    await runtime.submit("1")
    assert "🧾 invoice: Order A — $12.00" in _text(transcript)
    await runtime.submit("[no real money]")
    kinds = [e.kind for e in shop.events[-2:]]
    assert kinds == [Kind.PRECHECKOUT, Kind.PAYMENT]
    assert "Paid 1200 for order:A" in _text(transcript)


async def test_the_sandbox_checkout_page_pays_through_the_completion_it_was_given() -> None:
    seen: list[dict[str, Any]] = []

    async def complete(event: dict[str, Any]) -> str:
        seen.append(event)
        return "paid"

    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    gateway = SandboxGateway(clock, complete)
    shop = ToyShop()
    shop.gateway = gateway
    controls = Controls(gateway)
    runtime, transcript = _runtime(shop, controls)
    await runtime.submit("/pay")
    await runtime.submit("1")
    assert SANDBOX_LABEL in _text(transcript) and "Order K7M-2QXD: $17.50" in _text(transcript)
    await runtime.submit("[Pay $17.50]")
    session = seen[0]["data"]["object"]
    assert seen[0]["type"] == "checkout.session.completed"
    assert (session["amount_total"], session["currency"], session["metadata"]) == (
        1750,
        "usd",
        {"order_number": "K7M-2QXD"},
    )
    assert controls.settled >= 1


async def test_an_expired_sandbox_checkout_takes_no_payment() -> None:
    async def complete(event: dict[str, Any]) -> str:
        raise AssertionError("must not be called")

    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    gateway = SandboxGateway(clock, complete)
    link = await gateway.create_checkout(_Order(), expires_at=clock.now() + timedelta(minutes=30))  # type: ignore[arg-type]
    clock.advance(minutes=31)
    page = await gateway.open_link(link.url)
    assert page is not None and "expired" in page.text and page.actions == ()


async def test_simulated_parcel_moves_one_step_per_clock_step_until_delivered() -> None:
    clock = FixedClock()
    carrier = SimulatedCarrier(clock, step=timedelta(seconds=10))
    await carrier.register("DEMO123456")
    seen = []
    for _ in range(5):
        (status,) = await carrier.fetch(["DEMO123456"])
        seen.append(status.status)
        clock.advance(seconds=10)
    assert seen == ["InfoReceived", "InTransit", "OutForDelivery", "Delivered", "Delivered"]


async def test_a_lost_parcel_ends_in_exception() -> None:
    clock = FixedClock()
    carrier = SimulatedCarrier(clock, step=timedelta(seconds=10))
    await carrier.register("LOST12345")
    clock.advance(seconds=60)
    (status,) = await carrier.fetch(["LOST12345"])
    assert status.status == "Exception"


async def test_script_replay_checks_expectations_and_stops_at_quit() -> None:
    shop = ToyShop()
    runtime, transcript = _runtime(shop)
    failures = await replay(
        runtime,
        transcript,
        [
            "# the customer says hello",
            "/start",
            "/expect hello alice",
            "/expect goodbye",
            "/tick 2",
            "/quit",
            "hi",
        ],
    )
    assert failures == 1
    assert [e.text for e in shop.events] == ["start"]
