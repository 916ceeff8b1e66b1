"""Promo codes (the codes, one use row per order that applied one, each order's discount), what a
customer's next checkout starts from (the last recipient and delivery option), and Chinese names and
descriptions of products and categories ("" where none is given).

Orders placed before this revision have no discount (0) and no code ("").

Revision ID: 2b2a5a2bba2e
Revises: 1aaa89a52805
Create Date: 2026-12-05 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "2b2a5a2bba2e"
down_revision: str | None = "1aaa89a52805"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "promo_codes",
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("min_subtotal_minor", sa.BigInteger(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("per_customer", sa.Integer(), nullable=True),
        sa.Column("scope", _JSON, nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("uses >= 0", name="ck_promo_codes_uses_not_negative"),
    )
    op.create_table(
        "promo_uses",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("order_number", sa.String(16), nullable=False, unique=True),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("discount_minor", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_promo_uses_code_customer", "promo_uses", ["code", "customer_id", "state"])
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("discount_minor", sa.BigInteger(), server_default="0", nullable=False))
        batch.add_column(sa.Column("promo_code", sa.String(20), server_default="", nullable=False))
        batch.add_column(sa.Column("delivery_label_zh", sa.String(120), server_default="", nullable=False))
    with op.batch_alter_table("categories") as batch:
        batch.add_column(sa.Column("name_zh", sa.String(120), server_default="", nullable=False))
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("name_zh", sa.String(120), server_default="", nullable=False))
        batch.add_column(sa.Column("description_zh", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("last_recipient", sa.String(100), server_default="", nullable=False))
        batch.add_column(sa.Column("last_delivery", sa.String(40), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_column("description_zh")
        batch.drop_column("name_zh")
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("name_zh")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("last_delivery")
        batch.drop_column("last_recipient")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("delivery_label_zh")
        batch.drop_column("promo_code")
        batch.drop_column("discount_minor")
    op.drop_index("ix_promo_uses_code_customer", table_name="promo_uses")
    op.drop_table("promo_uses")
    op.drop_table("promo_codes")
