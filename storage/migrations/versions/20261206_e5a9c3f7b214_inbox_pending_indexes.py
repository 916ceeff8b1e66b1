"""The inbox claim's indexes hold the pending updates only.

`ix_inbox_state_chat_id_update_id` covered every row the inbox keeps (a day of handled updates): a claim
planned without its state value (PostgreSQL's generic plan of a prepared statement) walked them all in
update order. Two partial indexes over `state = 'pending'` replace it: by update (the claim's oldest
first) and by chat (a chat's earlier pending update). The claim writes that state into its SQL, so both
planners use them.

Revision ID: e5a9c3f7b214
Revises: c96cecd9072d
Create Date: 2026-12-06 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5a9c3f7b214"
down_revision: str | None = "c96cecd9072d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    op.create_index(
        "ix_inbox_pending_update_id",
        "inbox",
        ["update_id"],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )
    op.create_index(
        "ix_inbox_pending_chat_id_update_id",
        "inbox",
        ["chat_id", "update_id"],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )
    op.drop_index("ix_inbox_state_chat_id_update_id", table_name="inbox")


def downgrade() -> None:
    op.create_index("ix_inbox_state_chat_id_update_id", "inbox", ["state", "chat_id", "update_id"])
    op.drop_index("ix_inbox_pending_chat_id_update_id", table_name="inbox")
    op.drop_index("ix_inbox_pending_update_id", table_name="inbox")
