"""The inbox: every Telegram update as received, stored before Telegram is told it arrived."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.database.base import Base, UtcDateTime
from storage.tables.types import Json

__all__ = ["InboxRow", "PENDING", "DONE", "FAILED", "SETTLED_UPDATE", "PENDING_UPDATE"]

PENDING, DONE, FAILED = "pending", "done", "failed"
# An update handled or given up: the predicate of the settled-rows index, a literal so that the planners
# of SQLite and PostgreSQL match a query's WHERE to it.
SETTLED_UPDATE = "state <> 'pending'"
# An update still to handle: the predicate of the claim's index, which holds the few pending rows only
# (queries select them with the state written into their SQL: `storage.database.constants.in_sql`).
PENDING_UPDATE = "state = 'pending'"


class InboxRow(Base):
    __tablename__ = "inbox"
    __table_args__ = (
        # the claim's pending updates (`storage.queues.inbox`), oldest first and per chat; a settled update
        # has no entry in either, so a claim reads the few pending rows however many the inbox keeps
        Index(
            "ix_inbox_pending_update_id",
            "update_id",
            sqlite_where=text(PENDING_UPDATE),
            postgresql_where=text(PENDING_UPDATE),
        ),
        Index(
            "ix_inbox_pending_chat_id_update_id",
            "chat_id",
            "update_id",
            sqlite_where=text(PENDING_UPDATE),
            postgresql_where=text(PENDING_UPDATE),
        ),
        # the prune job's oldest settled updates (`storage.housekeeping`); a pending update is not in it
        Index(
            "ix_inbox_settled_received_at",
            "received_at",
            sqlite_where=text(SETTLED_UPDATE),
            postgresql_where=text(SETTLED_UPDATE),
        ),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(12), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    leased_by: Mapped[str | None] = mapped_column(String(80))
