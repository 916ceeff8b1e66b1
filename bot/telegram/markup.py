"""A reply's buttons as Bot API `reply_markup` JSON, shared by both runtimes and the notifier.

Each runtime turns the JSON into its own markup type (PTB `de_json`, aiogram `model_validate`), so the rules
live once: callback and link buttons make an inline keyboard; a contact-sharing button makes the whole
keyboard a reply keyboard (Telegram allows `request_contact` nowhere else).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handlers.kernel.reply import Button, Reply

__all__ = ["reply_markup", "is_inline", "local_file"]


def reply_markup(reply: Reply) -> dict[str, Any] | None:
    if any(b.request_contact for row in reply.buttons for b in row):
        rows = [[_reply_button(b) for b in row] for row in reply.buttons]
        return {"keyboard": rows, "resize_keyboard": True, "one_time_keyboard": True}
    if reply.buttons:
        return {"inline_keyboard": [[_inline_button(b) for b in row] for row in reply.buttons]}
    if reply.remove_keyboard:
        return {"remove_keyboard": True}
    if reply.force_reply:  # not `selective`: it would reach only @mentioned users, and a prompt mentions none
        return {"force_reply": True}
    return None


def is_inline(markup: dict[str, Any] | None) -> bool:
    """Only inline keyboards may go on an edited message."""
    return markup is not None and "inline_keyboard" in markup


def local_file(photo: str) -> Path | None:
    """The file to upload when `photo` names one on disk; None for a URL or a Telegram file id."""
    if photo.startswith(("http://", "https://")):
        return None
    path = Path(photo)
    return path if path.is_file() else None


def _inline_button(button: Button) -> dict[str, Any]:
    if button.url:
        return {"text": button.label, "url": button.url}
    if button.web_app:
        return {"text": button.label, "web_app": {"url": button.web_app}}
    return {"text": button.label, "callback_data": button.action or ""}


def _reply_button(button: Button) -> dict[str, Any]:
    if button.request_contact:
        return {"text": button.label, "request_contact": True}
    return {"text": button.label}
