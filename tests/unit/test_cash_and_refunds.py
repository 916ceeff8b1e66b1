"""Cash on delivery, merchant refunds of withdrawn orders, and the payment success rate."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.actor import Actor
from domain.clock import FixedClock
from domain.money import Money
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.attempts import PaymentStats
from domain.services import change_status
from handlers.actions.customer import pack
from handlers.actions.merchant import CancelByShop, RejectOrder
from handlers.app import ShopApp
from handlers.kernel.incoming import Incoming, Kind, Payment
from handlers.payments.methods import PaymentSetup, confirm_cash_order
from handlers.payments.provider_refunds import provider_refunded
from handlers.payments.telegram import TelegramPayments, invoice_payload, telegram_invoice_reply
from jobs.expire_reservations import expire_reservations
from tests.fakes.card_link import card_checkout_reply
from tests.fakes.memory import FakeUnitOfWorkFactory
from tests.fakes.payment_shop import CUSTOMER, MERCHANT_CHAT, NOTICES, FakeGateway, outbox_texts, place, stock
from tests.shops.merchant import ANN, StaffChat, desk_for

STAFF = Actor.staff(1)
STRIPE = Actor.system("stripe")


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


def staff_desk(factory, clock, config, gateway) -> StaffChat:
    return StaffChat(ShopApp(factory, clock, config, merchant=desk_for(gateway=gateway)), ANN, "Ann")


async def test_rejecting_a_paid_order_refunds_it_once_and_it_is_refunded_when_the_refund_succeeds(config):
    factory, clock, gateway = FakeUnitOfWorkFactory(), FixedClock(), FakeGateway()
    await stock(factory, mug=3)
    order = await paid_by_telegram(factory, clock, gateway)
    ann = staff_desk(factory, clock, config, gateway)
    await ann.press_data(pack(RejectOrder(order.number, "stock")))
    assert factory.state.orders[order.number].status is OrderStatus.REJECTED
    assert factory.state.stocks["mug"].available == 3
    await ann.press_data(pack(RejectOrder(order.number, "stock")))  # pressed again on an old card
    assert gateway.calls == 1 and list(gateway.amounts.values()) == [Money(1750, "USD")]
    (refund_id,) = gateway.refunds.values()
    for _ in range(2):  # the provider reports success, twice
        async with factory() as uow:
            stored = await uow.orders.get_for_update(order.number)
            attempt = await uow.payment_attempts.find(refund_id)
            assert attempt is not None and attempt.charge_ref == "ch_9"
            await provider_refunded(uow, NOTICES, stored, attempt, 1750, actor=STRIPE, now=clock.now())
            await uow.commit()
    assert factory.state.orders[order.number].status is OrderStatus.REFUNDED
    assert len([t for t in outbox_texts(factory, CUSTOMER) if "refund of $17.50" in t]) == 1


async def test_cancelling_an_unpaid_order_refunds_nothing(config):
    factory, clock, gateway = FakeUnitOfWorkFactory(), FixedClock(), FakeGateway()
    await stock(factory, mug=3)
    order = await place(factory, clock)
    await staff_desk(factory, clock, config, gateway).press_data(pack(CancelByShop(order.number, True)))
    assert factory.state.orders[order.number].status is OrderStatus.CANCELLED
    assert (gateway.calls, factory.state.refunds) == (0, {})


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
