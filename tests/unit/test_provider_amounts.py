"""The per-provider amount table: what integer each provider is sent for a price, and what it means back."""

from __future__ import annotations

import pytest
from aiogram.enums import Currency

from domain.money import Money
from domain.payments.currency import STRIPE_AMOUNTS, TELEGRAM_AMOUNTS

# currency, price as the shop writes it, Stripe's integer, Telegram's integer (None: not a Telegram currency)
TABLE = [
    ("USD", "12.50", 1250, 1250),
    ("EUR", "12.50", 1250, 1250),
    ("CNY", "12.50", 1250, 1250),
    ("JPY", "5000", 5000, 5000),
    ("KRW", "15000", 15000, 15000),
    ("VND", "250000", 250000, 250000),
    ("CLP", "9990", 9990, 9990),
    ("MGA", "5000", 5000, None),  # ISO: 500000 hundredths; Stripe: zero-decimal
    ("XOF", "5000", 5000, None),
    ("UGX", "5000", 5000, 5000),
    ("ISK", "1000", 100000, 1000),  # Stripe: two decimals kept for compatibility; Telegram exp 0
    ("HUF", "1990", 199000, 199000),
    ("HUF", "1234.56", 123500, 123456),  # Stripe: whole forints (payouts); Telegram: exp 2
    ("TWD", "99.50", 10000, 9950),
    ("KWD", "5.120", 5120, None),
    ("KWD", "5.124", 5120, None),  # last digit 0, to the nearest ten
    ("KWD", "5.125", 5130, None),  # halves go up
    ("BHD", "0.995", 1000, None),
    ("JOD", "1.001", 1000, None),
]


@pytest.mark.parametrize(("currency", "price", "stripe", "telegram"), TABLE)
def test_each_provider_is_sent_its_own_integer(currency: str, price: str, stripe: int, telegram: int | None):
    money = Money.parse(price, currency)
    assert STRIPE_AMOUNTS.to_minor(money) == stripe
    if telegram is None:
        assert not TELEGRAM_AMOUNTS.supports(currency)
        with pytest.raises(ValueError, match="Telegram does not take"):
            TELEGRAM_AMOUNTS.to_minor(money)
    else:
        assert TELEGRAM_AMOUNTS.to_minor(money) == telegram
        assert TELEGRAM_AMOUNTS.to_money(telegram, currency) == money


@pytest.mark.parametrize(("currency", "price", "stripe", "telegram"), TABLE)
def test_a_payment_of_what_stripe_was_asked_reads_back_as_the_price(
    currency: str, price: str, stripe: int, telegram: int | None
):
    money = Money.parse(price, currency)
    assert STRIPE_AMOUNTS.received(stripe, currency, money) == money
    assert STRIPE_AMOUNTS.exact(money) == (STRIPE_AMOUNTS.to_money(stripe, currency) == money)
    other = stripe + STRIPE_AMOUNTS.steps.get(currency, 1)  # the next integer Stripe would take
    assert STRIPE_AMOUNTS.received(other, currency, money) != money


def test_stripe_amounts_read_back_by_stripes_rules():
    assert STRIPE_AMOUNTS.to_money(5000, "MGA") == Money.parse("5000", "MGA")
    assert STRIPE_AMOUNTS.to_money(100000, "ISK") == Money.parse("1000", "ISK")
    assert STRIPE_AMOUNTS.to_money(5120, "KWD") == Money.parse("5.120", "KWD")
    assert STRIPE_AMOUNTS.to_money(5000, "JPY") == Money.parse("5000", "JPY")


def test_part_of_a_charge_is_refunded_rounded_down_never_more_than_asked():
    assert STRIPE_AMOUNTS.refund_minor(Money.parse("5.129", "KWD")) == 5120
    assert STRIPE_AMOUNTS.refund_minor(Money.parse("99.99", "HUF")) == 9900
    assert STRIPE_AMOUNTS.refund_minor(Money.parse("12.34", "USD")) == 1234


def test_telegrams_currency_list_is_the_one_the_bot_api_libraries_know():
    assert {currency.value for currency in Currency} <= TELEGRAM_AMOUNTS.currencies
