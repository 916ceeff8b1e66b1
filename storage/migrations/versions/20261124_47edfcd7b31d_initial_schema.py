"""Initial schema: catalog, stock and reservations, customers and carts, orders, outbox, dialogs.

Revision ID: 47edfcd7b31d
Revises:
Create Date: 2026-11-24 19:45:03.150130
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "47edfcd7b31d"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "carts",
        sa.Column("customer_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "lines",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_carts")),
    )
    op.create_table(
        "categories",
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_categories")),
    )
    op.create_table(
        "customers",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column(
            "addresses",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("unreachable", sa.Boolean(), nullable=False),
        sa.Column("cart_reminders", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_customers")),
    )
    op.create_table(
        "dialogs",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(length=80), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_dialogs")),
    )
    op.create_table(
        "orders",
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("payment_method", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipping_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("delivery_code", sa.String(length=40), nullable=False),
        sa.Column("delivery_label", sa.String(length=120), nullable=False),
        sa.Column(
            "address",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reserved_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_ref", sa.String(length=255), nullable=True),
        sa.Column("provider_charge_id", sa.String(length=255), nullable=True),
        sa.Column("carrier", sa.String(length=40), nullable=True),
        sa.Column("tracking_number", sa.String(length=40), nullable=True),
        sa.Column("customer_name", sa.String(length=200), nullable=False),
        sa.Column("customer_phone", sa.String(length=20), nullable=False),
        sa.Column("merchant_message_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_orders")),
    )
    op.create_index("ix_orders_customer_id_placed_at", "orders", ["customer_id", "placed_at"], unique=False)
    op.create_index("ix_orders_placed_at", "orders", ["placed_at"], unique=False)
    op.create_index("ix_orders_status", "orders", ["status"], unique=False)
    op.create_index(op.f("ix_orders_tracking_number"), "orders", ["tracking_number"], unique=False)

    op.create_table(
        "outbox",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "edit_of",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    op.create_index("ix_outbox_state_next_attempt_at", "outbox", ["state", "next_attempt_at"], unique=False)

    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    op.create_table(
        "stock_audit",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_audit")),
    )
    op.create_index(op.f("ix_stock_audit_sku"), "stock_audit", ["sku"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("order_number", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_number"], ["orders.number"], name=op.f("fk_order_lines_order_number_orders")
        ),
        sa.PrimaryKeyConstraint("order_number", "position", name=op.f("pk_order_lines")),
    )
    op.create_table(
        "order_timeline",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("order_number", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old", sa.String(length=24), nullable=True),
        sa.Column("new", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_number"], ["orders.number"], name=op.f("fk_order_timeline_order_number_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_timeline")),
        sa.UniqueConstraint("order_number", "seq", name=op.f("uq_order_timeline_order_number")),
    )
    op.create_table(
        "products",
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("photo", sa.String(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("price_minor >= 0", name=op.f("ck_products_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["category"], ["categories.slug"], name=op.f("fk_products_category_categories")
        ),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_products")),
    )
    op.create_index(op.f("ix_products_category"), "products", ["category"], unique=False)

    op.create_table(
        "stock",
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("safety", sa.Integer(), nullable=False),
        sa.Column("low_alert_armed", sa.Boolean(), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_on_hand_not_negative")),
        sa.CheckConstraint("reserved <= on_hand", name=op.f("ck_stock_reserved_within_on_hand")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_reserved_not_negative")),
        sa.CheckConstraint("safety >= 0", name=op.f("ck_stock_safety_not_negative")),
        sa.ForeignKeyConstraint(["sku"], ["products.sku"], name=op.f("fk_stock_sku_products")),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_stock")),
    )
    op.create_table(
        "reservations",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("order_number", sa.String(length=16), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_reservations_quantity_positive")),
        sa.ForeignKeyConstraint(["sku"], ["stock.sku"], name=op.f("fk_reservations_sku_stock")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    op.create_index(op.f("ix_reservations_order_number"), "reservations", ["order_number"], unique=False)
    op.create_index(op.f("ix_reservations_sku"), "reservations", ["sku"], unique=False)
    op.create_index("ix_reservations_state_expires_at", "reservations", ["state", "expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reservations_state_expires_at", table_name="reservations")
    op.drop_index(op.f("ix_reservations_sku"), table_name="reservations")
    op.drop_index(op.f("ix_reservations_order_number"), table_name="reservations")

    op.drop_table("reservations")
    op.drop_table("stock")
    op.drop_index(op.f("ix_products_category"), table_name="products")

    op.drop_table("products")
    op.drop_table("order_timeline")
    op.drop_table("order_lines")
    op.drop_index(op.f("ix_stock_audit_sku"), table_name="stock_audit")

    op.drop_table("stock_audit")
    op.drop_table("processed_updates")
    op.drop_index("ix_outbox_state_next_attempt_at", table_name="outbox")

    op.drop_table("outbox")
    op.drop_index(op.f("ix_orders_tracking_number"), table_name="orders")
    op.drop_index("ix_orders_status", table_name="orders")
    op.drop_index("ix_orders_placed_at", table_name="orders")
    op.drop_index("ix_orders_customer_id_placed_at", table_name="orders")

    op.drop_table("orders")
    op.drop_table("dialogs")
    op.drop_table("customers")
    op.drop_table("categories")
    op.drop_table("carts")
