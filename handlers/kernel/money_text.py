"""Amounts as a person reads them: CLDR's currency format for their language, exact to the minor unit.
English: "$12.50", "¥5,000" (yen), "CN¥12.50", "KWD5.124"; Chinese: "US$12.50", "¥12.50" (yuan),
"JP¥5,000" — so JPY and CNY never both show a bare "¥". `Money.format()` (domain, standard library only)
stays for logs and files.

The same text as Babel's `format_currency(..., decimal_quantization=False)` (tests/unit/test_money_text.py
compares every currency), from CLDR's tables as `handlers.kernel.currency_formats` wrote them out: Babel
would load a locale's whole CLDR data for it and keep it (about 4.7 MiB)."""

from __future__ import annotations

from functools import lru_cache

from domain.money import Money
from handlers.kernel.currency_formats_data import FRACTION_DIGITS, SYMBOLS
from handlers.kernel.i18n import LANGUAGES

__all__ = ["money_text"]


def money_text(amount: Money, language: str = "en") -> str:
    """`amount` in `language`'s currency format; digits beyond the currency's usual ones are kept, never
    rounded away (1234.56 HUF, which CLDR shows without decimals, stays HUF1,234.56)."""
    return _formatted(amount.amount_minor, amount.currency, language if language in LANGUAGES else "en")


@lru_cache(maxsize=4096)  # a shop shows the same few prices over and over
def _formatted(amount_minor: int, currency: str, language: str) -> str:
    # CLDR's "¤#,##0.00" with "." and ",": the symbol, the digits grouped by three, at least the
    # currency's usual fraction digits and as many more as the amount has
    value = Money(amount_minor, currency).to_decimal()
    sign = "-" if value.is_signed() else ""
    value = abs(value).normalize()
    exponent = value.as_tuple().exponent
    own = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    digits = max(FRACTION_DIGITS.get(currency, 2), own)
    return f"{sign}{SYMBOLS[language].get(currency, currency)}{value:,.{digits}f}"
