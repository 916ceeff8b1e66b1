"""Catalog: categories and products."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.money import Money

__all__ = [
    "Category",
    "Product",
    "validate_sku",
    "validate_photo",
    "category_slug",
    "MAX_NAME",
    "MAX_DESCRIPTION",
    "MAX_PRICE_MINOR",
    "MAX_PHOTOS",
    "PHOTO_RE",
]

SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
# A photo is an http(s) URL or a Telegram file id (what a photo sent to the bot is stored as).
PHOTO_RE = re.compile(r"^(https?://\S{1,490}|[A-Za-z0-9_-]{10,250})$")
_SLUG_JUNK = re.compile(r"[^\w]+")
MAX_NAME = 120
MAX_DESCRIPTION = 2000
MAX_PRICE_MINOR = 1_000_000_000  # 10 million in a two-decimal currency: anything above is a typo
MAX_PHOTOS = 10


def validate_sku(sku: str) -> str:
    if not isinstance(sku, str) or not SKU_RE.match(sku):
        raise InvalidInput(f"invalid sku {sku!r}: 1-40 letters, digits, '-', '_' or '.'", "sku")
    return sku


def category_slug(name: str) -> str:
    """The key of a category from its display name ("Green Tea" → "green-tea"); empty when it has none."""
    return _SLUG_JUNK.sub("-", name.strip().casefold()).strip("-_")[:60]


def validate_photo(photo: str) -> str:
    if not isinstance(photo, str) or not PHOTO_RE.match(photo):
        raise InvalidInput("photo must be an http(s) URL or a Telegram file id", "photo")
    return photo


@dataclass(frozen=True, slots=True)
class Category:
    slug: str
    name: str
    position: int = 0
    name_zh: str = ""  # the Chinese name; "" shows `name` to everyone

    def display_name(self, language: str) -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name


@dataclass(slots=True)
class Product:
    sku: str
    name: str
    category: str
    price: Money
    description: str = ""
    photo: str | None = None  # the first photo: the one lists and the customer's card open with
    active: bool = True
    name_zh: str = ""  # Chinese name and description; "" shows the English ones to everyone
    description_zh: str = ""

    def display_name(self, language: str) -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name

    def display_description(self, language: str) -> str:
        return self.description_zh if language == "zh" and self.description_zh else self.description

    more_photos: tuple[str, ...] = ()  # the customer's card pages through these after `photo`

    @property
    def photos(self) -> tuple[str, ...]:
        return (self.photo, *self.more_photos) if self.photo else tuple(self.more_photos)

    def set_photos(self, photos: tuple[str, ...] | list[str]) -> None:
        kept = tuple(validate_photo(p) for p in photos)
        if len(kept) > MAX_PHOTOS:
            raise InvalidInput(f"at most {MAX_PHOTOS} photos per product", "photo")
        self.photo, self.more_photos = (kept[0], kept[1:]) if kept else (None, ())

    def __post_init__(self) -> None:
        validate_sku(self.sku)
        name = (self.name or "").strip()
        if not name:
            raise InvalidInput("product name is required", "name")
        if len(name) > MAX_NAME:
            raise InvalidInput(f"product name longer than {MAX_NAME} characters", "name")
        self.name = name
        if not (self.category or "").strip():
            raise InvalidInput("product category is required", "category")
        if self.price.amount_minor < 0:
            raise InvalidInput("price cannot be negative", "price")
        if self.price.amount_minor > MAX_PRICE_MINOR:
            raise InvalidInput("price is implausibly high", "price")
        if len(self.description or "") > MAX_DESCRIPTION:
            raise InvalidInput(f"description longer than {MAX_DESCRIPTION} characters", "description")
        self.name_zh = " ".join((self.name_zh or "").split())
        if len(self.name_zh) > MAX_NAME:
            raise InvalidInput(f"Chinese name longer than {MAX_NAME} characters", "name_zh")
        if len(self.description_zh or "") > MAX_DESCRIPTION:
            raise InvalidInput(
                f"Chinese description longer than {MAX_DESCRIPTION} characters", "description_zh"
            )
