"""Shipments polled at the carrier-tracking provider (table of storage/shipments.py).

Revision ID: 6e344ddf446f
Revises: c5c81f45c5a9
Create Date: 2026-11-24 19:51:02.408723
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6e344ddf446f"
down_revision: str | None = "c5c81f45c5a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("tracking_number", sa.String(length=40), nullable=False),
        sa.Column("order_number", sa.String(length=16), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=True),
        sa.Column("last_status", sa.String(length=32), nullable=False),
        sa.Column("registered", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("tracking_number", name=op.f("pk_shipments")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index("ix_shipments_due", ["active", "next_poll_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipments_order_number"), ["order_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_order_number"))
        batch_op.drop_index("ix_shipments_due")
    op.drop_table("shipments")
