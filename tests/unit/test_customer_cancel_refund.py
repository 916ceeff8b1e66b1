"""A customer cancelling a paid order gets the money back, or the shop is told to send it by hand."""

from __future__ import annotations

import pytest

from domain.actor import Actor
from domain.money import Money
from domain.order_status import OrderStatus
from domain.payments.refunds import MAX_REFUND_ATTEMPTS, RefundState
from handlers.actions.customer import CancelOrder, pack
from handlers.app import ShopApp
from handlers.payments.notices import PaymentNotices
from handlers.payments.provider_refunds import provider_refunded
from jobs.retry_refunds import RetryRefunds
from tests.fakes.payment_shop import FakeGateway
from tests.shops.merchant import CAROL, MERCHANT_CHAT, desk_for, paid_order
from tests.unit.chat import Chat


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def desk(gateway):
    return desk_for(gateway=gateway)


def carol_on(shop, clock, config, desk, gateway: FakeGateway | None) -> Chat:
    return Chat(ShopApp(shop, clock, config, merchant=desk, gateway=gateway), CAROL, name="Carol")


def told(factory, chat_id: int) -> list[str]:
    return [m.payload["text"] for m in factory.state.outbox if m.chat_id == chat_id]


async def cancel(carol: Chat, number: str) -> None:
    await carol.command("orders")
    await carol.press(number)
    await carol.press("Cancel order")
    await carol.press("Yes, cancel it")


async def test_a_cancelled_paid_order_is_refunded_once_and_becomes_refunded_when_the_refund_succeeds(
    shop, clock, config, desk, gateway
):
    carol = carol_on(shop, clock, config, desk, gateway)
    order = await paid_order(shop, clock, desk, **{"TEA-GREEN": 2})
    await cancel(carol, order.number)
    stored = shop.state.orders[order.number]
    assert stored.status is OrderStatus.CANCELLED
    assert shop.state.stocks["TEA-GREEN"].reserved == 0
    assert "Your refund of $30.00 is on its way" in carol.text
    assert list(gateway.amounts.values()) == [Money(3000, "USD")]
    await carol.press_data(pack(CancelOrder(order.number, True)))  # the old confirm button again
    assert "can no longer be cancelled" in carol.text
    assert gateway.calls == 1
    assert not any("by hand" in text for text in told(shop, MERCHANT_CHAT))
    (refund_id,) = gateway.refunds.values()
    async with shop() as uow:  # the provider reports the refund succeeded (Stripe's `charge.refunded`)
        attempt = await uow.payment_attempts.find(refund_id)
        order_now = await uow.orders.get_for_update(order.number)
        stripe = Actor.system("stripe")
        notices = PaymentNotices(MERCHANT_CHAT)
        await provider_refunded(uow, notices, order_now, attempt, 3000, actor=stripe, now=clock.now())
        await uow.commit()
    assert shop.state.orders[order.number].status is OrderStatus.REFUNDED
    assert "Your refund of $30.00 for order" in told(shop, CAROL)[-1]


async def test_a_refund_the_provider_cannot_take_is_retried_then_left_to_staff_who_are_told_once(
    shop, clock, config, desk, gateway
):
    gateway.fail_refunds = True  # the provider is unreachable, for good
    carol = carol_on(shop, clock, config, desk, gateway)
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    await cancel(carol, order.number)
    assert shop.state.orders[order.number].status is OrderStatus.CANCELLED
    assert "Your refund of $14.00 is on its way" in carol.text
    job = RetryRefunds(shop, gateway, clock, MERCHANT_CHAT)
    for _ in range(MAX_REFUND_ATTEMPTS - 1):  # tried after commit, then by the job as each retry is due
        assert not _by_hand(shop)
        clock.advance(hours=1)
        assert await job.run() == 1
    clock.advance(hours=1)
    assert await job.run() == 0  # given up
    alerts = _by_hand(shop)
    assert len(alerts) == 1 and order.number in alerts[0]
    assert [r.state for r in shop.state.refunds.values()] == [RefundState.FAILED]


async def test_a_refund_is_issued_once_the_provider_answers_again(shop, clock, config, desk, gateway):
    gateway.fail_refunds = True
    carol = carol_on(shop, clock, config, desk, gateway)
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    await cancel(carol, order.number)
    job = RetryRefunds(shop, gateway, clock, MERCHANT_CHAT)
    assert await job.run() == 0  # not due yet: the next try waits
    gateway.fail_refunds = False
    clock.advance(minutes=1)
    assert await job.run() == 1
    assert await job.run() == 0
    assert gateway.calls == 2 and list(gateway.amounts.values()) == [Money(1400, "USD")]
    assert [r.state for r in shop.state.refunds.values()] == [RefundState.ISSUED]
    assert not _by_hand(shop)


def _by_hand(shop) -> list[str]:
    return [text for text in told(shop, MERCHANT_CHAT) if "refund $14.00 by hand" in text]


async def test_without_a_payment_gateway_staff_are_asked_to_refund_by_hand(shop, clock, config, desk):
    carol = carol_on(shop, clock, config, desk, None)
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    await cancel(carol, order.number)
    assert shop.state.orders[order.number].status is OrderStatus.CANCELLED
    assert "The shop will refund your payment" in carol.text
    assert any("refund $14.00 by hand" in text for text in told(shop, MERCHANT_CHAT))


async def test_an_accepted_paid_order_the_customer_cancels_is_refunded_too(
    shop, clock, config, desk, gateway
):
    """The customer may cancel until the order ships (the state machine's rule); the money follows."""
    carol = carol_on(shop, clock, config, desk, gateway)
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    async with shop() as uow:
        accepted = await uow.orders.get_for_update(order.number)
        accepted.transition(OrderStatus.ACCEPTED, Actor.staff(901), clock.now())
        await uow.orders.save(accepted)
        await uow.commit()
    await cancel(carol, order.number)
    assert shop.state.orders[order.number].status is OrderStatus.CANCELLED
    assert len(gateway.refunds) == 1
