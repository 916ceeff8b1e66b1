"""Refunds reported before their payment (Stripe sends webhooks in any order) are kept until it lands.

Revision ID: 1aaa89a52805
Revises: 7bf86e231dc8
Create Date: 2026-12-05 19:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1aaa89a52805"
down_revision: str | None = "7bf86e231dc8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "early_refunds",
        sa.Column("payment_ref", sa.String(length=255), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("payment_ref", name=op.f("pk_early_refunds")),
    )


def downgrade() -> None:
    op.drop_table("early_refunds")
