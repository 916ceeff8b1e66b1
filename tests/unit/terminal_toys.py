"""A tiny shop-like `EventHandler` and a terminal around it, for the terminal runtime's unit tests."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.demo.personas import Persona
from bot.demo.sandbox_payments import SandboxGateway
from bot.demo.session import Transcript
from bot.demo.terminal.render import Page
from bot.demo.terminal.runtime import TerminalRuntime
from domain.money import Money
from domain.order import DeliveryChoice, Order, OrderLine
from domain.order_status import PaymentMethod
from handlers.kernel.incoming import Incoming, Kind
from handlers.kernel.reply import Button, Invoice, Outcome, Reply

__all__ = ["CUSTOMER", "MERCHANT", "ToyShop", "Terminal", "order_of"]

CUSTOMER = Persona("customer", 101, 101, "Alice", "+15551234567")
MERCHANT = Persona("merchant", 202, -900, "Bob (merchant)", "+15557654321")


def order_of(total_minor: int, number: str = "K7M-2QXD") -> Order:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    line = OrderLine("MUG", "Mug", Money(total_minor, "USD"), 1)
    free = DeliveryChoice("pickup", "Pickup", Money(0, "USD"))
    return Order.place(
        number=number,
        customer_id=CUSTOMER.user_id,
        lines=[line],
        delivery=free,
        payment_method=PaymentMethod.STRIPE,
        address=None,
        now=now,
        reservation=timedelta(minutes=30),
    )


class ToyShop:
    """Answers like a shop: a menu, a product card, an invoice, a card link, a notice for the merchant."""

    def __init__(self) -> None:
        self.events: list[Incoming] = []
        self.runtime: TerminalRuntime | None = None
        self.gateway: SandboxGateway | None = None

    async def __call__(self, event: Incoming) -> Outcome:
        self.events.append(event)
        if event.kind is Kind.COMMAND and event.text == "start":
            menu = (
                (Button("🛍 Catalog", "1ca"), Button("🛒 Cart", "1ct")),
                (Button("Share phone", request_contact=True),),
            )
            return Outcome([Reply(f"Hello {event.user_name}!", buttons=menu)])
        if event.kind is Kind.BUTTON and event.action == "1ca":
            add = ((Button("Add to cart", "1ad|MUG"), Button("Cart (1)", "1ct")),)
            return Outcome([Reply("Mug — $12.00", add, photo="mug.jpg", edit=True)], answer="Opening")
        if event.kind is Kind.BUTTON and event.action == "1ad|MUG":
            invoice = Invoice("Order A", "1 mug", "order:A", "USD", (("Mug", 1200),))
            return Outcome([Reply("Pay here", invoice=invoice)], answer="Added")
        if event.kind is Kind.CONTACT:
            assert self.runtime is not None
            notice = Reply("New customer " + event.phone).to_payload()
            await self.runtime.notifier.deliver(MERCHANT.chat_id, notice)
            return Outcome([Reply(f"Thanks, saved {event.phone}", remove_keyboard=True)])
        if event.kind is Kind.PRECHECKOUT:
            return Outcome(precheckout_ok=True)
        if event.kind is Kind.PAYMENT:
            assert event.payment is not None
            return Outcome([Reply(f"Paid {event.payment.total_amount} for {event.payment.payload}")])
        if event.kind is Kind.COMMAND and event.text == "pay":
            assert self.gateway is not None
            order = order_of(1750)
            link = await self.gateway.create_checkout(order, expires_at=order.reserved_until)
            return Outcome([Reply("Pay by card", buttons=((Button("Pay now", url=link.url),),))])
        return Outcome([Reply(f"You said: {event.text}")])


@dataclass
class Controls:
    gateway: SandboxGateway | None = None
    settled: int = 0
    ticks: int = 0

    async def settle(self) -> None:
        self.settled += 1

    async def tick(self) -> list[str]:
        self.ticks += 1
        return [f"clock moved ({self.ticks})"]

    async def open_link(self, url: str) -> Page | None:
        return await self.gateway.open_link(url) if self.gateway else None


@dataclass
class Terminal:
    """The runtime over a ToyShop, with what the last typed line put on screen."""

    shop: ToyShop = field(default_factory=ToyShop)
    controls: Controls = field(default_factory=Controls)

    def __post_init__(self) -> None:
        self.transcript = Transcript(io.StringIO())
        personas = [CUSTOMER, MERCHANT]
        self.runtime = TerminalRuntime(
            self.shop, personas, write=self.transcript.write, controls=self.controls
        )
        self.shop.runtime = self.runtime

    async def type(self, *lines: str) -> str:
        """Type each line; the screen output of the last one."""
        for line in lines:
            self.transcript.since_input.clear()
            await self.runtime.submit(line)
        return "\n".join(self.transcript.since_input)

    @property
    def events(self) -> list[Incoming]:
        return self.shop.events
