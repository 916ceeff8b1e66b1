"""An order's refunds are found through an index on their order number.

The order card asks for the refunds of its order that failed (to offer "Refunded by hand"); without an
index that read scanned every refund the shop ever made.

Revision ID: f3b8d1e6a905
Revises: e5a9c3f7b214
Create Date: 2026-12-06 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "f3b8d1e6a905"
down_revision: str | None = "e5a9c3f7b214"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_refunds_order_number", "refunds", ["order_number"])


def downgrade() -> None:
    op.drop_index("ix_refunds_order_number", table_name="refunds")
