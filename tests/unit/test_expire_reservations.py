"""The expiry job: unpaid prepaid orders past their hold give their stock back, once."""

from __future__ import annotations

from bot.background.scheduler import JobContext
from bot.settings import Settings
from domain.clock import FixedClock
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.attempts import AttemptOutcome
from jobs import expire_reservations as job
from jobs.expire_reservations import expire_reservations
from tests.fakes.card_link import card_checkout_reply
from tests.fakes.memory import FakeUnitOfWorkFactory
from tests.fakes.payment_shop import (
    CUSTOMER,
    MERCHANT_CHAT,
    FakeGateway,
    card_edits,
    outbox_texts,
    place,
    stock,
)

CARD = 4242  # the id Telegram gave the order's card in the merchant chat


async def test_overdue_unpaid_order_expires_releases_stock_and_tells_the_customer_once():
    factory, clock = FakeUnitOfWorkFactory(), FixedClock()
    await stock(factory, mug=2)
    order = await place(factory, clock, mug=2)
    async with factory() as uow:
        await card_checkout_reply(uow, FakeGateway(), order, clock.now())
        await uow.commit()
    clock.advance(minutes=30)
    assert await expire_reservations(factory, clock) == 1
    assert await expire_reservations(factory, clock) == 0
    assert factory.state.orders[order.number].status is OrderStatus.PAYMENT_EXPIRED
    assert factory.state.stocks["mug"].available == 2
    assert factory.state.payment_attempts[0].outcome is AttemptOutcome.EXPIRED
    assert len([t for t in outbox_texts(factory, CUSTOMER) if "not paid in time" in t]) == 1


async def test_orders_still_within_their_hold_and_cash_orders_are_left_alone():
    factory, clock = FakeUnitOfWorkFactory(), FixedClock()
    await stock(factory, mug=5)
    fresh = await place(factory, clock)
    cash = await place(factory, clock, PaymentMethod.CASH)
    clock.advance(minutes=29)
    assert await expire_reservations(factory, clock) == 0
    clock.advance(days=3)
    await expire_reservations(factory, clock)
    assert factory.state.orders[fresh.number].status is OrderStatus.PAYMENT_EXPIRED
    assert factory.state.orders[cash.number].status is OrderStatus.PLACED


async def test_an_order_expiring_redraws_its_card_in_the_merchant_chat_as_the_scheduler_runs_it():
    factory, clock = FakeUnitOfWorkFactory(), FixedClock()
    await stock(factory, mug=2)
    order = await place(factory, clock, mug=2)
    factory.state.orders[order.number].merchant_message_id = CARD  # staff pressed its card (/order)
    clock.advance(minutes=30)
    settings = Settings(_env_file=None, merchant_chat_id=MERCHANT_CHAT)
    assert await job.run(JobContext(settings, factory, clock, worker="test")) == 1
    [edit] = card_edits(factory, MERCHANT_CHAT, CARD)  # in the unit of work that expired it
    assert edit["text"].startswith(f"🧾 Order {order.number} — Payment expired")
    assert "Cancel order" not in str(edit["buttons"])
