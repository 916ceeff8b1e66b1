"""Button actions: the small typed values behind every inline button (packed by `handlers.actions.codec`).

A stale or tampered button unpacks to `StaleAction`; the user then sees "This button is out of date" and
nothing changes. A valid action is still only a request: handlers re-check who pressed it and what they
may touch.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.actions.codec import MAX_BYTES, VERSION, Action, StaleAction, need, pack, unpack

__all__ = [
    "MAX_BYTES",
    "VERSION",
    "Action",
    "StaleAction",
    "pack",
    "unpack",
    "Menu",
    "Help",
    "ChooseLanguage",
    "SetLanguage",
    "CartReminders",
    "Categories",
    "CategoryPage",
    "ShowProduct",
    "AddToCart",
    "ShowCart",
    "CartStep",
    "CartRemove",
    "CartClear",
    "StartCheckout",
    "FormPick",
    "FormBack",
    "FormCancel",
    "FormEdit",
    "PlaceOrder",
    "MyOrders",
    "ShowOrder",
    "CancelOrder",
    "BuyAgain",
    "TrackOrder",
    "BuyNow",
    "PayNow",
    "Addresses",
    "AddressDefault",
    "AddressForget",
]


# -- main menu, help, language ----------------------------------------------------------------------
@dataclass(frozen=True)
class Menu(Action, prefix="mn"):
    pass


@dataclass(frozen=True)
class Help(Action, prefix="hp"):
    pass


@dataclass(frozen=True)
class ChooseLanguage(Action, prefix="lc"):
    pass


@dataclass(frozen=True)
class SetLanguage(Action, prefix="lg"):
    code: str

    def check(self) -> None:
        need(self.code in ("en", "zh"))


@dataclass(frozen=True)
class CartReminders(Action, prefix="rm"):
    on: int  # 1: remind me of a cart I left; 0: never

    def check(self) -> None:
        need(self.on in (0, 1))


# -- catalog ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Categories(Action, prefix="cs"):
    pass


@dataclass(frozen=True)
class CategoryPage(Action, prefix="ct"):
    slug: str
    page: int = 0

    def check(self) -> None:
        need(bool(self.slug) and 0 <= self.page < 10_000)


@dataclass(frozen=True)
class _SkuQuantity(Action):
    sku: str
    qty: int = 1

    def check(self) -> None:
        need(bool(self.sku) and 1 <= self.qty <= 99)


@dataclass(frozen=True)
class ShowProduct(_SkuQuantity, prefix="pd"):
    pass


@dataclass(frozen=True)
class AddToCart(_SkuQuantity, prefix="ad"):
    pass


# -- cart ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShowCart(Action, prefix="ca"):
    pass


@dataclass(frozen=True)
class CartStep(Action, prefix="cq"):
    sku: str
    delta: int

    def check(self) -> None:
        need(bool(self.sku) and self.delta in (-1, 1))


@dataclass(frozen=True)
class CartRemove(Action, prefix="cr"):
    sku: str

    def check(self) -> None:
        need(bool(self.sku))


@dataclass(frozen=True)
class CartClear(Action, prefix="cc"):
    pass


# -- checkout form ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class StartCheckout(Action, prefix="co"):
    pass


@dataclass(frozen=True)
class FormPick(Action, prefix="fp"):
    """A choice offered by the current form step: a delivery code, a saved address index, "same name"."""

    step: str
    value: str

    def check(self) -> None:
        need(bool(self.step))


@dataclass(frozen=True)
class FormBack(Action, prefix="fb"):
    step: str


@dataclass(frozen=True)
class FormCancel(Action, prefix="fx"):
    pass


@dataclass(frozen=True)
class FormEdit(Action, prefix="fe"):
    step: str

    def check(self) -> None:
        need(bool(self.step))


@dataclass(frozen=True)
class PlaceOrder(Action, prefix="po"):
    method: str

    def check(self) -> None:
        need(self.method in ("cash", "stripe", "telegram"))


# -- orders and tracking ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MyOrders(Action, prefix="os"):
    pass


@dataclass(frozen=True)
class _OrderRef(Action):
    number: str

    def check(self) -> None:
        need(0 < len(self.number) <= 12)


@dataclass(frozen=True)
class ShowOrder(_OrderRef, prefix="od"):
    pass


@dataclass(frozen=True)
class CancelOrder(_OrderRef, prefix="ox"):
    confirmed: bool = False


@dataclass(frozen=True)
class BuyAgain(_OrderRef, prefix="ob"):
    pass


@dataclass(frozen=True)
class TrackOrder(_OrderRef, prefix="tr"):
    pass


@dataclass(frozen=True)
class PayNow(_OrderRef, prefix="pn"):
    """Pay an unpaid card order while its items are held (the link reused or made anew)."""


# -- fewer taps and saved addresses -----------------------------------------------------------------
@dataclass(frozen=True)
class BuyNow(_SkuQuantity, prefix="bn"):
    """From a product card straight to the checkout review with the saved details."""


@dataclass(frozen=True)
class Addresses(Action, prefix="ya"):
    pass


@dataclass(frozen=True)
class _AddressIndex(Action):
    index: int

    def check(self) -> None:
        need(0 <= self.index < 10)


@dataclass(frozen=True)
class AddressDefault(_AddressIndex, prefix="yd"):
    pass


@dataclass(frozen=True)
class AddressForget(_AddressIndex, prefix="yx"):
    pass
