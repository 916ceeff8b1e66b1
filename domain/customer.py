"""Customers and their delivery addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from domain.errors import InvalidInput

__all__ = ["Address", "Customer", "normalize_phone", "clean_text", "LANGUAGES"]

LANGUAGES = ("en", "zh")
_PHONE_RE = re.compile(r"^\+?[0-9]{6,15}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_POSTAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(value: object, field_name: str, *, max_len: int, required: bool = True) -> str:
    """Trim, reject control characters and over-long or missing values with a message naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field_name} must be text", field_name)
    text = " ".join(value.split())
    if _CONTROL_RE.search(text):
        raise InvalidInput(f"{field_name} contains control characters", field_name)
    if required and not text:
        raise InvalidInput(f"{field_name} is required", field_name)
    if len(text) > max_len:
        raise InvalidInput(f"{field_name} is longer than {max_len} characters", field_name)
    if required and not any(ch.isalnum() for ch in text):
        raise InvalidInput(f"{field_name} must contain letters or digits", field_name)
    return text


def normalize_phone(raw: object) -> str:
    if not isinstance(raw, str):
        raise InvalidInput("phone must be text", "phone")
    compact = re.sub(r"[\s().-]", "", raw)
    if not _PHONE_RE.match(compact):
        raise InvalidInput("phone must be 6 to 15 digits, optionally starting with +", "phone")
    return compact


@dataclass(frozen=True, slots=True)
class Address:
    recipient: str
    phone: str
    country_code: str
    city: str
    line1: str
    postal_code: str = ""
    region: str = ""
    line2: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "recipient", clean_text(self.recipient, "recipient", max_len=100))
        set_(self, "phone", normalize_phone(self.phone))
        country = (self.country_code or "").strip().upper()
        if not _COUNTRY_RE.match(country):
            raise InvalidInput("country must be a two-letter code such as US or CN", "country_code")
        set_(self, "country_code", country)
        set_(self, "region", clean_text(self.region, "region", max_len=100, required=False))
        set_(self, "city", clean_text(self.city, "city", max_len=100))
        set_(self, "line1", clean_text(self.line1, "street", max_len=200))
        set_(self, "line2", clean_text(self.line2, "street line 2", max_len=200, required=False))
        postal = (self.postal_code or "").strip()
        if postal and not _POSTAL_RE.match(postal):
            raise InvalidInput("postal code must be 2-12 letters or digits", "postal_code")
        set_(self, "postal_code", postal)

    def one_line(self) -> str:
        parts = [self.line1, self.line2, self.city, self.region, self.postal_code, self.country_code]
        return ", ".join(p for p in parts if p)


@dataclass(slots=True)
class Customer:
    telegram_id: int
    display_name: str = ""
    language: str = "en"
    phone: str | None = None
    addresses: list[Address] = field(default_factory=list)
    unreachable: bool = False
    cart_reminders: bool = True

    MAX_ADDRESSES = 5

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}", "language")
        self.language = language

    def remember_address(self, address: Address) -> None:
        """Most recent first; duplicates collapse; at most MAX_ADDRESSES kept."""
        rest = [a for a in self.addresses if a != address]
        self.addresses = [address, *rest][: self.MAX_ADDRESSES]
