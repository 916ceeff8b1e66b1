"""One shipment row per order and tracking number: the same number on two orders (one parcel) is tracked
for both. The table gets a surrogate id; (order_number, tracking_number) is unique. Rows are kept.

Revision ID: 7bf86e231dc8
Revises: b9631af8efe8
Create Date: 2026-12-05 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7bf86e231dc8"
down_revision: str | None = "b9631af8efe8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DATA = (
    "tracking_number, order_number, carrier, last_status, registered, active, failures, next_poll_at, "
    "lease_until, leased_by"
)


def _columns() -> list[sa.Column]:
    return [
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
    ]


def _set_aside() -> None:
    """Copy the rows to a plain table and drop the old one with its indexes and key names."""
    op.create_table("shipments_moving", *_columns())
    op.execute(f"INSERT INTO shipments_moving ({_DATA}) SELECT {_DATA} FROM shipments")
    op.drop_table("shipments")  # its indexes go with it


def _bring_back() -> None:
    op.execute(f"INSERT INTO shipments ({_DATA}) SELECT {_DATA} FROM shipments_moving")
    op.drop_table("shipments_moving")


def upgrade() -> None:
    _set_aside()
    op.create_table(
        "shipments",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        *_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("order_number", "tracking_number", name=op.f("uq_shipments_order_number")),
    )
    op.create_index("ix_shipments_due", "shipments", ["active", "next_poll_at"])
    op.create_index(op.f("ix_shipments_order_number"), "shipments", ["order_number"])
    op.create_index(op.f("ix_shipments_tracking_number"), "shipments", ["tracking_number"])
    _bring_back()


def downgrade() -> None:
    """Back to one row per tracking number: of a number shared by orders, the first row stays."""
    op.execute(
        "DELETE FROM shipments WHERE id NOT IN (SELECT MIN(id) FROM shipments GROUP BY tracking_number)"
    )
    _set_aside()
    op.create_table(
        "shipments", *_columns(), sa.PrimaryKeyConstraint("tracking_number", name=op.f("pk_shipments"))
    )
    op.create_index("ix_shipments_due", "shipments", ["active", "next_poll_at"])
    op.create_index(op.f("ix_shipments_order_number"), "shipments", ["order_number"])
    _bring_back()
