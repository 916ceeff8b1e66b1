"""Platform-neutral input of a handler: one event from one user in one chat."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol

from handlers.kernel.reply import Outcome

__all__ = ["AppOrigin", "Incoming", "Kind", "Payment", "EventHandler", "Attempt", "ATTEMPT"]


class Attempt(NamedTuple):
    number: int = 1  # 1 for the first try at the event
    last: bool = True  # False while a failure would be retried later


# Which attempt at the event this is. The inbox processor, which retries an update whose handling
# failed, sets it: before the last attempt a handler lets an unexpected error out (nothing is kept, the
# update is tried again later) instead of apologising and recording it handled.
ATTEMPT: ContextVar[Attempt] = ContextVar("attempt", default=Attempt())  # noqa: B039 - immutable


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
    pressed_photo: bool = False  # BUTTON: the pressed message is a photo (Telegram edits no text there)
    reply_to_message_id: int | None = None  # the bot's message this one answers (Telegram "reply")
    reply_to_text: str = ""  # that message's text, to tell which prompt it was
    photo: str = ""  # Kind.PHOTO: the file id of the largest size Telegram offers
    sticker: bool = False  # Kind.OTHER that is a sticker (said so when a photo was expected)
    app: AppOrigin | None = None  # from the Mini App (no chat message to answer), see AppOrigin


class AppOrigin(StrEnum):
    """An event from the Mini App rather than a chat message: there is no message to edit, and the app
    shows the outcome itself (`handlers.kernel.outbox.queue_replies` decides what reaches a chat)."""

    QUIET = "quiet"  # only replies addressed to another chat (a merchant card edit) go out
    TO_CHAT = "to_chat"  # the user's chat gets the replies as new messages (checkout continues there)


class EventHandler(Protocol):
    async def __call__(self, event: Incoming) -> Outcome: ...
