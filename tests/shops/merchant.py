"""A merchant desk over any unit-of-work factory: staff in the merchant chat, a paid order with its card."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from domain.actor import Actor
from domain.catalog.products import Category, Product
from domain.catalog.stock import StockLevel
from domain.customer import Address, Customer
from domain.money import Money
from domain.order import DeliveryChoice, Order
from domain.order_status import PaymentMethod
from domain.services import place_order
from handlers.kernel.incoming import Kind
from handlers.kernel.reply import Reply
from handlers.merchant.desk import MerchantDesk
from handlers.payments.notices import PaymentNotices
from handlers.payments.settlement import ReceivedPayment, settle_payment
from tests.fakes.payment_shop import FakeGateway
from tests.unit.chat import Chat

__all__ = [
    "MERCHANT_CHAT",
    "CARD_MESSAGE",
    "CAROL",
    "FREE_DELIVERY",
    "ANN",
    "BEN",
    "StaffChat",
    "FakeTracking",
    "desk_for",
    "paid_order",
]

MERCHANT_CHAT = -100500
CARD_MESSAGE = 777  # the id Telegram gave the card in the merchant chat
CAROL = 333  # the customer
ANN, BEN = 901, 902  # staff
STANDARD = DeliveryChoice("standard", "Standard", Money(500, "USD"))
FREE_DELIVERY = DeliveryChoice("free", "Free delivery", Money(0, "USD"))
_updates = itertools.count(50_000)
_numbers = (f"M{n:02d}-TEST" for n in itertools.count())


@dataclass
class FakeTracking:
    registered: list[tuple[str, str | None]] = field(default_factory=list)

    async def register(self, tracking_number: str, carrier: str | None = None) -> None:
        self.registered.append((tracking_number, carrier))

    async def register_many(self, parcels):
        self.registered += list(parcels)
        return {}

    async def fetch(self, tracking_numbers):
        return []


def desk_for(*, tracking: FakeTracking | None = None, gateway: FakeGateway | None = None) -> MerchantDesk:
    return MerchantDesk(frozenset({ANN, BEN}), MERCHANT_CHAT, tracking=tracking, gateway=gateway)


class StaffChat(Chat):
    """A staff member writing in the merchant group; presses land on the card's message by default."""

    def __init__(self, app, user_id: int, name: str, *, chat_id: int = MERCHANT_CHAT):
        super().__init__(app, user_id, name=name, chat_id=chat_id)

    async def press_data(self, data: str, message_id: int = CARD_MESSAGE):
        return await self._send(Kind.BUTTON, action=data, message_id=message_id)

    async def reply(self, to: Reply, text: str, *, message_id: int):
        """Answer the bot's message `to` (which Telegram gave `message_id`) with Telegram's reply."""
        return await self._send(Kind.TEXT, text=text, reply_to_message_id=message_id, reply_to_text=to.text)

    async def press_on(self, reply: Reply, label: str, message_id: int = CARD_MESSAGE):
        matches = [b.action for row in reply.buttons for b in row if label in b.label and b.action]
        assert matches, f"no button {label!r} on {reply.text!r}"
        return await self.press_data(matches[0], message_id)


async def stock_black_tea(factory, on_hand: int = 10) -> None:
    async with factory() as uow:
        await uow.categories.add(Category("tea", "Tea"))
        await uow.products.add(Product("TEA-BLACK", "Black tea", "tea", Money(900, "USD")))
        await uow.stocks.add(StockLevel("TEA-BLACK", on_hand=on_hand))
        await uow.commit()


async def placed_order(factory, clock, *, delivery: DeliveryChoice = STANDARD, **lines: int) -> Order:
    """Carol orders, to pay by card."""
    address = Address("Carol Chen", "+15550100", "US", "Springfield", "12 Main St", "12345")
    async with factory() as uow:
        if await uow.customers.get(CAROL) is None:
            await uow.customers.add(Customer(CAROL, "Carol", "en"))
        cart = await uow.carts.get(CAROL)
        for sku, qty in lines.items():
            cart.add(sku, qty)
        await uow.carts.save(cart, now=clock.now())
        order, _events = await place_order(
            uow,
            customer_id=CAROL,
            delivery=delivery,
            payment_method=PaymentMethod.STRIPE,
            address=address,
            now=clock.now(),
            reservation=timedelta(minutes=30),
            customer_name="Carol Chen",
            customer_phone="+15550100",
            number_factory=lambda: next(_numbers),
        )
        await uow.commit()
    return order


async def paid_order(
    factory, clock, desk: MerchantDesk, *, delivery: DeliveryChoice = STANDARD, **lines: int
) -> Order:
    """Carol orders and pays by card; the payment settlement sends the card to the merchant chat."""
    order = await placed_order(factory, clock, delivery=delivery, **lines)
    async with factory() as uow:
        order = await uow.orders.get_for_update(order.number)
        payment = ReceivedPayment(PaymentMethod.STRIPE, order.total, "cs_1", f"cs_{order.number}", "pi_1")
        notices = PaymentNotices(MERCHANT_CHAT, order_card=desk.order_card)
        await settle_payment(uow, notices, order, payment, actor=Actor.system("stripe"), now=clock.now())
        await uow.commit()
    return order
