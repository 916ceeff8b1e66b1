"""Each refund owed has its own idempotency key (two equal part-returns are two refunds, not one), and
says what the customer is told once the provider took it. Rows made before keep the key they were sent
with: order-charge-amount.

Revision ID: c4f1a7d2e9b3
Revises: 589917780cbb
Create Date: 2026-12-05 21:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4f1a7d2e9b3"
down_revision: str | None = "589917780cbb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(sa.Column("key", sa.String(255), nullable=True))
        batch.add_column(sa.Column("notice", sa.String(8), server_default="", nullable=False))
    op.execute(
        "UPDATE refunds SET key = order_number || '-' || charge_ref || '-' || CAST(amount_minor AS TEXT)"
    )
    with op.batch_alter_table("refunds") as batch:
        batch.alter_column("key", existing_type=sa.String(255), nullable=False)
        batch.drop_constraint("uq_refunds_order_charge_amount", type_="unique")
        batch.create_unique_constraint("uq_refunds_key", ["key"])


def downgrade() -> None:
    """Back to one refund per (order, charge, amount): of equal ones, the first row stays."""
    op.execute(
        "DELETE FROM refunds WHERE id NOT IN "
        "(SELECT MIN(id) FROM refunds GROUP BY order_number, charge_ref, amount_minor)"
    )
    with op.batch_alter_table("refunds") as batch:
        batch.drop_constraint("uq_refunds_key", type_="unique")
        batch.create_unique_constraint(
            "uq_refunds_order_charge_amount", ["order_number", "charge_ref", "amount_minor"]
        )
        batch.drop_column("notice")
        batch.drop_column("key")
