"""Platform-neutral output of a handler: what to show, never how a framework shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Button", "Reply", "Invoice", "Document", "Outcome"]


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str | None = None  # packed callback data, <= 64 bytes (see handlers.actions.customer)
    url: str | None = None  # an external link (payment page, tracking page)
    request_contact: bool = False  # a reply-keyboard button that shares the user's phone
    web_app: str | None = None  # opens the Mini App at this https URL inside Telegram


@dataclass(frozen=True, slots=True)
class Invoice:
    """A Telegram Payments invoice; prices in minor units."""

    title: str
    description: str
    payload: str
    currency: str
    prices: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo: str | None = None  # URL, local path or Telegram file id
    photo_bytes: bytes | None = None  # an image made on the fly (PNG chart); sent as an upload, not queued
    chat_id: int | None = None  # None: the chat the event came from
    edit: bool = False  # edit the message whose button was pressed instead of sending a new one
    edit_message_id: int | None = None  # edit this message in chat_id (merchant cards)
    invoice: Invoice | None = None
    document: Document | None = None
    remove_keyboard: bool = False  # drop a reply keyboard (after contact sharing)

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready form for the outbox."""
        return {
            "text": self.text,
            "buttons": [
                [
                    {
                        "label": b.label,
                        "action": b.action,
                        "url": b.url,
                        "request_contact": b.request_contact,
                        **({"web_app": b.web_app} if b.web_app else {}),
                    }
                    for b in row
                ]
                for row in self.buttons
            ],
            "photo": self.photo,
            "edit_message_id": self.edit_message_id,
            "remove_keyboard": self.remove_keyboard,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any], chat_id: int | None = None) -> Reply:
        return cls(
            text=payload["text"],
            buttons=tuple(tuple(Button(**b) for b in row) for row in payload.get("buttons", [])),
            photo=payload.get("photo"),
            chat_id=chat_id,
            edit_message_id=payload.get("edit_message_id"),
            remove_keyboard=payload.get("remove_keyboard", False),
        )


@dataclass(slots=True)
class Outcome:
    """Everything one incoming event produced."""

    replies: list[Reply] = field(default_factory=list)
    answer: str | None = None  # the toast for a button press (callback query answer)
    alert: bool = False  # show `answer` as a modal alert
    precheckout_ok: bool | None = None  # answer to a pre-checkout query
    precheckout_error: str | None = None
