"""Who changed what on a product, and when: the history staff see on a product's card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.actor import Actor
from domain.catalog.products import Product

__all__ = ["ProductChange", "FIELDS", "changes_between", "MAX_SHOWN"]

# The product fields a change can name, in the order a card lists them ("stock" and "safety" live in
# the stock level, "created" and "deleted" have no old or new value).
FIELDS = (
    "created",
    "deleted",
    "name",
    "category",
    "price",
    "description",
    "name_zh",
    "description_zh",
    "photos",
    "active",
    "stock",
    "safety",
)
MAX_SHOWN = 200  # characters of an old or new value kept in the history


@dataclass(frozen=True, slots=True)
class ProductChange:
    sku: str
    actor: Actor
    at: datetime
    field: str
    old: str = ""
    new: str = ""

    def __post_init__(self) -> None:
        if self.field not in FIELDS:
            raise ValueError(f"unknown product field {self.field!r}")
        object.__setattr__(self, "old", _short(self.old))
        object.__setattr__(self, "new", _short(self.new))


def _short(value: str) -> str:
    return value if len(value) <= MAX_SHOWN else value[: MAX_SHOWN - 1] + "…"


def _shown(product: Product) -> dict[str, str]:
    return {
        "name": product.name,
        "category": product.category,
        "price": product.price.format(),
        "description": product.description,
        "name_zh": product.name_zh,
        "description_zh": product.description_zh,
        "photos": str(len(product.photos)),
        "active": "on" if product.active else "off",
    }


def changes_between(before: Product, after: Product, actor: Actor, at: datetime) -> list[ProductChange]:
    """One change per field that differs, old → new as staff read them."""
    old, new = _shown(before), _shown(after)
    if before.photos != after.photos and old["photos"] == new["photos"]:
        new["photos"] = f"{new['photos']} (reordered)"
    return [
        ProductChange(after.sku, actor, at, name, old[name], new[name])
        for name in old
        if old[name] != new[name]
    ]
