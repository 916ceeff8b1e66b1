"""Exact money: integer minor units plus an ISO 4217 currency code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import CurrencyMismatch, InvalidInput

__all__ = ["Money", "currency_exponent"]

# Currencies whose minor unit is not 1/100 (ISO 4217). Everything else has 2 decimals.
_EXPONENTS = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥"}  # never two currencies as "¥"
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_AMOUNT_RE = re.compile(r"^-?\d{1,15}(\.\d+)?$")


def currency_exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


@dataclass(frozen=True, slots=True, order=False)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise TypeError("Money.amount_minor must be an int of minor units")
        if not _CURRENCY_RE.match(self.currency):
            raise InvalidInput(f"not an ISO currency code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Parse a decimal string such as "12.50" exactly; more decimals than the currency has is an error."""
        cleaned = text.strip().replace(",", "") if isinstance(text, str) else ""
        if not _AMOUNT_RE.match(cleaned):
            raise InvalidInput(f"not a price: {text!r}")
        try:
            value = Decimal(cleaned)
        except InvalidOperation as exc:  # pragma: no cover - regex guards this
            raise InvalidInput(f"not a price: {text!r}") from exc
        exponent = currency_exponent(currency)
        scaled = value.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise InvalidInput(f"{text!r} has more than {exponent} decimals for {currency}")
        return cls(int(scaled), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount_minor).scaleb(-currency_exponent(self.currency))

    def format_plain(self) -> str:
        """ "12.50" — the decimal string, as accepted by `parse`."""
        exponent = currency_exponent(self.currency)
        return f"{self.to_decimal():.{exponent}f}"

    def format(self) -> str:
        """Plain display for logs and files: "$12.50", "¥1,200", "12.500 KWD". People read amounts through
        `handlers.kernel.money_text` (Babel, in their language)."""
        plain = self.format_plain()
        sign, digits = ("-", plain[1:]) if plain.startswith("-") else ("", plain)
        whole, _, frac = digits.partition(".")
        whole = f"{int(whole):,}"
        digits = f"{whole}.{frac}" if frac else whole
        symbol = _SYMBOLS.get(self.currency)
        return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {self.currency}"

    def __str__(self) -> str:
        return self.format()

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError("Money can only be multiplied by an int")
        return Money(self.amount_minor * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor <= other.amount_minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor > other.amount_minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor >= other.amount_minor

    def percent_of(self, whole: Money) -> Decimal:
        """This amount as a percentage of `whole`, rounded half-up to one decimal; 0 when whole is 0."""
        self._same(whole)
        if whole.amount_minor == 0:
            return Decimal("0.0")
        pct = Decimal(self.amount_minor) * 100 / Decimal(whole.amount_minor)
        return pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
