"""Which domain events reach whom through the outbox, and in which language."""

from __future__ import annotations

from datetime import timedelta

from domain.actor import Actor
from domain.customer import Customer
from domain.order import DeliveryChoice
from domain.order_status import OrderStatus, PaymentMethod
from domain.services import change_status, place_order
from handlers.kernel.notifications import enqueue
from tests.unit.chat import fill_cart
from tests.unit.conftest import MERCHANT_CHAT, usd


async def _prepaid_order(shop, clock, customer_id: int, language: str) -> str:
    await fill_cart(shop, customer_id, {"TEA-BLACK": 1})
    async with shop() as uow:
        await uow.customers.add(Customer(customer_id, "Li", language))
        order, events = await place_order(
            uow,
            customer_id=customer_id,
            delivery=DeliveryChoice("standard", "Standard", usd("5.00")),
            payment_method=PaymentMethod.STRIPE,
            address=None,
            now=clock.now(),
            reservation=timedelta(minutes=30),
        )
        await enqueue(uow, events, merchant_chat_id=MERCHANT_CHAT, now=clock.now())
        await uow.commit()
    return order.number


async def test_customer_hears_of_payment_in_their_language_and_the_card_is_left_to_payment_notices(
    shop, clock, outbox
):
    number = await _prepaid_order(shop, clock, 555, "zh")
    assert outbox() == []
    async with shop() as uow:
        order = await uow.orders.get_for_update(number)
        events = await change_status(uow, order, OrderStatus.PAID, Actor.system("stripe"), clock.now())
        await enqueue(uow, events, merchant_chat_id=MERCHANT_CHAT, now=clock.now())
        await uow.commit()
    [message] = outbox()
    assert f"订单 {number} 更新：已付款" in message.payload["text"]
    assert (message.chat_id, message.dedupe_key) == (555, f"order:{number}:paid")


async def test_without_a_merchant_chat_only_customers_are_notified(shop, clock, outbox):
    number = await _prepaid_order(shop, clock, 556, "en")
    async with shop() as uow:
        order = await uow.orders.get_for_update(number)
        events = await change_status(uow, order, OrderStatus.PAID, Actor.system("stripe"), clock.now())
        await enqueue(uow, events, merchant_chat_id=None, now=clock.now())
        await uow.commit()
    [message] = outbox()
    assert message.chat_id == 556 and "Update on order" in message.payload["text"]
    assert message.payload["buttons"][0][0]["label"] == "Order details"
