"""A refund Stripe takes 10 s to answer holds no transaction: other customers are answered at once and
Stripe's own webhooks get their 200 meanwhile; the refund is recorded when Stripe answers. Both ways a
refund starts: the customer cancelling a paid order, and staff pressing 💸 Refund on its card.

`shopbot run` (polling, PTB) on SQLite against the fake Bot API and a fake Stripe API on loopback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bot.clock import UtcClock
from bot.http.server import start_http_server
from bot.processes.web import RunOptions, run_bot
from domain.order import Order
from domain.payments.refunds import RefundState
from handlers.actions.aftercare import RefundOrder
from handlers.actions.customer import pack
from storage.database.engine import create_engine, dispose, session_factory
from storage.tables.refunds import RefundRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.fakes.stripe_api import FakeStripe, post_event
from tests.fakes.telegram_server import FakeTelegram
from tests.shops.merchant import ANN, CAROL, MERCHANT_CHAT, desk_for, paid_order
from tests.shops.webhook import (
    STRIPE_WEBHOOK_SECRET,
    Shopper,
    free_port,
    prepare_database,
    shop_settings,
    stripe_settings,
)


async def _refund_states(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            return list((await session.scalars(select(RefundRow.state))).all())
    finally:
        await dispose(engine)


@dataclass
class SlowStripeShop:
    order: Order  # Carol's, paid by card
    telegram: FakeTelegram
    stripe: FakeStripe
    port: int
    database_url: str


@asynccontextmanager
async def slow_stripe_shop(tmp_path: Path) -> AsyncIterator[SlowStripeShop]:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await prepare_database(database_url)
    clock = UtcClock()
    engine = create_engine(database_url)
    try:
        order = await paid_order(SqlAlchemyUnitOfWorkFactory(engine), clock, desk_for(), **{"TEA-GREEN": 1})
    finally:
        await dispose(engine)
    stripe = FakeStripe(clock)
    stripe.charge("pi_1", order.total.amount_minor, order.total.currency)
    stripe.refund_seconds = 10
    stripe_runner = await start_http_server(stripe.app, "127.0.0.1", 0)
    telegram = await FakeTelegram().start()
    port = free_port()
    settings = shop_settings(
        database_url,
        telegram,
        port,
        **stripe_settings(stripe, stripe_runner),
        outbox_poll_seconds=0.1,
        merchant_user_ids=[ANN],
    )
    stop = asyncio.Event()
    running = asyncio.create_task(run_bot(settings, RunOptions("ptb", "polling"), stop=stop))
    try:
        await telegram.wait_until_asked("getUpdates", timeout=30)
        yield SlowStripeShop(order, telegram, stripe, port, database_url)
    finally:
        stop.set()
        await asyncio.wait_for(running, 60)
        await telegram.close()
        await stripe_runner.cleanup()


async def others_and_a_webhook_answered_while(shop: SlowStripeShop, refunding: asyncio.Task) -> None:
    """Five other customers and one Stripe webhook are answered at once while Stripe sits on the refund."""
    await asyncio.sleep(0.5)  # the refund request is with Stripe now
    started = time.monotonic()
    others = [Shopper(shop.telegram, 7100 + n) for n in range(5)]
    await asyncio.gather(*(s.send("/start", expect="Welcome to Tea House") for s in others))
    answered_in = time.monotonic() - started
    foreign = {"id": "cs_other", "object": "checkout.session", "metadata": {}, "payment_status": "paid"}
    event = shop.stripe.event("checkout.session.completed", foreign)
    hook = await post_event(f"http://127.0.0.1:{shop.port}", event, STRIPE_WEBHOOK_SECRET)
    webhook_in = time.monotonic() - started
    assert answered_in < 3 and hook.status_code == 200 and webhook_in < 4
    assert not refunding.done()  # Stripe has still not answered the refund
    await refunding


async def test_a_refund_stripe_answers_in_10_s_delays_no_other_customer_nor_stripes_webhook(tmp_path: Path):
    async with slow_stripe_shop(tmp_path) as shop:
        carol = Shopper(shop.telegram, CAROL, patience=30)
        await carol.send("/orders", expect="Your recent orders")
        await carol.press(shop.order.number, expect=shop.order.number)
        await carol.press("Cancel order", expect=f"Cancel order {shop.order.number}?")
        cancelling = asyncio.create_task(
            carol.press("Yes, cancel it", expect="refund of $17.50 is on its way")
        )
        await others_and_a_webhook_answered_while(shop, cancelling)
        assert await _refund_states(shop.database_url) == [RefundState.ISSUED.value]
        assert len(shop.stripe.refunds) == 1


async def test_a_slow_stripe_refund_from_the_order_card_delays_no_other_customer(tmp_path: Path):
    async with slow_stripe_shop(tmp_path) as shop:
        card = await shop.telegram.wait_for(
            "sendMessage", lambda p: p["chat_id"] == MERCHANT_CHAT and shop.order.number in p["text"], 30
        )
        refund = pack(RefundOrder(shop.order.number, True))
        await shop.telegram.press(ANN, card.result["message_id"], refund, chat_id=MERCHANT_CHAT)
        told = asyncio.create_task(
            shop.telegram.wait_for(
                "sendMessage", lambda p: p["chat_id"] == CAROL and "Your refund of $17.50" in p["text"], 30
            )
        )
        await others_and_a_webhook_answered_while(shop, told)  # Carol hears once Stripe issued it
        assert await _refund_states(shop.database_url) == [RefundState.ISSUED.value]
        assert len(shop.stripe.refunds) == 1
