"""Platform-neutral input of a handler: one event from one user in one chat."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from handlers.kernel.reply import Outcome

__all__ = ["Incoming", "Kind", "Payment", "EventHandler", "LAST_ATTEMPT"]

# Whether this is the last attempt at the event. The inbox processor, which retries an update whose
# handling failed, sets it False before the last attempt: a handler then lets an unexpected error out
# (nothing is kept, the update is tried again later) instead of apologising and recording it handled.
LAST_ATTEMPT: ContextVar[bool] = ContextVar("last_attempt", default=True)


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


class EventHandler(Protocol):
    async def __call__(self, event: Incoming) -> Outcome: ...
