"""Asking Stripe for a checkout link never holds the database: the order is committed before the call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event

from bot.wiring.payments import PaymentServices
from domain.actor import Actor
from domain.clock import FixedClock
from domain.money import Money
from domain.order import Order
from domain.order_status import OrderStatus
from domain.ports import CheckoutLink, StockAudit, UnitOfWorkFactory
from handlers.app import ShopApp
from handlers.kernel.config import DeliveryOption, ShopConfig
from handlers.payments.methods import PaymentSetup
from handlers.payments.notices import PaymentNotices
from handlers.payments.telegram import TelegramPayments
from storage.database.engine import create_engine, dispose
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.fakes.payment_shop import FakeGateway
from tests.shops.storage import stocked
from tests.unit.chat import Chat, check_out, fill_cart

SHORT_WAIT_MS = 200


@dataclass
class ProbingGateway(FakeGateway):
    """While making the link, another customer's write goes through, waiting at most SHORT_WAIT_MS."""

    other_customer: UnitOfWorkFactory | None = None
    seen: list[OrderStatus | None] = field(default_factory=list)

    async def create_checkout(
        self, order: Order, *, expires_at: datetime, language: str = "en"
    ) -> CheckoutLink:
        assert self.other_customer is not None
        async with self.other_customer() as uow:  # "database is locked" / lock timeout if a write is open
            stored = await uow.orders.get(order.number)
            self.seen.append(stored.status if stored else None)
            sku = order.lines[0].sku
            level = await uow.stocks.get(sku)
            await uow.stocks.save(level, StockAudit(sku, Actor.system("test"), expires_at, "recount"))
            await uow.commit()
        return await super().create_checkout(order, expires_at=expires_at, language=language)


@pytest.fixture
async def impatient(database_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    """Units of work that give up on a lock after SHORT_WAIT_MS instead of the usual seconds."""
    options: dict[str, Any] = {}
    if database_url.startswith("postgresql"):
        options["connect_args"] = {"server_settings": {"lock_timeout": str(SHORT_WAIT_MS)}}
    engine = create_engine(database_url, **options)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _short_busy_timeout(connection: Any, _record: Any) -> None:  # after the engine's own pragmas
            cursor = connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={SHORT_WAIT_MS}")
            cursor.close()

    try:
        yield SqlAlchemyUnitOfWorkFactory(engine)
    finally:
        await dispose(engine)


def _card_shop(uow_factory: UnitOfWorkFactory, gateway: ProbingGateway) -> ShopApp:
    clock, notices = FixedClock(), PaymentNotices(None)
    setup = PaymentSetup(card=True, telegram=False, cash_on_delivery=True)
    telegram = TelegramPayments(uow_factory, gateway, notices, clock)
    payments = PaymentServices(setup, gateway, notices, telegram, None)
    standard = DeliveryOption("standard", "Standard", Money(500, "USD"))
    config = ShopConfig(
        shop_name="Tea House",
        currency="USD",
        reservation_minutes=30,
        delivery_options=(standard,),
        payment_methods=payments.methods,
        merchant_chat_id=None,
    )
    return ShopApp(uow_factory, clock, config, payments=payments.starters())


async def test_other_customers_can_write_while_stripe_makes_the_card_link(uow_factory, impatient):
    await stocked(uow_factory, ("TEA-1", 10, 0))
    gateway = ProbingGateway(other_customer=impatient)
    chat = Chat(_card_shop(uow_factory, gateway), 606)
    await fill_cart(uow_factory, 606, {"TEA-1": 2})
    await check_out(chat)

    await chat.press("Card")

    assert gateway.seen == [OrderStatus.PLACED]  # committed, with its reservation, before Stripe was asked
    assert chat.link("Pay $42.00") == f"https://pay.example/{gateway.checkouts[-1]}"
    async with uow_factory(write=False) as uow:
        [order] = await uow.orders.list_for_customer(606)
        assert (await uow.payment_attempts.latest(order.number)).provider_ref == gateway.checkouts[-1]
        assert (await uow.stocks.get("TEA-1")).reserved == 2
