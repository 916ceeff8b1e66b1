"""Orders remember how much the payment provider refunded so far (a partial refund leaves them open).

Revision ID: b9631af8efe8
Revises: 3f9a2c7d1e08
Create Date: 2026-12-05 18:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b9631af8efe8"
down_revision: str | None = "3f9a2c7d1e08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("refunded_minor", sa.BigInteger(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("refunded_minor")
