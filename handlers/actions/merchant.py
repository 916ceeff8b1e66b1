"""Merchant buttons: typed actions in the shared codec (actions.codec), every prefix starting with "m".

A merchant action only says what was asked; `handlers.merchant.router` checks on every press that the
presser is staff, and the order handlers re-read the order under lock before changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.actions.customer import Action, StaleAction

__all__ = [
    "MERCHANT_ACTIONS",
    "REJECT_REASONS",
    "DELIVERY_STATES",
    "QUEUES",
    "AcceptOrder",
    "RejectOrder",
    "PackOrder",
    "ShipOrder",
    "CancelByShop",
    "MarkDelivery",
    "OrderQueues",
    "OrderQueue",
    "OpenOrder",
    "StockPage",
    "StopAsking",
    "ShipVia",
    "FixTracking",
]

REJECT_REASONS = ("stock", "address", "fraud", "other")
DELIVERY_STATES = ("in_transit", "out_for_delivery", "delivered", "delivery_exception")
QUEUES = ("new", "pack", "ship", "collect", "transit", "problem")


def _need(ok: bool) -> None:
    if not ok:
        raise StaleAction("field out of range")


def _number_ok(number: str) -> bool:
    return 0 < len(number) <= 12


@dataclass(frozen=True)
class AcceptOrder(Action, prefix="ma"):
    number: str

    def check(self) -> None:
        _need(_number_ok(self.number))


@dataclass(frozen=True)
class RejectOrder(Action, prefix="mj"):
    """No reason yet: offer the reasons; "other": ask for a typed one."""

    number: str
    reason: str = ""

    def check(self) -> None:
        _need(_number_ok(self.number) and self.reason in ("", *REJECT_REASONS))


@dataclass(frozen=True)
class PackOrder(Action, prefix="mp"):
    number: str

    def check(self) -> None:
        _need(_number_ok(self.number))


@dataclass(frozen=True)
class ShipOrder(Action, prefix="ms"):
    """Asks for the carrier and tracking number."""

    number: str

    def check(self) -> None:
        _need(_number_ok(self.number))


@dataclass(frozen=True)
class CancelByShop(Action, prefix="mx"):
    number: str
    confirmed: bool = False

    def check(self) -> None:
        _need(_number_ok(self.number))


@dataclass(frozen=True)
class MarkDelivery(Action, prefix="md"):
    """Manual delivery state, offered when no tracking provider is configured."""

    number: str
    state: str

    def check(self) -> None:
        _need(_number_ok(self.number) and self.state in DELIVERY_STATES)


@dataclass(frozen=True)
class OrderQueues(Action, prefix="mo"):
    pass


@dataclass(frozen=True)
class OrderQueue(Action, prefix="mq"):
    queue: str
    page: int = 0

    def check(self) -> None:
        _need(self.queue in QUEUES and 0 <= self.page < 10_000)


@dataclass(frozen=True)
class OpenOrder(Action, prefix="mv"):
    """The card with its full timeline."""

    number: str

    def check(self) -> None:
        _need(_number_ok(self.number))


@dataclass(frozen=True)
class StockPage(Action, prefix="mk"):
    page: int = 0

    def check(self) -> None:
        _need(0 <= self.page < 10_000)


@dataclass(frozen=True)
class StopAsking(Action, prefix="mz"):
    """Leave a merchant prompt (tracking number, typed reason) and show the card again."""

    number: str

    def check(self) -> None:
        _need(_number_ok(self.number))


@dataclass(frozen=True)
class ShipVia(Action, prefix="mc"):
    """A carrier button under the ship prompt: the carrier is chosen, the number comes next.

    `carrier` is packed with "_" for spaces ("Royal_Mail"); `label` gives it back with spaces.
    """

    number: str
    carrier: str

    def check(self) -> None:
        _need(_number_ok(self.number) and 0 < len(self.carrier) <= 24)

    @property
    def label(self) -> str:
        return self.carrier.replace("_", " ")


@dataclass(frozen=True)
class FixTracking(Action, prefix="mt"):
    """Correct the tracking number of a shipped order; the customer gets the new one."""

    number: str

    def check(self) -> None:
        _need(_number_ok(self.number))


MERCHANT_ACTIONS: tuple[type[Action], ...] = (
    AcceptOrder,
    RejectOrder,
    PackOrder,
    ShipOrder,
    CancelByShop,
    MarkDelivery,
    OrderQueues,
    OrderQueue,
    OpenOrder,
    StockPage,
    StopAsking,
    ShipVia,
    FixTracking,
)
