"""`SqlAlchemyOrders`: orders mapped by hand to the `Order` aggregate, saved with optimistic concurrency.

Each order read here remembers its `version` and stored column values; `save` writes only the columns
that changed, appends only the timeline entries added since, and bumps the version with
`UPDATE ... WHERE version = :old`, raising `ConcurrentUpdate` when another transaction saved first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.actor import Actor
from domain.errors import ConcurrentUpdate, OrderNumberTaken
from domain.money import Money
from domain.order import DeliveryChoice, Order, OrderLine, Transition
from domain.order_status import OrderStatus, PaymentMethod
from storage.customers import address_from_json, address_to_json
from storage.database.dialect import RowsRider, insert_or_ignore, rowcount
from storage.tables import OrderLineRow, OrderRow, OrderTimelineRow

__all__ = ["SqlAlchemyOrders"]

_LINES = RowsRider(
    OrderLineRow.__table__,
    ["order_number", "position", "sku", "name", "name_zh", "unit_price_minor", "quantity", "returned"],
)
_TIMELINE = RowsRider(
    OrderTimelineRow.__table__, ["order_number", "seq", "at", "old", "new", "actor", "note"]
)


def _columns(order: Order) -> dict[str, Any]:
    """The mutable columns of an order (lines are immutable once placed)."""
    return {
        "status": order.status.value,
        "subtotal_minor": order.subtotal.amount_minor,
        "shipping_minor": order.shipping_fee.amount_minor,
        "total_minor": order.total.amount_minor,
        "address": address_to_json(order.address) if order.address else None,
        "reserved_until": order.reserved_until,
        "paid_at": order.paid_at,
        "payment_ref": order.payment_ref,
        "provider_charge_id": order.provider_charge_id,
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "customer_name": order.customer_name,
        "customer_phone": order.customer_phone,
        "merchant_message_id": order.merchant_message_id,
        "delivery_note": order.delivery_note,
        "refunded_minor": order.refunded_minor,
    }


def _timeline_row(number: str, seq: int, entry: Transition) -> dict[str, Any]:
    return {
        "order_number": number,
        "seq": seq,
        "at": entry.at,
        "old": entry.old.value if entry.old else None,
        "new": entry.new.value,
        "actor": str(entry.actor),
        "note": entry.note,
    }


def _order(row: OrderRow) -> Order:
    currency = row.currency
    return Order(
        number=row.number,
        customer_id=row.customer_id,
        lines=[
            OrderLine(
                line.sku,
                line.name,
                Money(line.unit_price_minor, currency),
                line.quantity,
                returned=line.returned or 0,
                name_zh=line.name_zh,
            )
            for line in row.lines
        ],
        delivery=DeliveryChoice(
            row.delivery_code, row.delivery_label, Money(row.shipping_minor, currency), row.delivery_label_zh
        ),
        payment_method=PaymentMethod(row.payment_method),
        address=address_from_json(row.address) if row.address else None,
        placed_at=row.placed_at,
        reserved_until=row.reserved_until,
        status=OrderStatus(row.status),
        timeline=[
            Transition(
                t.at, OrderStatus(t.old) if t.old else None, OrderStatus(t.new), Actor.parse(t.actor), t.note
            )
            for t in row.timeline
        ],
        paid_at=row.paid_at,
        payment_ref=row.payment_ref,
        provider_charge_id=row.provider_charge_id,
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        customer_name=row.customer_name,
        customer_phone=row.customer_phone,
        merchant_message_id=row.merchant_message_id,
        delivery_note=row.delivery_note,
        promo_code=row.promo_code,
        discount_minor=row.discount_minor,
        refunded_minor=row.refunded_minor or 0,
    )


class _Loaded:
    __slots__ = ("version", "columns", "timeline_len", "returned")

    def __init__(self, version: int, columns: dict[str, Any], timeline_len: int, returned: list[int]) -> None:
        self.version = version
        self.columns = columns
        self.timeline_len = timeline_len
        self.returned = returned  # per line: the only part of a line that changes after placing


class SqlAlchemyOrders:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._loaded: dict[str, _Loaded] = {}

    async def add(self, order: Order) -> None:
        """Insert a new order with its lines and timeline; raises `OrderNumberTaken` when the number
        exists (stock may already be reserved under it: retry in a fresh unit of work, see
        `domain.services.retry_on_taken_number`)."""
        values = _columns(order) | {
            "number": order.number,
            "version": 1,
            "customer_id": order.customer_id,
            "payment_method": order.payment_method.value,
            "currency": order.currency,
            "delivery_code": order.delivery.code,
            "delivery_label": order.delivery.label,
            "delivery_label_zh": order.delivery.label_zh,
            "placed_at": order.placed_at,
            "discount_minor": order.discount_minor,
            "promo_code": order.promo_code,
        }
        # ON CONFLICT DO NOTHING rather than catching IntegrityError: the PostgreSQL transaction stays
        # usable, and on SQLite no failed cursor is left for the garbage collector to finalize on the
        # event loop thread (which can block behind that connection's busy wait under contention).
        if not await insert_or_ignore(self.session, OrderRow.__table__, values, ["number"]):
            raise OrderNumberTaken(order.number)
        lines = [
            {
                "order_number": order.number,
                "position": i,
                "sku": line.sku,
                "name": line.name,
                "name_zh": line.name_zh,
                "unit_price_minor": line.unit_price.amount_minor,
                "quantity": line.quantity,
                "returned": line.returned,
            }
            for i, line in enumerate(order.lines)
        ]
        if not await _LINES.ride(self.session, lines):  # with the turn's last statement (PostgreSQL)
            await self.session.execute(insert(OrderLineRow), lines)
        await self._append_timeline(order, 0)
        self._remember(order, 1)

    async def save(self, order: Order) -> None:
        loaded = self._loaded.get(order.number)
        if loaded is None:
            raise ValueError(f"order {order.number} was not read in this unit of work; get it first")
        columns = _columns(order)
        changed = {k: v for k, v in columns.items() if loaded.columns.get(k) != v}
        result = await self.session.execute(
            update(OrderRow)
            .where(OrderRow.number == order.number, OrderRow.version == loaded.version)
            .values(**changed, version=loaded.version + 1)
        )
        if rowcount(result) != 1:
            raise ConcurrentUpdate(f"order {order.number} was changed by someone else; reload and retry")
        for position, line in enumerate(order.lines):
            if line.returned != loaded.returned[position]:
                await self.session.execute(
                    update(OrderLineRow)
                    .where(OrderLineRow.order_number == order.number, OrderLineRow.position == position)
                    .values(returned=line.returned)
                )
        await self._append_timeline(order, loaded.timeline_len)
        self._remember(order, loaded.version + 1)

    async def get(self, number: str) -> Order | None:
        return await self._one(self._select().where(OrderRow.number == number))

    async def get_for_update(self, number: str) -> Order | None:
        """Read and lock the order row until the unit of work ends (`FOR UPDATE` on PostgreSQL; SQLite
        write units of work already hold the database write lock)."""
        return await self._one(self._select().where(OrderRow.number == number).with_for_update(of=OrderRow))

    async def list_for_customer(self, customer_id: int, *, limit: int = 10) -> list[Order]:
        stmt = (
            self._select()
            .where(OrderRow.customer_id == customer_id)
            .order_by(OrderRow.placed_at.desc())
            .limit(limit)
        )
        return await self._many(stmt)

    async def list_by_status(
        self, statuses: Sequence[OrderStatus], *, offset: int = 0, limit: int = 10
    ) -> tuple[list[Order], int]:
        wanted = [OrderStatus(s).value for s in statuses]
        total = await self.session.scalar(
            select(func.count()).select_from(OrderRow).where(OrderRow.status.in_(wanted))
        )
        stmt = (
            self._select()
            .where(OrderRow.status.in_(wanted))
            .order_by(OrderRow.placed_at, OrderRow.number)
            .offset(offset)
            .limit(limit)
        )
        return await self._many(stmt), total or 0

    async def expired_unpaid(self, now: datetime, *, limit: int = 100) -> list[Order]:
        prepaid = [m.value for m in PaymentMethod if m.prepaid]
        stmt = (
            self._select()
            .where(
                OrderRow.status == OrderStatus.PLACED.value,
                OrderRow.payment_method.in_(prepaid),
                OrderRow.reserved_until <= now,
            )
            .order_by(OrderRow.reserved_until)
            .limit(limit)
        )
        return await self._many(stmt)

    # -- helpers -----------------------------------------------------------------------------------
    @staticmethod
    def _select() -> Select[tuple[OrderRow]]:
        return (
            select(OrderRow)
            .options(selectinload(OrderRow.lines), selectinload(OrderRow.timeline))
            .execution_options(populate_existing=True)
        )

    async def _one(self, stmt: Select[tuple[OrderRow]]) -> Order | None:
        found = await self._many(stmt)
        return found[0] if found else None

    async def _many(self, stmt: Select[tuple[OrderRow]]) -> list[Order]:
        orders = []
        for row in await self.session.scalars(stmt):
            order = _order(row)
            self._remember(order, row.version)
            orders.append(order)
        return orders

    def _remember(self, order: Order, version: int) -> None:
        returned = [line.returned for line in order.lines]
        self._loaded[order.number] = _Loaded(version, _columns(order), len(order.timeline), returned)

    async def _append_timeline(self, order: Order, start: int) -> None:
        new = order.timeline[start:]
        if new:
            rows = [_timeline_row(order.number, start + i, t) for i, t in enumerate(new)]
            if not await _TIMELINE.ride(self.session, rows):
                await self.session.execute(insert(OrderTimelineRow), rows)
