"""Amounts as customers read them, in their language: JPY and CNY never both a bare "¥"; every currency as
Babel (CLDR) formats it, without Babel's locale data in memory."""

from __future__ import annotations

import pytest
from babel.numbers import format_currency, list_currencies

from domain.money import Money
from handlers.kernel.currency_formats import generate
from handlers.kernel.currency_formats_data import CURRENCIES, FRACTION_DIGITS, SYMBOLS
from handlers.kernel.i18n import LANGUAGES
from handlers.kernel.money_text import money_text
from tests.shops.memory import bytes_kept


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


def test_the_written_out_tables_are_babels() -> None:
    written: dict[str, object] = {}
    exec(generate(), written)  # what `python -m handlers.kernel.currency_formats` writes now

    assert written["CURRENCIES"] == CURRENCIES == set(list_currencies())
    assert written["FRACTION_DIGITS"] == FRACTION_DIGITS
    assert written["SYMBOLS"] == SYMBOLS


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_currency_reads_as_babel_formats_it(language: str) -> None:
    amounts = (0, 1, 7, 50, 99, 100, 105, 1250, 123456, 100_000_000, 10**12 + 1, -1, -1250, -123456)
    for currency in sorted(CURRENCIES):
        for minor in amounts:
            money = Money(minor, currency)
            babel = format_currency(money.to_decimal(), currency, locale=language, decimal_quantization=False)
            assert money_text(money, language) == babel, (currency, minor)


def test_formatting_keeps_no_locale_data_in_memory() -> None:
    """Babel kept ~2.5 MiB of CLDR data for English and ~2.2 MiB of its global data once a price was shown."""
    kept = bytes_kept(
        "from domain.money import Money\nfrom handlers.kernel.money_text import money_text",
        "pairs = [(c, lang) for c in ('USD', 'JPY') for lang in ('en', 'zh')]\n"
        "texts = [money_text(Money(n, c), lang) for n in (1250, 5000) for c, lang in pairs]",
    )

    assert kept < 100 * 1024
