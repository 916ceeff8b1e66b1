"""Platform-neutral input of a handler: one event from one user in one chat."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from handlers.kernel.reply import Outcome

__all__ = ["Incoming", "Kind", "Payment", "EventHandler"]


class Kind(StrEnum):
    TEXT = "text"
    COMMAND = "command"  # text starting with "/": `text` holds the command without "/", `args` the rest
    BUTTON = "button"  # `action` holds the packed callback data; `message_id` the message it sits on
    CONTACT = "contact"  # `phone` holds the shared number; `contact_user_id` whose contact it is
    PRECHECKOUT = "precheckout"  # `payment` holds the query
    PAYMENT = "payment"  # successful_payment; `payment` holds it
    PHOTO = "photo"  # `photo` holds the Telegram file id of the largest size, `text` the caption
    OTHER = "other"  # sticker, voice, location, document ...: anything the bot does not take


@dataclass(frozen=True, slots=True)
class Payment:
    payload: str
    currency: str
    total_amount: int
    telegram_charge_id: str = ""
    provider_charge_id: str = ""
    query_id: str = ""  # pre-checkout query id


@dataclass(frozen=True, slots=True)
class Incoming:
    kind: Kind
    user_id: int
    chat_id: int
    update_id: int | None = None
    text: str = ""
    args: str = ""
    action: str = ""
    message_id: int | None = None
    phone: str = ""
    contact_user_id: int | None = None
    payment: Payment | None = None
    language_code: str | None = None
    user_name: str = ""
    private: bool = True
    photo: str = ""  # Kind.PHOTO: the file id of the largest size Telegram offers
    reply_to_message_id: int | None = None  # the message this one answers (Telegram "reply")
    sticker: bool = False  # Kind.OTHER that is a sticker (said so when a photo was expected)


class EventHandler(Protocol):
    async def __call__(self, event: Incoming) -> Outcome: ...
