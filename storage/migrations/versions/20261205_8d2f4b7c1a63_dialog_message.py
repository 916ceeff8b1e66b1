"""A dialog remembers the Telegram message showing its question, so a wrong answer edits that message in
place after a restart and when replies go out through the outbox.

Revision ID: 8d2f4b7c1a63
Revises: 3c5e0f2a9d41
Create Date: 2026-12-05 21:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d2f4b7c1a63"
down_revision: str | None = "3c5e0f2a9d41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dialogs") as batch:
        batch.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dialogs") as batch:
        batch.drop_column("message_id")
