"""Outbox messages, processed Telegram update ids and conversation (dialog) state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.database.base import Base, UtcDateTime
from storage.tables.types import BigId, Json

__all__ = ["OutboxRow", "ProcessedUpdateRow", "DialogRow", "SETTLED_MESSAGE"]

# A message no longer waiting to go out (sent, or given up): the one predicate of the settled-rows index
# below, spelled as a literal so that SQLite's and PostgreSQL's planners match a query's WHERE to it.
SETTLED_MESSAGE = "state <> 'pending'"


class OutboxRow(Base):
    """A message to deliver. Relays lease due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL) by setting
    `lease_until`/`leased_by`, deliver them, then mark them sent or schedule the next attempt."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),
        # the prune job's oldest settled messages (`storage.housekeeping`); pending rows are not in it, so
        # a reply's insert costs no entry and its "sent" mark one
        Index(
            "ix_outbox_settled_created_at",
            "created_at",
            sqlite_where=text(SETTLED_MESSAGE),
            postgresql_where=text(SETTLED_MESSAGE),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    edit_of: Mapped[dict[str, Any] | None] = mapped_column(Json)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    leased_by: Mapped[str | None] = mapped_column(String(80))


class ProcessedUpdateRow(Base):
    """An update handled without the inbox, kept past Telegram's redeliveries, then pruned by age."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class DialogRow(Base):
    __tablename__ = "dialogs"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # The Telegram message showing the dialog's question (a wrong answer edits it), once its delivery was
    # recorded; NULL again when the dialog moves to another state.
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Housekeeping only (pruning stale dialogs); the port passes no clock, so the database sets it.
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=func.now())
