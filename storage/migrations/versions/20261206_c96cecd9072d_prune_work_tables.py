"""The prune job finds the work tables' old settled rows through an index instead of a scan, and a
processed update records when it was handled, so that it too can be pruned by age.

`outbox` and `inbox` get a partial index on their time column over settled rows only (a pending row has no
entry, so storing a reply or an update costs nothing more). Rows of `processed_updates` recorded before
this upgrade get the time of the upgrade: they are kept a full retention period from now.

Revision ID: c96cecd9072d
Revises: 8d2f4b7c1a63
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "c96cecd9072d"
down_revision: str | None = "8d2f4b7c1a63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SETTLED = sa.text("state <> 'pending'")


def upgrade() -> None:
    op.create_index(
        "ix_outbox_settled_created_at",
        "outbox",
        ["created_at"],
        sqlite_where=_SETTLED,
        postgresql_where=_SETTLED,
    )
    op.create_index(
        "ix_inbox_settled_received_at",
        "inbox",
        ["received_at"],
        sqlite_where=_SETTLED,
        postgresql_where=_SETTLED,
    )
    op.create_index(
        op.f("ix_processed_webhook_events_processed_at"), "processed_webhook_events", ["processed_at"]
    )

    op.add_column("processed_updates", sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True))
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":  # stored as naive UTC text, as `UtcDateTime` writes it
        now = now.replace(tzinfo=None)
    rows = sa.table("processed_updates", sa.column("processed_at", sa.DateTime(timezone=True)))
    op.execute(rows.update().values(processed_at=now))
    with op.batch_alter_table("processed_updates") as batch:
        batch.alter_column("processed_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    op.create_index(op.f("ix_processed_updates_processed_at"), "processed_updates", ["processed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_processed_updates_processed_at"), table_name="processed_updates")
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_column("processed_at")
    op.drop_index(op.f("ix_processed_webhook_events_processed_at"), table_name="processed_webhook_events")
    op.drop_index("ix_inbox_settled_received_at", table_name="inbox")
    op.drop_index("ix_outbox_settled_created_at", table_name="outbox")
