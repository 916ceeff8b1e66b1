"""Units that came back per order line: a part-return can never take back more than was sold.

Revision ID: d8e2b5c1a4f7
Revises: c4f1a7d2e9b3
Create Date: 2026-12-05 21:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d8e2b5c1a4f7"
down_revision: str | None = "c4f1a7d2e9b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("returned", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("returned")
