"""Payment attempts and processed webhook events (tables of storage/payments.py).

Revision ID: c5c81f45c5a9
Revises: 47edfcd7b31d
Create Date: 2026-11-24 19:57:23.795228
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5c81f45c5a9"
down_revision: str | None = "47edfcd7b31d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
    op.create_index(op.f("ix_payment_attempts_charge_ref"), "payment_attempts", ["charge_ref"], unique=False)
    op.create_index(op.f("ix_payment_attempts_created_at"), "payment_attempts", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_payment_attempts_order_number"), "payment_attempts", ["order_number"], unique=False
    )
    op.create_index(op.f("ix_payment_attempts_outcome"), "payment_attempts", ["outcome"], unique=False)
    op.create_index(
        op.f("ix_payment_attempts_provider_ref"), "payment_attempts", ["provider_ref"], unique=False
    )
    op.create_index(op.f("ix_payment_attempts_refund_ref"), "payment_attempts", ["refund_ref"], unique=False)

    op.create_table(
        "processed_webhook_events",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "event_id", name=op.f("pk_processed_webhook_events")),
    )


def downgrade() -> None:
    op.drop_table("processed_webhook_events")
    op.drop_index(op.f("ix_payment_attempts_refund_ref"), table_name="payment_attempts")
    op.drop_index(op.f("ix_payment_attempts_provider_ref"), table_name="payment_attempts")
    op.drop_index(op.f("ix_payment_attempts_outcome"), table_name="payment_attempts")
    op.drop_index(op.f("ix_payment_attempts_order_number"), table_name="payment_attempts")
    op.drop_index(op.f("ix_payment_attempts_created_at"), table_name="payment_attempts")
    op.drop_index(op.f("ix_payment_attempts_charge_ref"), table_name="payment_attempts")

    op.drop_table("payment_attempts")
