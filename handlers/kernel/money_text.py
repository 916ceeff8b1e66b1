"""Amounts as a person reads them: Babel's (CLDR's) currency format for their language, exact to the minor
unit. English: "$12.50", "¥5,000" (yen), "CN¥12.50", "KWD5.124"; Chinese: "US$12.50", "¥12.50" (yuan),
"JP¥5,000" — so JPY and CNY never both show a bare "¥". `Money.format()` (domain, standard library only)
stays for logs and files."""

from __future__ import annotations

from functools import lru_cache

from babel.numbers import format_currency

from domain.money import Money
from handlers.kernel.i18n import LANGUAGES

__all__ = ["money_text"]


def money_text(amount: Money, language: str = "en") -> str:
    """`amount` in `language`'s currency format; digits beyond the currency's usual ones are kept, never
    rounded away (1234.56 HUF, which CLDR shows without decimals, stays HUF1,234.56)."""
    return _formatted(amount.amount_minor, amount.currency, language if language in LANGUAGES else "en")


@lru_cache(maxsize=4096)  # a shop shows the same few prices over and over; Babel takes ~50 us each time
def _formatted(amount_minor: int, currency: str, locale: str) -> str:
    amount = Money(amount_minor, currency)
    return format_currency(amount.to_decimal(), currency, locale=locale, decimal_quantization=False)
