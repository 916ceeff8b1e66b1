"""Button actions: small typed values packed into Telegram's 64-byte callback data, checked when unpacked.

Wire form: ``<version><prefix>`` then the fields joined by ``|``, e.g. ``1pd|MUG-1|2``. Unpacking refuses
an unknown version or prefix, a wrong field count, a field of the wrong shape and anything over 64 bytes
with `StaleAction`; the user then sees "This button is out of date" and nothing changes. A valid action
is still only a request: handlers re-check who pressed it and what they may touch.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import ClassVar

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
]

MAX_BYTES = 64
VERSION = "1"
_SEP = "|"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_.-]{0,40}$")
_INT_RE = re.compile(r"^-?[0-9]{1,9}$")
_REGISTRY: dict[str, type[Action]] = {}


class StaleAction(ValueError):
    """Callback data that is not (or no longer) a valid action."""


@dataclass(frozen=True)
class Action:
    prefix: ClassVar[str] = ""

    def __init_subclass__(cls, prefix: str = "", **kwargs: object) -> None:
        super(Action, cls).__init_subclass__(**kwargs)
        if not prefix:
            return
        if prefix in _REGISTRY or not re.fullmatch(r"[a-z]{2}", prefix):
            raise TypeError(f"action prefix {prefix!r} is taken or not two lowercase letters")
        cls.prefix = prefix
        _REGISTRY[prefix] = cls

    def check(self) -> None:
        """Field rules beyond their type; raise StaleAction."""


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _TOKEN_RE.match(value):
        return value
    raise StaleAction(f"cannot pack {value!r}")


def _decode(raw: str, kind: str) -> object:
    if kind == "bool":
        if raw not in ("0", "1"):
            raise StaleAction("bad flag")
        return raw == "1"
    if kind == "int":
        if not _INT_RE.match(raw):
            raise StaleAction("bad number")
        return int(raw)
    if not _TOKEN_RE.match(raw):
        raise StaleAction("bad token")
    return raw


def pack(action: Action) -> str:
    if type(action).prefix not in _REGISTRY:
        raise TypeError(f"{type(action).__name__} is not a registered action")
    action.check()
    fields = [_encode(getattr(action, f.name)) for f in dataclasses.fields(action)]
    data = VERSION + action.prefix + "".join(_SEP + value for value in fields)
    if len(data.encode()) > MAX_BYTES:
        raise StaleAction(f"{type(action).__name__} packs to more than {MAX_BYTES} bytes")
    return data


def unpack(data: str) -> Action:
    if not isinstance(data, str) or not data or len(data.encode()) > MAX_BYTES:
        raise StaleAction("missing or too long")
    if not data.startswith(VERSION):
        raise StaleAction("other version")
    head, *raw = data[len(VERSION) :].split(_SEP)
    cls = _REGISTRY.get(head)
    if cls is None:
        raise StaleAction("unknown prefix")
    fields = dataclasses.fields(cls)
    if len(raw) != len(fields):
        raise StaleAction("wrong field count")
    action = cls(**{f.name: _decode(value, str(f.type)) for f, value in zip(fields, raw, strict=True)})
    action.check()
    return action


def _need(ok: bool) -> None:
    if not ok:
        raise StaleAction("field out of range")


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
        _need(self.code in ("en", "zh"))


# -- catalog ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Categories(Action, prefix="cs"):
    pass


@dataclass(frozen=True)
class CategoryPage(Action, prefix="ct"):
    slug: str
    page: int = 0

    def check(self) -> None:
        _need(bool(self.slug) and 0 <= self.page < 10_000)


@dataclass(frozen=True)
class ShowProduct(Action, prefix="pd"):
    sku: str
    qty: int = 1

    def check(self) -> None:
        _need(bool(self.sku) and 1 <= self.qty <= 99)


@dataclass(frozen=True)
class AddToCart(Action, prefix="ad"):
    sku: str
    qty: int = 1

    def check(self) -> None:
        _need(bool(self.sku) and 1 <= self.qty <= 99)


# -- cart ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShowCart(Action, prefix="ca"):
    pass


@dataclass(frozen=True)
class CartStep(Action, prefix="cq"):
    sku: str
    delta: int

    def check(self) -> None:
        _need(bool(self.sku) and self.delta in (-1, 1))


@dataclass(frozen=True)
class CartRemove(Action, prefix="cr"):
    sku: str

    def check(self) -> None:
        _need(bool(self.sku))


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
        _need(bool(self.step))


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
        _need(bool(self.step))


@dataclass(frozen=True)
class PlaceOrder(Action, prefix="po"):
    method: str

    def check(self) -> None:
        _need(self.method in ("cash", "stripe", "telegram"))


# -- orders and tracking ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MyOrders(Action, prefix="os"):
    pass


@dataclass(frozen=True)
class ShowOrder(Action, prefix="od"):
    number: str

    def check(self) -> None:
        _need(0 < len(self.number) <= 12)


@dataclass(frozen=True)
class CancelOrder(Action, prefix="ox"):
    number: str
    confirmed: bool = False

    def check(self) -> None:
        _need(0 < len(self.number) <= 12)


@dataclass(frozen=True)
class BuyAgain(Action, prefix="ob"):
    number: str

    def check(self) -> None:
        _need(0 < len(self.number) <= 12)


@dataclass(frozen=True)
class TrackOrder(Action, prefix="tr"):
    number: str

    def check(self) -> None:
        _need(0 < len(self.number) <= 12)
