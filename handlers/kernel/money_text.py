"""Amounts as a person reads them: Babel's (CLDR's) currency format for their language, exact to the minor
unit. English: "$12.50", "¥5,000" (yen), "CN¥12.50", "KWD5.124"; Chinese: "US$12.50", "¥12.50" (yuan),
"JP¥5,000" — so JPY and CNY never both show a bare "¥". `Money.format()` (domain, standard library only)
stays for logs and files."""

from __future__ import annotations

from babel.numbers import format_currency

from domain.money import Money
from handlers.kernel.i18n import LANGUAGES

__all__ = ["money_text"]


def money_text(amount: Money, language: str = "en") -> str:
    """`amount` in `language`'s currency format; digits beyond the currency's usual ones are kept, never
    rounded away (1234.56 HUF, which CLDR shows without decimals, stays HUF1,234.56)."""
    locale = language if language in LANGUAGES else "en"
    return format_currency(amount.to_decimal(), amount.currency, locale=locale, decimal_quantization=False)
