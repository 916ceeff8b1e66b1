"""A refund Stripe takes 10 s to answer holds no transaction: other customers are answered at once and
Stripe's own webhooks get their 200 meanwhile; the refund is recorded when Stripe answers.

`shopbot run` (polling, PTB) on SQLite against the fake Bot API and a fake Stripe API on loopback.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sqlalchemy import select

from bot.clock import UtcClock
from bot.http.server import start_http_server
from bot.processes.web import RunOptions, run_bot
from domain.payments.refunds import RefundState
from storage.database.engine import create_engine, dispose, session_factory
from storage.tables.refunds import RefundRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.fakes.stripe_api import FakeStripe, post_event
from tests.fakes.telegram_server import FakeTelegram
from tests.shops.merchant import CAROL, desk_for, paid_order
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


async def test_a_refund_stripe_answers_in_10_s_delays_no_other_customer_nor_stripes_webhook(tmp_path: Path):
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
    )
    stop = asyncio.Event()
    running = asyncio.create_task(run_bot(settings, RunOptions("ptb", "polling"), stop=stop))
    try:
        await telegram.wait_for("getUpdates", timeout=30)
        carol = Shopper(telegram, CAROL, patience=30)
        await carol.send("/orders", expect="Your recent orders")
        await carol.press(order.number, expect=order.number)
        await carol.press("Cancel order", expect=f"Cancel order {order.number}?")
        cancelling = asyncio.create_task(
            carol.press("Yes, cancel it", expect="refund of $17.50 is on its way")
        )
        await asyncio.sleep(0.5)  # Carol's refund request is with Stripe now

        started = time.monotonic()
        others = [Shopper(telegram, 7100 + n) for n in range(5)]
        await asyncio.gather(*(s.send("/start", expect="Welcome to Tea House") for s in others))
        answered_in = time.monotonic() - started
        foreign = {"id": "cs_other", "object": "checkout.session", "metadata": {}, "payment_status": "paid"}
        event = stripe.event("checkout.session.completed", foreign)
        hook = await post_event(f"http://127.0.0.1:{port}", event, STRIPE_WEBHOOK_SECRET)
        webhook_in = time.monotonic() - started

        assert answered_in < 3 and hook.status_code == 200 and webhook_in < 4
        assert not cancelling.done()  # Stripe has still not answered Carol's refund
        await cancelling
        assert await _refund_states(database_url) == [RefundState.ISSUED.value]
        assert len(stripe.refunds) == 1
    finally:
        stop.set()
        await asyncio.wait_for(running, 60)
        await telegram.close()
        await stripe_runner.cleanup()
