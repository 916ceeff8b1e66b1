"""Order lines keep the product's Chinese name as it was when the order was placed, so a Chinese-speaking
customer reads it on receipts, order views and payments, and later catalog edits do not rewrite history.

Revision ID: 3c5e0f2a9d41
Revises: d8e2b5c1a4f7
Create Date: 2026-12-05 21:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c5e0f2a9d41"
down_revision: str | None = "d8e2b5c1a4f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("name_zh", sa.String(120), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("name_zh")
