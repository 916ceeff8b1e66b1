"""Customers and their delivery addresses."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from domain.errors import InvalidInput

__all__ = ["Address", "Customer", "normalize_phone", "clean_text", "visible", "LANGUAGES"]

LANGUAGES = ("en", "zh")
_PHONE_RE = re.compile(r"^\+?[0-9]{6,15}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_POSTAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# Letters that render as nothing: Hangul fillers, the braille blank, and friends (they count as letters).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def visible(text: str) -> str:
    """`text` without format/control characters (zero-width spaces, bidi marks) and blank "letters"."""
    return "".join(
        ch for ch in text if ch not in _BLANK_LETTERS and unicodedata.category(ch) not in ("Cf", "Cc", "Co")
    )


def clean_text(value: object, field_name: str, *, max_len: int, required: bool = True) -> str:
    """Trim, reject control characters and over-long or missing values with a message naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field_name} must be text", field_name)
    text = " ".join(value.split())
    if not visible(text).strip():
        text = ""  # nothing a person could read: as if left blank
    if _CONTROL_RE.search(text):
        raise InvalidInput(f"{field_name} contains control characters", field_name)
    if required and not text:
        raise InvalidInput(f"{field_name} is required", field_name)
    if len(text) > max_len:
        raise InvalidInput(f"{field_name} is longer than {max_len} characters", field_name)
    if required and not any(ch.isalnum() for ch in visible(text)):
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

    def same_place(self, other: Address) -> bool:
        """The same delivery place, whoever receives there (case and spacing aside)."""

        def key(a: Address) -> tuple[str, ...]:
            return tuple(
                part.casefold() for part in (a.country_code, a.city, a.line1, a.line2, a.postal_code)
            )

        return key(self) == key(other)

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
    recipient: str = ""  # who received the last order: offered again at the next checkout
    last_delivery: str = ""  # the delivery option code of the last order

    MAX_ADDRESSES = 5

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}", "language")
        self.language = language

    @property
    def default_address(self) -> Address | None:
        """The first saved address is the default one."""
        return self.addresses[0] if self.addresses else None

    def remember_address(self, address: Address) -> None:
        """Save the address an order used: the same place (whoever received there) is kept once, updated
        where it stands; a new place goes right after the default one (it becomes the default when it
        is the first). At most MAX_ADDRESSES are kept, the oldest after the default dropped first."""
        for index, saved in enumerate(self.addresses):
            if saved.same_place(address):
                self.addresses[index] = address
                return
        self.addresses = [*self.addresses[:1], address, *self.addresses[1:]][: self.MAX_ADDRESSES]

    def make_default(self, index: int) -> None:
        if not 0 <= index < len(self.addresses):
            raise InvalidInput("no such saved address", "address")
        self.addresses.insert(0, self.addresses.pop(index))

    def forget_address(self, index: int) -> None:
        if not 0 <= index < len(self.addresses):
            raise InvalidInput("no such saved address", "address")
        del self.addresses[index]
