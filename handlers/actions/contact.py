"""Buttons of conversations between customers and the shop.

`ContactShop` is the customer's; the others are staff buttons in the merchant chat, checked by the desk.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.actions.codec import Action, need

__all__ = ["ContactShop", "AnswerCustomer", "OrderThread", "AddOrderNote", "WriteDeliveryNote"]


@dataclass(frozen=True)
class ContactShop(Action, prefix="wc"):
    """Write to the shop, about `number` when it is set."""

    number: str = ""

    def check(self) -> None:
        need(len(self.number) <= 12)


@dataclass(frozen=True)
class AnswerCustomer(Action, prefix="wa"):
    """Staff answer the relayed customer message `message_id`."""

    message_id: int

    def check(self) -> None:
        need(self.message_id > 0)


@dataclass(frozen=True)
class OrderThread(Action, prefix="wt"):
    number: str

    def check(self) -> None:
        need(0 < len(self.number) <= 12)


@dataclass(frozen=True)
class AddOrderNote(Action, prefix="wn"):
    """Staff add an internal note to an order (customers never see it)."""

    number: str

    def check(self) -> None:
        need(0 < len(self.number) <= 12)


@dataclass(frozen=True)
class WriteDeliveryNote(Action, prefix="wd"):
    """At the checkout review: the customer's next message is a note for delivery ("leave at the door")."""
