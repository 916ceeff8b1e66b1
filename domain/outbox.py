"""Outgoing messages, stored in the same transaction as the change that caused them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = ["OutboxMessage", "OutboxState"]


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after bounded attempts, or the recipient blocked the bot


@dataclass(slots=True)
class OutboxMessage:
    chat_id: int
    payload: dict[str, Any]  # a serialized platform-neutral reply: {"text", "buttons", "photo", ...}
    created_at: datetime
    dedupe_key: str | None = None  # same key twice = enqueued once (e.g. "order:K7M-2QXD:shipped")
    id: int | None = None
    state: OutboxState = OutboxState.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    edit_of: dict[str, Any] | None = field(default=None)  # {"message_id": n} to edit instead of send
    # A turn's reply: the process that wrote it sends it right after commit; the relay leaves it alone
    # until then (and takes it at once when that process is gone).
    held_until: datetime | None = None
