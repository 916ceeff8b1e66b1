"""Tracking numbers as merchants type them: bare, with a carrier, a carrier alone; UPU S10 check digits."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.tracking.numbers import ParsedShipment, is_s10, parse_shipment, postal_carrier, s10_check_digit


@pytest.mark.parametrize(
    ("serial", "digit"),
    [
        ("12345678", 5),  # weighted sum 204, 204 mod 11 = 6, 11 - 6 = 5
        ("47312482", 9),  # 200 mod 11 = 2 → 9
        ("00000000", 5),  # 11 - 0 = 11 → 5
        ("00004000", 0),  # 12 mod 11 = 1, 11 - 1 = 10 → 0
    ],
)
def test_s10_check_digit_weights_8642_3597_mod_11(serial, digit):
    assert s10_check_digit(serial) == digit


def test_an_s10_number_names_its_postal_carrier_only_when_its_check_digit_is_right():
    assert is_s10("RA473124829US") and postal_carrier("RA473124829US") == "USPS"
    assert not is_s10("RA473124828US")
    assert postal_carrier("RR123456785CN") == "China Post"
    assert postal_carrier("RR123456789CN") == ""  # the example: its check digit is 5, not 9
    assert postal_carrier("RR123456785XX") == ""  # a country we do not map: the provider detects it
    assert postal_carrier("JD014600003828") == ""


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("DHL JD014600003828", ParsedShipment("DHL", "JD014600003828")),
        ("JD014600003828", ParsedShipment("", "JD014600003828")),  # bare: the tracking provider detects
        ("rr123456785cn", ParsedShipment("China Post", "RR123456785CN")),
        ("Royal Mail", ParsedShipment("Royal Mail", "")),  # a carrier alone: the number comes next
        ("JD014600003828 DHL", ParsedShipment("DHL", "JD014600003828")),
        ("  UPS   1Z999AA10123456784 ", ParsedShipment("UPS", "1Z999AA10123456784")),
    ],
)
def test_what_staff_type_is_read_as_carrier_and_number(text, parsed):
    assert parse_shipment(text) == parsed


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("lunch order for table 123456", "carrier"),  # four words are a sentence, not a carrier
        ("DHL ab", "tracking_number"),
        ("DHL JD0146 JD0147", "tracking_number"),
        ("", "carrier"),
    ],
)
def test_what_cannot_be_a_shipment_is_refused(text, field):
    with pytest.raises(InvalidInput) as refused:
        parse_shipment(text)
    assert refused.value.field == field
