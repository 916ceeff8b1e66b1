from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import CurrencyMismatch, InvalidInput
from domain.money import Money


@pytest.mark.parametrize(
    ("text", "currency", "minor", "shown"),
    [
        ("12.50", "USD", 1250, "$12.50"),
        ("0.01", "EUR", 1, "€0.01"),
        ("1200", "JPY", 1200, "¥1,200"),
        ("1.234", "KWD", 1234, "1.234 KWD"),
        ("1,234.5", "USD", 123450, "$1,234.50"),
        ("7", "CHF", 700, "7.00 CHF"),
    ],
)
def test_prices_parse_and_format_exactly(text, currency, minor, shown):
    money = Money.parse(text, currency)
    assert money.amount_minor == minor
    assert money.format() == shown


@pytest.mark.parametrize(
    ("text", "currency"), [("12.345", "USD"), ("1.5", "JPY"), ("abc", "USD"), ("", "USD"), ("1e3", "USD")]
)
def test_a_price_with_more_precision_than_the_currency_or_garbage_is_refused(text, currency):
    with pytest.raises(InvalidInput):
        Money.parse(text, currency)


def test_mixed_currencies_never_add_or_compare():
    with pytest.raises(CurrencyMismatch):
        Money(100, "USD") + Money(100, "EUR")
    with pytest.raises(CurrencyMismatch):
        assert Money(100, "USD") < Money(100, "EUR")


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        Money(12.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(100, "USD") * 1.5  # type: ignore[operator]


def test_line_totals_multiply_in_minor_units():
    assert Money.parse("0.10", "USD") * 3 == Money(30, "USD")
    assert (Money(30, "USD") - Money(45, "USD")).format() == "-$0.15"


def test_percentages_round_half_up_and_survive_a_zero_whole():
    assert Money(900, "USD").percent_of(Money(1000, "USD")) == Decimal("90.0")
    assert Money(1, "USD").percent_of(Money(3, "USD")) == Decimal("33.3")
    assert Money(0, "USD").percent_of(Money(0, "USD")) == Decimal("0.0")


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["USD", "JPY", "KWD"]))
def test_formatting_then_parsing_gives_back_the_same_amount(minor, currency):
    money = Money(minor, currency)
    assert Money.parse(money.format_plain(), currency) == money
