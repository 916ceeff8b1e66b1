"""What an integer amount means to each payment provider: one table of exponents and rounding rules.

`Money` keeps ISO 4217 minor units (`domain.money.currency_exponent`). Providers read integers by their own
rules, and an amount sent or read without converting is charged 100 times too much or too little:

Stripe (https://docs.stripe.com/currencies):
- zero-decimal currencies (BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF) are sent in
  whole units: 5000 MGA is `5000`, although ISO gives MGA two decimals (so `Money` holds 500000).
- ISK is shown with no decimals but sent with two, in whole krónur: 1000 ISK is `100000`.
- HUF and TWD are sent with two decimals but Stripe pays them out in whole units only (the amount must be
  divisible by 100), so they are charged in whole forints / dollars: 1234.56 HUF is sent as `123500`.
- three-decimal currencies (BHD JOD KWD OMR TND) are sent in thousandths with the last digit 0: 5.124 KWD
  is sent as `5120`.
- everything else: two decimals, as ISO.
Telegram Payments (https://core.telegram.org/bots/payments/currencies.json): the `exp` of its currency
list. For every currency on that list `exp` equals ISO 4217's exponent (0 for CLP ISK JPY KRW PYG UGX VND,
2 for the rest, HUF and TWD included); three-decimal currencies and MGA are not on it at all, so a shop in
those currencies cannot take Telegram invoices.

Rounding: an amount the provider cannot express exactly is rounded to the nearest amount it can, halves
away from zero (`ROUND_HALF_UP`): 5.124 KWD → 5.120, 5.125 KWD → 5.130, 1234.50 HUF → 1235. Refunds of
part of a charge round down instead (`refund_minor`), so refunds never add up to more than was charged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from domain.money import Money, currency_exponent

__all__ = ["ProviderAmounts", "STRIPE_AMOUNTS", "TELEGRAM_AMOUNTS"]


@dataclass(frozen=True, slots=True)
class ProviderAmounts:
    """One provider's reading of integer amounts: its exponent per currency (default 2), the step its
    integers must be a multiple of (10: last digit 0; 100 at exponent 2: whole units), and the currencies it
    takes (None: all)."""

    name: str
    exponents: Mapping[str, int]
    steps: Mapping[str, int] = field(default_factory=dict)
    currencies: frozenset[str] | None = None

    def supports(self, currency: str) -> bool:
        return self.currencies is None or currency in self.currencies

    def exponent(self, currency: str) -> int:
        """Digits after the point in the provider's integers; ValueError for a currency it does not take."""
        if not self.supports(currency):
            raise ValueError(f"{self.name} does not take {currency}")
        return self.exponents.get(currency, 2)

    def _scaled(self, money: Money) -> Decimal:
        shift = self.exponent(money.currency) - currency_exponent(money.currency)
        return Decimal(money.amount_minor).scaleb(shift)

    def _round(self, value: Decimal, currency: str, rounding: str) -> int:
        step = self.steps.get(currency, 1)
        return int((value / step).quantize(Decimal(1), rounding=rounding)) * step

    def exact(self, money: Money) -> bool:
        """Whether the provider can take `money` without rounding."""
        return self.to_minor(money) == self._scaled(money)

    def to_minor(self, money: Money) -> int:
        """The integer to send for `money` (rounded to the nearest the provider takes, halves up)."""
        return self._round(self._scaled(money), money.currency, ROUND_HALF_UP)

    def refund_minor(self, money: Money) -> int:
        """The integer to send to refund part of a charge: rounded down, never more than asked."""
        return self._round(self._scaled(money), money.currency, ROUND_DOWN)

    def to_money(self, amount: int, currency: str) -> Money:
        """The `Money` the provider means by `amount` (rounded half up when it has more digits than ISO)."""
        shift = currency_exponent(currency) - self.exponents.get(currency, 2)  # read whatever it reports
        value = Decimal(amount).scaleb(shift).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return Money(int(value), currency)

    def received(self, amount: int, currency: str, expected: Money) -> Money:
        """What a payment of `amount` the provider reports is worth: `expected` itself when it is what the
        provider was asked to charge for it (after rounding), else the amount read back."""
        if currency == expected.currency and self.supports(currency) and amount == self.to_minor(expected):
            return expected
        return self.to_money(amount, currency)


_STRIPE_ZERO_DECIMAL = "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()
_THREE_DECIMAL = "BHD JOD KWD OMR TND".split()

STRIPE_AMOUNTS = ProviderAmounts(
    "Stripe",
    exponents={
        **dict.fromkeys(_STRIPE_ZERO_DECIMAL, 0),
        **dict.fromkeys(_THREE_DECIMAL, 3),
        "ISK": 2,  # zero-decimal in fact, two decimals in the API (backwards compatibility)
    },
    steps={**dict.fromkeys(_THREE_DECIMAL, 10), "ISK": 100, "HUF": 100, "TWD": 100},
)

_TELEGRAM_CURRENCIES = frozenset(
    """AED AFN ALL AMD ARS AUD AZN BAM BDT BGN BND BOB BRL BYN CAD CHF CLP CNY COP CRC CZK DKK DOP DZD EGP
    ETB EUR GBP GEL GTQ HKD HNL HRK HUF IDR ILS INR ISK JMD JPY KES KGS KRW KZT LBP LKR MAD MDL MNT MUR MVR
    MXN MYR MZN NGN NIO NOK NPR NZD PAB PEN PHP PKR PLN PYG QAR RON RSD RUB SAR SEK SGD THB TJS TRY TTD TWD
    TZS UAH UGX USD UYU UZS VND YER ZAR""".split()
)
TELEGRAM_AMOUNTS = ProviderAmounts(
    "Telegram",
    exponents=dict.fromkeys("CLP ISK JPY KRW PYG UGX VND".split(), 0),
    currencies=_TELEGRAM_CURRENCIES,
)
