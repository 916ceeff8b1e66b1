"""A small shop for payment tests: stocked products, placed orders, an in-memory payment gateway."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.catalog.products import Product
from domain.catalog.stock import StockLevel
from domain.clock import FixedClock
from domain.money import Money
from domain.order import DeliveryChoice, Order
from domain.order_status import PaymentMethod
from domain.payments.refunds import refund_key
from domain.ports import CheckoutLink, UnitOfWork
from domain.services import place_order
from handlers.payments.notices import PaymentNotices
from tests.fakes.memory import FakeUnitOfWorkFactory

__all__ = [
    "FakeGateway",
    "MERCHANT_CHAT",
    "CUSTOMER",
    "NOTICES",
    "stock",
    "place",
    "place_in",
    "outbox_texts",
    "card_edits",
]

MERCHANT_CHAT = -100200300
CUSTOMER = 4242
NOTICES = PaymentNotices(MERCHANT_CHAT)
PRICE = Money(1250, "USD")
STANDARD = DeliveryChoice("standard", "Standard (3-5 days)", Money(500, "USD"))
NUMBERS = iter(f"T{n:02d}-ORDR" for n in range(100))


@dataclass
class FakeGateway:
    """Refunds are idempotent per key (by default the whole payment's), as the Stripe gateway's are;
    `calls` counts every refund request, answered or not."""

    fail_refunds: bool = False
    checkouts: list[str] = field(default_factory=list)
    refunds: dict[str, str] = field(default_factory=dict)  # idempotency key -> refund id
    amounts: dict[str, Money] = field(default_factory=dict)  # idempotency key -> amount refunded
    calls: int = 0

    async def create_checkout(
        self, order: Order, *, expires_at: datetime, language: str = "en"
    ) -> CheckoutLink:
        session = f"cs_fake_{order.number}_{len(self.checkouts) + 1}"
        self.checkouts.append(session)
        return CheckoutLink(session, f"https://pay.example/{session}", expires_at)

    async def refund(self, order: Order, amount: Money, *, key: str = "") -> str:
        self.calls += 1
        if self.fail_refunds:
            raise ConnectionError("payment provider unreachable")
        key = key or refund_key(order.number, order.provider_charge_id or "", amount)
        self.amounts.setdefault(key, amount)
        return self.refunds.setdefault(key, f"re_fake_{len(self.refunds) + 1}")


async def stock(factory: FakeUnitOfWorkFactory, **on_hand: int) -> None:
    async with factory() as uow:
        for sku, qty in on_hand.items():
            await uow.products.add(Product(sku, sku.title(), "misc", PRICE))
            await uow.stocks.add(StockLevel(sku, on_hand=qty))
        await uow.commit()


async def place_in(
    uow: UnitOfWork, clock: FixedClock, method: PaymentMethod, customer: int, cart: dict[str, int]
) -> Order:
    basket = await uow.carts.get(customer)
    for sku, qty in (cart or {"mug": 1}).items():
        basket.add(sku, qty)
    await uow.carts.save(basket, now=clock.now())
    order, _ = await place_order(
        uow,
        customer_id=customer,
        delivery=STANDARD,
        payment_method=method,
        address=None,
        now=clock.now(),
        reservation=timedelta(minutes=30),
        number_factory=lambda: next(NUMBERS),
    )
    return order


async def place(
    factory: FakeUnitOfWorkFactory,
    clock: FixedClock,
    method: PaymentMethod = PaymentMethod.STRIPE,
    customer: int = CUSTOMER,
    **cart: int,
) -> Order:
    async with factory() as uow:
        order = await place_in(uow, clock, method, customer, cart)
        await uow.commit()
    return order


def outbox_texts(factory: FakeUnitOfWorkFactory, chat_id: int) -> list[str]:
    return [m.payload["text"] for m in factory.state.outbox if m.chat_id == chat_id]


def card_edits(factory: FakeUnitOfWorkFactory, chat_id: int, message_id: int) -> list[dict]:
    """Every redraw of message `message_id` in `chat_id` (an order's card) queued so far, oldest first:
    a turn's own replies (a press redrawing the card it was on) and what other units of work queued (their
    outbox messages), by time; at one time a turn's replies come first, as its after-commit steps follow it.
    The last one is what the card shows."""
    queued = sorted([*factory.state.replies, *factory.state.outbox], key=lambda m: m.created_at)
    return [
        m.payload for m in queued if m.chat_id == chat_id and m.payload.get("edit_message_id") == message_id
    ]
