"""Which ways to pay `run` offers follows from the settings."""

from __future__ import annotations

from bot.settings import Settings
from bot.wiring.payments import NoGateway, build_payments
from domain.clock import FixedClock
from domain.order_status import PaymentMethod
from tests.fakes.memory import FakeUnitOfWorkFactory


def services(**settings):
    return build_payments(Settings(_env_file=None, **settings), FakeUnitOfWorkFactory(), FixedClock())


async def test_a_shop_without_stripe_offers_telegram_and_cash_and_leaves_refunds_to_the_merchant():
    payments = services(telegram_payment_provider_token="284685063:TEST:abc")
    assert payments.setup.methods() == [PaymentMethod.TELEGRAM, PaymentMethod.CASH]
    assert isinstance(payments.gateway, NoGateway) and payments.stripe_webhook is None
    await payments.aclose()


async def test_card_payments_need_both_the_stripe_key_and_the_webhook_secret():
    half = services(stripe_secret_key="sk_test_x", cash_on_delivery=False)
    full = services(stripe_secret_key="sk_test_x", stripe_webhook_secret="whsec_x", cash_on_delivery=False)
    assert half.setup.methods() == []
    assert full.setup.methods() == [PaymentMethod.STRIPE]
    for payments in (half, full):
        await payments.aclose()


async def test_checkout_can_start_exactly_the_ways_to_pay_the_shop_offers():
    payments = services(telegram_payment_provider_token="284685063:TEST:abc", cash_on_delivery=True)
    assert payments.methods == (PaymentMethod.TELEGRAM, PaymentMethod.CASH)
    assert list(payments.starters()) == list(payments.methods)
    await payments.aclose()
