"""Customers and the shop talking through the bot: one message of a thread, and the flood rule.

A customer's message is relayed to the merchant chat with its order's context; staff answer it and the
answer reaches the customer signed with the shop's name. A thread belongs to a customer and, when it
started from an order, to that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import InvalidInput

__all__ = ["Direction", "ShopMessage", "MAX_TEXT", "RATE_WINDOW", "RATE_LIMIT", "clean_message"]

MAX_TEXT = 2000
RATE_WINDOW = timedelta(minutes=1)
RATE_LIMIT = 3  # customer messages per window; the next one is asked to wait


class Direction(StrEnum):
    FROM_CUSTOMER = "in"
    FROM_SHOP = "out"
    STAFF_NOTE = "note"  # an internal note on an order: staff only, never sent to the customer


def clean_message(text: str, *, photo: str | None = None) -> str:
    """The text to relay: trimmed, at most MAX_TEXT characters; empty is fine only with a photo."""
    cleaned = (text or "").strip()
    if not cleaned and not photo:
        raise InvalidInput("a message needs text or a photo", "message")
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(f"a message is at most {MAX_TEXT} characters", "message")
    return cleaned


@dataclass(slots=True)
class ShopMessage:
    customer_id: int
    direction: Direction
    text: str
    at: datetime
    order_number: str | None = None
    photo: str | None = None
    staff_id: int | None = None  # who answered (never shown to the customer)
    merchant_message_id: int | None = None  # the relayed copy in the merchant chat, once sent
    id: int | None = None
