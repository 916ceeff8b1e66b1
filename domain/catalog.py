"""Catalog: categories and products."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.money import Money

__all__ = ["Category", "Product", "validate_sku", "MAX_NAME", "MAX_DESCRIPTION"]

SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MAX_NAME = 120
MAX_DESCRIPTION = 2000


def validate_sku(sku: str) -> str:
    if not isinstance(sku, str) or not SKU_RE.match(sku):
        raise InvalidInput(f"invalid sku {sku!r}: 1-40 letters, digits, '-', '_' or '.'", "sku")
    return sku


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
    photo: str | None = None
    active: bool = True
    name_zh: str = ""  # Chinese name and description; "" shows the English ones to everyone
    description_zh: str = ""

    def display_name(self, language: str) -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name

    def display_description(self, language: str) -> str:
        return self.description_zh if language == "zh" and self.description_zh else self.description

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
        if len(self.description or "") > MAX_DESCRIPTION:
            raise InvalidInput(f"description longer than {MAX_DESCRIPTION} characters", "description")
        self.name_zh = " ".join((self.name_zh or "").split())
        if len(self.name_zh) > MAX_NAME:
            raise InvalidInput(f"Chinese name longer than {MAX_NAME} characters", "name_zh")
        if len(self.description_zh or "") > MAX_DESCRIPTION:
            raise InvalidInput(
                f"Chinese description longer than {MAX_DESCRIPTION} characters", "description_zh"
            )
