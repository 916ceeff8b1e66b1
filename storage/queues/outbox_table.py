"""The `outbox` table, for the relay's queue: the one definition lives in `storage.tables.messaging`."""

from __future__ import annotations

from storage.tables.messaging import OutboxRow

__all__ = ["OutboxRow"]
