"""Platform-neutral input of a handler: one event from one user in one chat."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from handlers.kernel.reply import Outcome

__all__ = ["AppOrigin", "Incoming", "Kind", "Payment", "EventHandler"]


class Kind(StrEnum):
    TEXT = "text"
    COMMAND = "command"  # text starting with "/": `text` holds the command without "/", `args` the rest
    BUTTON = "button"  # `action` holds the packed callback data; `message_id` the message it sits on
    CONTACT = "contact"  # `phone` holds the shared number; `contact_user_id` whose contact it is
    PRECHECKOUT = "precheckout"  # `payment` holds the query
    PAYMENT = "payment"  # successful_payment; `payment` holds it
    OTHER = "other"  # sticker, photo, voice, location ...: anything the bot does not take


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
    app: AppOrigin | None = None  # from the Mini App (no chat message to answer), see AppOrigin


class AppOrigin(StrEnum):
    """An event from the Mini App rather than a chat message: there is no message to edit and the HTTP
    answer carries only the toast, so `ShopApp` writes the replies to the outbox in the same unit of work.
    """

    QUIET = "quiet"  # only replies addressed to another chat (a merchant card edit) go out
    TO_CHAT = "to_chat"  # every reply goes to the user's chat too (checkout continues there)


class EventHandler(Protocol):
    async def __call__(self, event: Incoming) -> Outcome: ...
