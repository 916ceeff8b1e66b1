"""Amounts as customers read them, in their language: JPY and CNY never both a bare "¥"."""

from __future__ import annotations

import pytest

from domain.money import Money
from handlers.kernel.money_text import money_text


@pytest.mark.parametrize(
    ("price", "currency", "english", "chinese"),
    [
        ("12.50", "USD", "$12.50", "US$12.50"),
        ("12.50", "CNY", "CN¥12.50", "¥12.50"),
        ("5000", "JPY", "¥5,000", "JP¥5,000"),
        ("12.50", "EUR", "€12.50", "€12.50"),
        ("15000", "KRW", "₩15,000", "₩15,000"),
        ("1000", "ISK", "ISK1,000", "ISK1,000"),
        ("1990", "HUF", "HUF1,990", "HUF1,990"),
        ("1234.56", "HUF", "HUF1,234.56", "HUF1,234.56"),  # never rounded to what CLDR usually shows
        ("5.124", "KWD", "KWD5.124", "KWD5.124"),
        ("5000", "MGA", "MGA5,000", "MGA5,000"),
    ],
)
def test_an_amount_is_shown_in_the_customers_language(price: str, currency: str, english: str, chinese: str):
    money = Money.parse(price, currency)
    assert money_text(money, "en") == english
    assert money_text(money, "zh") == chinese


def test_yen_and_yuan_read_differently_in_either_language():
    for language in ("en", "zh"):
        yen, yuan = money_text(Money(500, "JPY"), language), money_text(Money(500, "CNY"), language)
        assert yen.rstrip("0123456789.,") != yuan.rstrip("0123456789.,")
