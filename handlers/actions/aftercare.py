"""Merchant buttons for orders after they left the warehouse: delivery problems, returns, refunds, cash.

Like every merchant action they only say what was asked; the desk checks the presser is staff and the
handlers in `handlers.merchant.aftercare.problems` re-read the order under lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.actions.codec import Action, need

__all__ = [
    "ContactCustomer",
    "ShipAgain",
    "ReturnOrder",
    "ReturnLine",
    "RefundOrder",
    "RefundedByHand",
    "MarkCashPaid",
    "RestockSku",
]

_ASK = -1  # a choice not made yet: the handler asks for it


@dataclass(frozen=True)
class _OnOrder(Action):
    number: str

    def check(self) -> None:
        need(0 < len(self.number) <= 12)


@dataclass(frozen=True)
class ContactCustomer(_OnOrder, prefix="mu"):
    """Write to the customer about the order: the staff member's answer to the prompt is sent to them."""


@dataclass(frozen=True)
class ShipAgain(_OnOrder, prefix="mg"):
    """A delivery problem: send the order again with a new tracking number."""


@dataclass(frozen=True)
class MarkCashPaid(_OnOrder, prefix="mm"):
    """Cash on delivery: the money was collected."""


@dataclass(frozen=True)
class ReturnOrder(_OnOrder, prefix="mr"):
    """The goods came back. `restock` -1: ask, 0: keep them off sale, 1: put them back on sale."""

    restock: int = _ASK

    def check(self) -> None:
        super().check()
        need(self.restock in (_ASK, 0, 1))


@dataclass(frozen=True)
class ReturnLine(_OnOrder, prefix="ml"):
    """Part of the order came back: `quantity` units of line `line` (its position), refunded at the price
    paid; `restock` as for ReturnOrder."""

    line: int = 0
    quantity: int = 1
    restock: int = _ASK

    def check(self) -> None:
        super().check()
        need(0 <= self.line < 100 and 1 <= self.quantity <= 999 and self.restock in (_ASK, 0, 1))


@dataclass(frozen=True)
class RefundOrder(_OnOrder, prefix="mf"):
    confirmed: bool = False


@dataclass(frozen=True)
class RefundedByHand(_OnOrder, prefix="mh"):
    """Staff confirm that refund `refund` (which the provider would not make) went back by hand."""

    refund: int = 0

    def check(self) -> None:
        super().check()
        need(0 < self.refund < 10**15)


@dataclass(frozen=True)
class RestockSku(Action, prefix="mb"):
    """The Restock button of a low-stock alert: asks how many arrived."""

    sku: str

    def check(self) -> None:
        need(0 < len(self.sku) <= 40)
