"""Analytics figures: funnel events, the payment tables (not migrated before), covering indexes.

The orders, lines, timeline and payment-attempt indexes let storage.analytics answer from indexes only.

Revision ID: 8f21110491f2
Revises: 47edfcd7b31d
Create Date: 2026-11-24 19:59:16.665045
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8f21110491f2"
down_revision: str | None = "47edfcd7b31d"
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
        batch_op.create_index("ix_funnel_events_step_at", ["step", "at"], unique=False)

    op.create_table(
        "payment_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_number", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_ref", sa.String(length=255), nullable=False),
        sa.Column("charge_ref", sa.String(length=255), nullable=False),
        sa.Column("refund_ref", sa.String(length=255), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_attempts")),
    )
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_attempts_charge_ref"), ["charge_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_attempts_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            "ix_payment_attempts_created_at_outcome", ["created_at", "outcome"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payment_attempts_order_number"), ["order_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_attempts_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_attempts_provider_ref"), ["provider_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_attempts_refund_ref"), ["refund_ref"], unique=False)

    op.create_table(
        "processed_webhook_events",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "event_id", name=op.f("pk_processed_webhook_events")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_order_lines_sold", ["order_number", "sku", "quantity", "unit_price_minor"], unique=False
        )

    with op.batch_alter_table("order_timeline", schema=None) as batch_op:
        batch_op.create_index("ix_order_timeline_new_at", ["new", "at", "order_number"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_placed_at"))
        batch_op.create_index(
            "ix_orders_placed_at",
            ["placed_at", "status", "paid_at", "currency", "total_minor", "number"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_placed_at")
        batch_op.create_index(batch_op.f("ix_orders_placed_at"), ["placed_at"], unique=False)

    with op.batch_alter_table("order_timeline", schema=None) as batch_op:
        batch_op.drop_index("ix_order_timeline_new_at")

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_order_lines_sold")

    op.drop_table("processed_webhook_events")
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_attempts_refund_ref"))
        batch_op.drop_index(batch_op.f("ix_payment_attempts_provider_ref"))
        batch_op.drop_index(batch_op.f("ix_payment_attempts_outcome"))
        batch_op.drop_index(batch_op.f("ix_payment_attempts_order_number"))
        batch_op.drop_index("ix_payment_attempts_created_at_outcome")
        batch_op.drop_index(batch_op.f("ix_payment_attempts_created_at"))
        batch_op.drop_index(batch_op.f("ix_payment_attempts_charge_ref"))

    op.drop_table("payment_attempts")
    with op.batch_alter_table("funnel_events", schema=None) as batch_op:
        batch_op.drop_index("ix_funnel_events_step_at")

    op.drop_table("funnel_events")
