"""Tracking numbers as merchants type them: a bare number, "carrier number", or a carrier alone.

A UPU S10 number (two letters, eight digits, a check digit, the ISO country of the posting office:
`RR123456789CN`) names its postal carrier; any other bare number is left for the tracking provider to
detect (17TRACK auto-detects the carrier when none is given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidInput

__all__ = [
    "ParsedShipment",
    "parse_shipment",
    "s10_check_digit",
    "is_s10",
    "postal_carrier",
    "POSTAL_CARRIERS",
    "USUAL_CARRIERS",
    "normalize_tracking_number",
]

_S10 = re.compile(r"^[A-Z]{2}(\d{8})(\d)([A-Z]{2})$")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)

# The national postal operator of the countries shops ship from most (S10 suffix → carrier name).
POSTAL_CARRIERS = {
    "AU": "Australia Post",
    "BE": "bpost",
    "BR": "Correios",
    "CA": "Canada Post",
    "CH": "Swiss Post",
    "CN": "China Post",
    "DE": "Deutsche Post",
    "ES": "Correos",
    "FR": "La Poste",
    "GB": "Royal Mail",
    "HK": "Hongkong Post",
    "IN": "India Post",
    "IT": "Poste Italiane",
    "JP": "Japan Post",
    "KR": "Korea Post",
    "NL": "PostNL",
    "PL": "Poczta Polska",
    "RU": "Russian Post",
    "SE": "PostNord",
    "SG": "Singapore Post",
    "TW": "Chunghwa Post",
    "US": "USPS",
}
USUAL_CARRIERS = ("DHL", "UPS", "FedEx", "USPS")  # offered as buttons besides the shop's own recent ones
_CARRIER_WORDS = {w.lower() for name in (*POSTAL_CARRIERS.values(), *USUAL_CARRIERS) for w in name.split()}
_MAX_CARRIER = 40
_MAX_CARRIER_WORDS = 3  # "Royal Mail", "La Poste", "Australia Post", "DHL eCommerce Asia"


@dataclass(frozen=True, slots=True)
class ParsedShipment:
    carrier: str  # "" when not given and not known from the number: the provider detects it
    tracking_number: str  # "" when only a carrier was sent (the number comes in the next message)


def normalize_tracking_number(raw: str) -> str:
    tracking = (raw or "").strip().upper().replace(" ", "")
    if not (5 <= len(tracking) <= 40) or not tracking.isascii() or not tracking.replace("-", "").isalnum():
        raise InvalidInput("tracking number must be 5-40 letters or digits", "tracking_number")
    if not any(ch.isdigit() for ch in tracking):
        raise InvalidInput("a tracking number has digits", "tracking_number")
    return tracking


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of eight serial digits (weights 8 6 4 2 3 5 9 7, mod 11)."""
    rest = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(rest, rest)


def is_s10(number: str) -> bool:
    match = _S10.match(number)
    return match is not None and s10_check_digit(match.group(1)) == int(match.group(2))


def postal_carrier(number: str) -> str:
    """The postal carrier an S10 number names ("" when it is not one, or its country is not listed)."""
    return POSTAL_CARRIERS.get(number[-2:], "") if is_s10(number) else ""


def _looks_like_number(word: str) -> bool:
    return any(ch.isdigit() for ch in word) and len(word.replace("-", "")) >= 5


def parse_shipment(text: str) -> ParsedShipment:
    """ "DHL JD014600003828", "JD014600003828", "RR123456789CN", "Royal Mail", "JD014600003828 DHL".

    Raises InvalidInput("carrier") for a carrier that is not a short name and InvalidInput
    ("tracking_number") for a number that cannot be one.
    """
    words = " ".join((text or "").split()).split(" ")
    numbers = [w for w in words if _looks_like_number(w)]
    if len(numbers) > 1:
        raise InvalidInput("one tracking number per message", "tracking_number")
    if not numbers and len(words) > 1 and words[-1].lower() not in _CARRIER_WORDS:
        numbers = [words[-1]]  # "DHL ab": meant as a number, too short to be one
    if not numbers:
        carrier = " ".join(w for w in words if w)
        return ParsedShipment(_carrier(carrier), "")
    tracking = normalize_tracking_number(numbers[0])
    carrier = " ".join(w for w in words if w and w != numbers[0])
    if not carrier:
        return ParsedShipment(postal_carrier(tracking), tracking)
    return ParsedShipment(_carrier(carrier), tracking)


def _carrier(name: str) -> str:
    if not name or len(name) > _MAX_CARRIER or len(name.split()) > _MAX_CARRIER_WORDS:
        raise InvalidInput("carrier name must be 1-40 characters, at most three words", "carrier")
    if not any(ch.isalpha() for ch in name):
        raise InvalidInput("a carrier name has letters", "carrier")
    return name
