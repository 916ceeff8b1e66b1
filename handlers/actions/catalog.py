"""Staff catalog buttons (`/products`, the staff product card, `/newproduct`), every prefix starting "k".

Like every merchant action these only say what was asked: `handlers.merchant.desk` checks on each press
that the presser is staff, and the handlers re-read the product before changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.actions.codec import Action, need

__all__ = [
    "EDITABLE",
    "WIZARD_MOVES",
    "WIZARD_CHINESE",
    "CATALOG_ACTIONS",
    "ProductsHome",
    "ProductsPage",
    "StaffProduct",
    "EditProduct",
    "ToggleProduct",
    "DeleteProduct",
    "RemovePhotos",
    "WizardMove",
    "ProductPhoto",
]

EDITABLE = (
    "name",
    "category",
    "price",
    "stock",
    "safety",
    "description",
    "photo",
    "name_zh",
    "description_zh",
    "category_zh",
)
WIZARD_MOVES = ("skip", "back", "cancel", "pick", "new", "create", "chinese")
WIZARD_CHINESE = ("name_zh", "description_zh")  # the optional steps "chinese" opens from the summary


def _sku_ok(sku: str) -> bool:
    return 0 < len(sku) <= 40


@dataclass(frozen=True)
class ProductsHome(Action, prefix="kh"):
    """The categories, each with its number of products."""


@dataclass(frozen=True)
class ProductsPage(Action, prefix="kl"):
    slug: str
    page: int = 0

    def check(self) -> None:
        need(bool(self.slug) and 0 <= self.page < 10_000)


@dataclass(frozen=True)
class StaffProduct(Action, prefix="ko"):
    sku: str

    def check(self) -> None:
        need(_sku_ok(self.sku))


@dataclass(frozen=True)
class EditProduct(Action, prefix="ke"):
    """Ask for a new value of one field (`EDITABLE`)."""

    sku: str
    field: str

    def check(self) -> None:
        need(_sku_ok(self.sku) and self.field in EDITABLE)


@dataclass(frozen=True)
class ToggleProduct(Action, prefix="kt"):
    sku: str

    def check(self) -> None:
        need(_sku_ok(self.sku))


@dataclass(frozen=True)
class DeleteProduct(Action, prefix="kd"):
    sku: str
    confirmed: bool = False

    def check(self) -> None:
        need(_sku_ok(self.sku))


@dataclass(frozen=True)
class RemovePhotos(Action, prefix="kx"):
    sku: str

    def check(self) -> None:
        need(_sku_ok(self.sku))


@dataclass(frozen=True)
class WizardMove(Action, prefix="kn"):
    """A button of the `/newproduct` wizard: skip, back, cancel, pick a category (`value` its slug), add a
    Chinese name or description (`value` the field)."""

    move: str
    value: str = ""

    def check(self) -> None:
        need(self.move in WIZARD_MOVES and (self.move != "chinese" or self.value in WIZARD_CHINESE))


@dataclass(frozen=True)
class ProductPhoto(Action, prefix="pf"):
    """The customer's product card showing photo number `index` (a customer action)."""

    sku: str
    index: int = 0

    def check(self) -> None:
        need(_sku_ok(self.sku) and 0 <= self.index < 10)


CATALOG_ACTIONS: tuple[type[Action], ...] = (
    ProductsHome,
    ProductsPage,
    StaffProduct,
    EditProduct,
    ToggleProduct,
    DeleteProduct,
    RemovePhotos,
    WizardMove,
)
