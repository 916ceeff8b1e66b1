"""Who sits at the demo's terminal: the customer and the merchant, each with a Telegram-like identity."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Persona", "CUSTOMER", "MERCHANT", "WANG"]


@dataclass(frozen=True, slots=True)
class Persona:
    name: str  # what `/as` takes: "customer", "merchant"
    user_id: int
    chat_id: int  # the user's private chat, or the group chat they speak in
    display_name: str
    phone: str  # what sharing the contact sends
    language_code: str = "en"

    @property
    def private(self) -> bool:
        return self.chat_id == self.user_id


CUSTOMER = Persona("customer", 1001, 1001, "Alice", "+12025551230")
# The shop's staff group is the merchant chat (SHOPBOT_MERCHANT_CHAT_ID), Bob one of its members.
MERCHANT = Persona("merchant", 2001, -1002001, "Bob (shop owner)", "+12025551231")
# A second customer, whose Telegram is set to Chinese.
WANG = Persona("wang", 1003, 1003, "王小明", "+8613800138000", language_code="zh")
