"""Catalog in chat and customer conversations: more photos per product, product change history,
messages between customers and the shop (with staff's internal order notes), an order's delivery note.

Revision ID: 589917780cbb
Revises: 2e2d324846ea
Create Date: 2026-12-05 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "589917780cbb"
down_revision: str | None = "2e2d324846ea"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("more_photos", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("delivery_note", sa.Text(), server_default="", nullable=False))
    op.create_table(
        "product_changes",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("sku", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("old", sa.String(200), nullable=False),
        sa.Column("new", sa.String(200), nullable=False),
    )
    op.create_index("ix_product_changes_sku", "product_changes", ["sku"])
    op.create_table(
        "shop_messages",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_number", sa.String(16), nullable=True),
        sa.Column("photo", sa.String(300), nullable=True),
        sa.Column("staff_id", sa.BigInteger(), nullable=True),
        sa.Column("merchant_message_id", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_shop_messages_customer_id_at", "shop_messages", ["customer_id", "at"])
    op.create_index("ix_shop_messages_order_number", "shop_messages", ["order_number"])
    op.create_index("ix_shop_messages_merchant_message_id", "shop_messages", ["merchant_message_id"])


def downgrade() -> None:
    op.drop_table("shop_messages")
    op.drop_index("ix_product_changes_sku", table_name="product_changes")
    op.drop_table("product_changes")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("delivery_note")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("more_photos")
