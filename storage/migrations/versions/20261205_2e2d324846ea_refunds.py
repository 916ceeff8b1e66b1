"""Refunds owed: recorded with the change that withdrew a paid order, issued after commit.

Revision ID: 2e2d324846ea
Revises: 2b2a5a2bba2e
Create Date: 2026-12-05 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2e2d324846ea"
down_revision: str | None = "2b2a5a2bba2e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refunds",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("order_number", sa.String(16), nullable=False),
        sa.Column("charge_ref", sa.String(255), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refund_ref", sa.String(255), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "order_number", "charge_ref", "amount_minor", name="uq_refunds_order_charge_amount"
        ),
    )
    op.create_index("ix_refunds_state_next_attempt_at", "refunds", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_refunds_state_next_attempt_at", table_name="refunds")
    op.drop_table("refunds")
