"""Cart activity for abandoned-cart reminders: units, last change, last reminder.

Carts saved before this revision have no last change (NULL) and are not reminded until touched again.

Revision ID: 3f9a2c7d1e08
Revises: 511918fd9bed
Create Date: 2026-11-24 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f9a2c7d1e08"
down_revision: str | None = "511918fd9bed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("carts", sa.Column("item_count", sa.Integer(), server_default="0", nullable=False))
    op.add_column("carts", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("carts", sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_carts_updated_at", "carts", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_carts_updated_at", table_name="carts")
    with op.batch_alter_table("carts") as batch:
        batch.drop_column("reminded_at")
        batch.drop_column("updated_at")
        batch.drop_column("item_count")
