"""Platform-neutral output of a handler: what to show, never how a framework shows it."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Button", "Reply", "Invoice", "Document", "Outcome", "MAX_UPLOAD"]

# Bytes made on the fly (the merchant's chart, an /export CSV) travel in the outbox payload as base64, so a
# crash or a 429 between commit and send loses nothing; above this the reply is sent directly instead.
MAX_UPLOAD = 4 * 1024 * 1024


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
    photo_bytes: bytes | None = None  # an image made on the fly (PNG chart); sent as an upload
    chat_id: int | None = None  # None: the chat the event came from
    edit: bool = False  # edit the message whose button was pressed instead of sending a new one
    edit_message_id: int | None = None  # edit this message in chat_id (merchant cards)
    invoice: Invoice | None = None
    document: Document | None = None
    remove_keyboard: bool = False  # drop a reply keyboard (after contact sharing)
    edit_last: bool = False  # replace the bot's last message in the chat when the runtime knows it
    force_reply: bool = False  # open the reply box on this message (a staff prompt; works in groups)
    outbox_id: int | None = None  # written to the outbox with the turn: sent from there, not directly
    dialog: str | None = None  # shows the question of this dialog state: its message id is kept with it

    @property
    def queueable(self) -> bool:
        """Whether the outbox can carry it: anything but an upload larger than `MAX_UPLOAD`."""
        upload = self.document.content if self.document is not None else self.photo_bytes
        return upload is None or len(upload) <= MAX_UPLOAD

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready form for the outbox."""
        invoice = self.invoice
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
            **({"invoice": _invoice_payload(invoice)} if invoice is not None else {}),
            "force_reply": self.force_reply,
            **({"dialog": self.dialog} if self.dialog else {}),
            **_upload_payload(self),
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
            invoice=_invoice_from(payload["invoice"]) if payload.get("invoice") else None,
            force_reply=payload.get("force_reply", False),
            dialog=payload.get("dialog"),
            photo_bytes=_bytes(payload["photo_upload"]) if payload.get("photo_upload") else None,
            document=_document_from(payload["document"]) if payload.get("document") else None,
        )


def _upload_payload(reply: Reply) -> dict[str, Any]:
    """An upload's bytes as base64 text (JSON carries no bytes)."""
    if reply.photo_bytes is not None:
        return {"photo_upload": base64.b64encode(reply.photo_bytes).decode("ascii")}
    if reply.document is not None:
        document = reply.document
        content = base64.b64encode(document.content).decode("ascii")
        return {"document": {"filename": document.filename, "caption": document.caption, "content": content}}
    return {}


def _bytes(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _document_from(data: dict[str, Any]) -> Document:
    return Document(str(data["filename"]), _bytes(data["content"]), str(data.get("caption", "")))


def _invoice_payload(invoice: Invoice) -> dict[str, Any]:
    return {
        "title": invoice.title,
        "description": invoice.description,
        "payload": invoice.payload,
        "currency": invoice.currency,
        "prices": [list(price) for price in invoice.prices],
    }


def _invoice_from(data: dict[str, Any]) -> Invoice:
    prices = tuple((str(label), int(amount)) for label, amount in data["prices"])
    return Invoice(data["title"], data["description"], data["payload"], data["currency"], prices)


@dataclass(slots=True)
class Outcome:
    """Everything one incoming event produced."""

    replies: list[Reply] = field(default_factory=list)
    answer: str | None = None  # the toast for a button press (callback query answer)
    alert: bool = False  # show `answer` as a modal alert
    precheckout_ok: bool | None = None  # answer to a pre-checkout query
    precheckout_error: str | None = None
