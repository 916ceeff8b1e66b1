"""Analytics figures: funnel events and the covering indexes the figures read instead of tables.

Revision ID: 511918fd9bed
Revises: b7c1e0a4d2f9
Create Date: 2026-11-24 20:00:21.873058
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "511918fd9bed"
down_revision: str | None = "b7c1e0a4d2f9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "funnel_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funnel_events")),
    )
    with op.batch_alter_table("funnel_events", schema=None) as batch_op:
        batch_op.create_index("ix_funnel_events_at_step", ["at", "step"], unique=False)

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_order_lines_sold", ["order_number", "sku", "quantity", "unit_price_minor"], unique=False
        )

    with op.batch_alter_table("order_timeline", schema=None) as batch_op:
        batch_op.create_index("ix_order_timeline_new_at", ["new", "at", "order_number"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_number_paid_at", ["number", "paid_at"], unique=False)
        batch_op.drop_index(batch_op.f("ix_orders_placed_at"))
        batch_op.create_index(
            "ix_orders_placed_at",
            ["placed_at", "status", "paid_at", "currency", "total_minor", "number"],
            unique=False,
        )

    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payment_attempts_created_at_outcome", ["created_at", "outcome"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_attempts_created_at_outcome")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_number_paid_at")
        batch_op.drop_index("ix_orders_placed_at")
        batch_op.create_index(batch_op.f("ix_orders_placed_at"), ["placed_at"], unique=False)

    with op.batch_alter_table("order_timeline", schema=None) as batch_op:
        batch_op.drop_index("ix_order_timeline_new_at")

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_order_lines_sold")

    with op.batch_alter_table("funnel_events", schema=None) as batch_op:
        batch_op.drop_index("ix_funnel_events_at_step")

    op.drop_table("funnel_events")
