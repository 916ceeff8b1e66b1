"""Which domain events reach whom through the outbox, and in which language."""

from __future__ import annotations

from datetime import timedelta

from domain.actor import Actor
from domain.customer import Customer
from domain.order import DeliveryChoice
from domain.order_status import OrderStatus, PaymentMethod
from domain.services import change_status, place_order
from handlers.notifications import enqueue
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


async def test_unpaid_prepaid_order_does_not_bother_the_shop_until_paid(shop, clock, outbox):
    number = await _prepaid_order(shop, clock, 555, "zh")
    assert outbox() == []
    async with shop() as uow:
        order = await uow.orders.get_for_update(number)
        events = await change_status(uow, order, OrderStatus.PAID, Actor.system("stripe"), clock.now())
        await enqueue(uow, events, merchant_chat_id=MERCHANT_CHAT, now=clock.now())
        await uow.commit()
    by_chat = {m.chat_id: m for m in outbox()}
    assert f"订单 {number} 更新：已付款" in by_chat[555].payload["text"]
    assert by_chat[555].dedupe_key == f"order:{number}:paid"
    assert f"New order {number}" in by_chat[MERCHANT_CHAT].payload["text"]
    assert "Card (online)" in by_chat[MERCHANT_CHAT].payload["text"]


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
