"""Cash on delivery, merchant refunds of withdrawn orders, and the payment success rate."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.actor import Actor
from domain.clock import FixedClock
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.attempts import PaymentStats
from domain.services import change_status
from handlers.kernel.incoming import Incoming, Kind, Payment
from handlers.payments.methods import PaymentSetup, confirm_cash_order
from handlers.payments.refunds import cancel_with_refund, record_refund, refund_order
from handlers.payments.telegram import TelegramPayments, invoice_payload, telegram_invoice_reply
from jobs.expire_reservations import expire_reservations
from tests.fakes.card_link import card_checkout_reply
from tests.fakes.memory import FakeUnitOfWorkFactory
from tests.fakes.payment_shop import CUSTOMER, MERCHANT_CHAT, NOTICES, FakeGateway, outbox_texts, place, stock

STAFF = Actor.staff(1)


def test_the_shop_offers_only_the_ways_to_pay_it_has_set_up():
    assert PaymentSetup(card=True, telegram=False, cash_on_delivery=True).methods() == [
        PaymentMethod.STRIPE,
        PaymentMethod.CASH,
    ]
    assert PaymentSetup(card=False, telegram=True, cash_on_delivery=False).methods() == [
        PaymentMethod.TELEGRAM
    ]


async def test_cash_order_goes_to_the_merchant_unpaid_and_counts_as_paid_when_the_cash_is_in():
    factory, clock = FakeUnitOfWorkFactory(), FixedClock()
    await stock(factory, mug=3)
    order = await place(factory, clock, PaymentMethod.CASH)
    async with factory() as uow:
        await confirm_cash_order(uow, NOTICES, order, clock.now())
        await uow.commit()
    assert "Order" in outbox_texts(factory, MERCHANT_CHAT)[0]
    assert outbox_texts(factory, CUSTOMER) == []  # the conversation confirmed it to them directly
    assert factory.state.payment_attempts == []
    clock.advance(hours=2)
    assert await expire_reservations(factory, clock) == 0  # never expires for want of payment
    async with factory() as uow:
        stored = await uow.orders.get_for_update(order.number)
        for status in (OrderStatus.ACCEPTED, OrderStatus.PACKED):
            await change_status(uow, stored, status, STAFF, clock.now())
        stored.ship("DHL", "JD0001234567", STAFF, clock.now())
        await change_status(uow, stored, OrderStatus.DELIVERED, Actor.carrier("DHL"), clock.now())
        assert not stored.is_paid  # the carrier saw it delivered, not the cash reach the shop
        stored.collect_cash(clock.now())  # 💵 Cash received on the card
        assert stored.is_paid


async def paid_by_telegram(factory, clock, gateway):
    order = await place(factory, clock, PaymentMethod.TELEGRAM)
    async with factory() as uow:
        await telegram_invoice_reply(uow, order, clock.now())
        await uow.commit()
    payment = Payment(
        invoice_payload(order), "USD", 1750, telegram_charge_id="tg_9", provider_charge_id="ch_9"
    )
    await TelegramPayments(factory, gateway, NOTICES, clock)(
        Incoming(Kind.PAYMENT, CUSTOMER, CUSTOMER, payment=payment)
    )
    return order


async def test_rejecting_a_paid_order_refunds_it_once_and_it_is_refunded_when_the_refund_succeeds():
    factory, clock, gateway = FakeUnitOfWorkFactory(), FixedClock(), FakeGateway()
    await stock(factory, mug=3)
    order = await paid_by_telegram(factory, clock, gateway)
    async with factory() as uow:
        stored = await uow.orders.get_for_update(order.number)
        refund_id = await cancel_with_refund(uow, gateway, stored, OrderStatus.REJECTED, STAFF, clock.now())
        await uow.commit()
    assert factory.state.stocks["mug"].available == 3
    async with factory() as uow:  # the merchant presses "refund" again
        again = await refund_order(uow, gateway, await uow.orders.get_for_update(order.number))
    assert again == refund_id and list(gateway.refunds) == [(order.number, "ch_9", 1750)]
    for _ in range(2):  # the provider reports success, twice
        async with factory() as uow:
            stored = await uow.orders.get_for_update(order.number)
            attempt = await uow.payment_attempts.find(refund_id)
            await record_refund(uow, NOTICES, stored, attempt, actor=Actor.system("stripe"), now=clock.now())
            await uow.commit()
    assert factory.state.orders[order.number].status is OrderStatus.REFUNDED
    assert len([t for t in outbox_texts(factory, CUSTOMER) if "refund of $17.50" in t]) == 1


async def test_cancelling_an_unpaid_order_refunds_nothing():
    factory, clock, gateway = FakeUnitOfWorkFactory(), FixedClock(), FakeGateway()
    await stock(factory, mug=3)
    order = await place(factory, clock)
    async with factory() as uow:
        stored = await uow.orders.get_for_update(order.number)
        assert (
            await cancel_with_refund(uow, gateway, stored, OrderStatus.CANCELLED, STAFF, clock.now()) is None
        )
    assert gateway.refunds == {}


async def test_success_rate_counts_paid_and_refunded_attempts_over_all_attempts():
    factory, clock, gateway = FakeUnitOfWorkFactory(), FixedClock(), FakeGateway()
    start = clock.now()
    await stock(factory, mug=9)
    await paid_by_telegram(factory, clock, gateway)
    unpaid = await place(factory, clock)
    async with factory() as uow:
        await card_checkout_reply(uow, gateway, unpaid, clock.now())
        await uow.commit()
    clock.advance(hours=1)
    await expire_reservations(factory, clock)
    async with factory() as uow:
        stats = await uow.payment_attempts.stats(start, start + timedelta(days=1))
    assert stats == PaymentStats(attempted=2, succeeded=1)
    assert stats.success_rate == Decimal("0.5")
