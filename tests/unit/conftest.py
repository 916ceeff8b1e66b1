"""Handlers over the in-memory unit of work. Swap `uow_factory` for the SQLAlchemy one to re-run them."""

from __future__ import annotations

import pytest
import structlog

from bot.wiring.payments import PaymentServices
from domain.catalog.products import Category, Product
from domain.catalog.stock import StockLevel
from domain.clock import FixedClock
from domain.money import Money
from domain.order_status import PaymentMethod
from domain.ports import UnitOfWorkFactory
from handlers.app import ShopApp
from handlers.kernel.config import DeliveryOption, ShopConfig
from handlers.payments.methods import PaymentSetup
from handlers.payments.notices import PaymentNotices
from handlers.payments.telegram import TelegramPayments
from tests.fakes.memory import FakeUnitOfWorkFactory
from tests.fakes.payment_shop import FakeGateway
from tests.unit.chat import Chat

MERCHANT_CHAT = -100500


def usd(amount: str) -> Money:
    return Money.parse(amount, "USD")


@pytest.fixture(autouse=True)
def _default_logging():
    """Another test may configure structlog to print to a captured stream pytest has since closed."""
    structlog.reset_defaults()


@pytest.fixture
def uow_factory() -> UnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def outbox(uow_factory):
    """Reads what was enqueued; the outbox port is write-only, so a storage swap overrides this too."""

    def read():
        return list(uow_factory.state.outbox)

    return read


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def config() -> ShopConfig:
    return ShopConfig(
        shop_name="Tea House",
        currency="USD",
        reservation_minutes=30,
        delivery_options=(
            DeliveryOption("standard", "Standard", usd("5.00")),
            DeliveryOption("pickup", "Pickup in store", usd("0.00"), needs_address=False),
        ),
        payment_methods=(PaymentMethod.CASH,),
        merchant_chat_id=MERCHANT_CHAT,
        page_size=2,
    )


@pytest.fixture
async def shop(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """A small catalog: teas (3 products) and cups (one sold out, one disabled)."""
    async with uow_factory() as uow:
        await uow.categories.add(Category("tea", "Tea", 0))
        await uow.categories.add(Category("cups", "Cups", 1))
        products = [
            (Product("TEA-GREEN", "Green tea", "tea", usd("12.50"), "Sencha from Shizuoka"), 3, 2),
            (Product("TEA-BLACK", "Black tea", "tea", usd("9.00")), 50, 0),
            (Product("TEA-OOLONG", "Oolong tea", "tea", usd("15.00")), 20, 0),
            (
                Product("CUP-CLAY", "Clay cup", "cups", usd("20.00"), photo="https://img.example/cup.jpg"),
                0,
                0,
            ),
            (Product("CUP-OLD", "Old cup", "cups", usd("5.00"), active=False), 10, 0),
        ]
        for product, on_hand, safety in products:
            await uow.products.add(product)
            await uow.stocks.add(StockLevel(product.sku, on_hand=on_hand, safety=safety))
        await uow.commit()
    return uow_factory


@pytest.fixture
def payments(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> PaymentServices:
    """Every way to pay, over an in-memory gateway; `config.payment_methods` says which are offered."""
    gateway, notices = FakeGateway(), PaymentNotices(MERCHANT_CHAT)
    setup = PaymentSetup(card=True, telegram=True, cash_on_delivery=True)
    return PaymentServices(
        setup, gateway, notices, TelegramPayments(uow_factory, gateway, notices, clock), None
    )


@pytest.fixture
def app(shop: UnitOfWorkFactory, clock: FixedClock, config: ShopConfig, payments: PaymentServices) -> ShopApp:
    return ShopApp(shop, clock, config, payments=payments.starters(), payment_events=payments.telegram)


@pytest.fixture
def alice(app: ShopApp) -> Chat:
    return Chat(app, 111, name="Alice")


@pytest.fixture
def bob(app: ShopApp) -> Chat:
    return Chat(app, 222, name="Bob")
