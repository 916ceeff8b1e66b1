"""`SqlAlchemyCustomers` and `SqlAlchemyCarts`."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.cart import Cart
from domain.customer import Address, Customer
from storage.database.dialect import rowcount, update_rider, upsert, upsert_rider
from storage.database.prepared import Prepared, Rider
from storage.tables import CartRow, CustomerRow, DialogRow

__all__ = [
    "SqlAlchemyCustomers",
    "SqlAlchemyCarts",
    "IN_DIALOG_COLUMNS",
    "address_to_json",
    "address_from_json",
]


def address_to_json(address: Address) -> dict[str, str]:
    return dataclasses.asdict(address)


def address_from_json(data: dict[str, str]) -> Address:
    return Address(**data)


_CUSTOMER = tuple(CustomerRow.__table__.c)
# Read on every turn, built once (building a statement costs more CPU than SQLite takes to run it): a
# customer with their open dialog and the cart's lines, which most turns show or change, in one round trip
IN_DIALOG_COLUMNS = (
    *_CUSTOMER,
    DialogRow.state.label("dialog_state"),
    DialogRow.data.label("dialog_data"),
    CartRow.lines.label("cart_lines"),
)
_IN_DIALOG = Prepared(
    select(*IN_DIALOG_COLUMNS)
    .outerjoin(DialogRow, DialogRow.user_id == CustomerRow.telegram_id)
    .outerjoin(CartRow, CartRow.customer_id == CustomerRow.telegram_id)
    .where(CustomerRow.telegram_id == bindparam("telegram_id"))
)
_DIALOG_ALONE = Prepared(
    select(DialogRow.state, DialogRow.data).where(DialogRow.user_id == bindparam("telegram_id"))
)
_CART_LINES = Prepared(select(CartRow.lines).where(CartRow.customer_id == bindparam("customer_id")))
_ADD_CUSTOMER = upsert_rider(
    CustomerRow.__table__,
    dict.fromkeys(
        (
            "telegram_id", "display_name", "language", "phone", "addresses", "unreachable", "cart_reminders",
            "last_recipient", "last_delivery",
        )
    ),
    ["telegram_id"],
    replaces=lambda earlier, later: earlier["telegram_id"] == later["telegram_id"],  # every column written
)  # fmt: skip
_UPDATES: dict[tuple[str, ...], Rider] = {}  # a customer's partial update, by its columns
_SAVE_CART = upsert_rider(
    CartRow.__table__,
    dict.fromkeys(("customer_id", "lines", "item_count", "updated_at")),
    ["customer_id"],
    replaces=lambda earlier, later: earlier["customer_id"] == later["customer_id"],  # every column written
)


def _customer(row: Any) -> Customer:
    return Customer(
        telegram_id=row.telegram_id,
        display_name=row.display_name,
        language=row.language,
        phone=row.phone,
        addresses=[address_from_json(a) for a in row.addresses],
        unreachable=row.unreachable,
        cart_reminders=row.cart_reminders,
        recipient=row.last_recipient,
        last_delivery=row.last_delivery,
    )


_COLUMN = {"recipient": "last_recipient"}  # Customer field -> column, where they differ


class SqlAlchemyCustomers:
    def __init__(self, session: AsyncSession, carts: SqlAlchemyCarts | None = None) -> None:
        self.session = session
        self._carts = carts  # given the cart lines `get_in_dialog` read along, for this transaction

    async def get(self, telegram_id: int) -> Customer | None:
        columns = select(*_CUSTOMER)  # plain columns: no ORM identity map per turn
        row = (await self.session.execute(columns.where(CustomerRow.telegram_id == telegram_id))).first()
        return _customer(row) if row is not None else None

    async def get_in_dialog(
        self, telegram_id: int
    ) -> tuple[Customer | None, tuple[str, dict[str, Any]] | None]:
        """One statement for what every turn reads first: the customer and their open dialog."""
        row = await _IN_DIALOG.first(self.session, {"telegram_id": telegram_id})
        if row is None:  # not a customer yet (first contact): a dialog may still be stored
            found = await _DIALOG_ALONE.first(self.session, {"telegram_id": telegram_id})
            return None, (found.state, dict(found.data)) if found else None
        return self.in_dialog(row)

    def in_dialog(self, row: Any) -> tuple[Customer | None, tuple[str, dict[str, Any]] | None]:
        """The customer (None when the row has none) and their dialog from a row of `IN_DIALOG_COLUMNS`; the
        cart's lines are kept for `SqlAlchemyCarts.get` in this transaction."""
        dialog = (row.dialog_state, dict(row.dialog_data)) if row.dialog_state is not None else None
        if row.telegram_id is None:
            return None, dialog
        if self._carts is not None:
            self._carts.read_along(row.telegram_id, row.cart_lines)
        return _customer(row), dialog

    async def add(self, customer: Customer) -> None:
        """Insert, or replace the stored customer with the same telegram id."""
        values = {
            "telegram_id": customer.telegram_id,
            "display_name": customer.display_name,
            "language": customer.language,
            "phone": customer.phone,
            "addresses": [address_to_json(a) for a in customer.addresses],
            "unreachable": customer.unreachable,
            "cart_reminders": customer.cart_reminders,
            "last_recipient": customer.recipient,
            "last_delivery": customer.last_delivery,
        }
        if not await _ADD_CUSTOMER.ride(self.session, values):
            await upsert(self.session, CustomerRow.__table__, values, ["telegram_id"])

    async def update(self, customer: Customer, *fields: str) -> None:
        """UPDATE only `fields`: never a whole-row rewrite from a read that may be stale."""
        values = {_COLUMN.get(name, name): getattr(customer, name) for name in fields}
        if "addresses" in values:
            values["addresses"] = [address_to_json(a) for a in customer.addresses]
        unknown = set(values) - set(CustomerRow.__table__.c.keys())
        if unknown or not values:
            raise ValueError(f"not customer fields: {sorted(unknown) or 'none given'}")
        columns = tuple(values)
        rider = _UPDATES.get(columns)
        if rider is None:
            rider = _UPDATES[columns] = update_rider(CustomerRow.__table__, "telegram_id", columns)
        if await rider.ride(self.session, {"telegram_id": customer.telegram_id, **values}):
            return  # with the turn's last statement (PostgreSQL)
        where = CustomerRow.telegram_id == customer.telegram_id
        await self.session.execute(update(CustomerRow).where(where).values(**values))

    async def mark_unreachable(self, telegram_id: int) -> bool:
        """One column, one statement: a phone or address saved at the same moment is never overwritten."""
        stmt = (
            update(CustomerRow)
            .where(CustomerRow.telegram_id == telegram_id, CustomerRow.unreachable.is_(False))
            .values(unreachable=True)
            .execution_options(synchronize_session=False)
        )
        return rowcount(await self.session.execute(stmt)) == 1


class SqlAlchemyCarts:
    """A customer's cart; the lines read along with the customer (`read_along`), or saved, in this unit of
    work are not read again: only the customer's own turns change their cart, one at a time."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._known: dict[int, list[Any] | None] = {}  # customer id -> lines (None: no cart row)

    def read_along(self, customer_id: int, lines: list[Any] | None) -> None:
        self._known[customer_id] = lines

    async def get(self, customer_id: int) -> Cart:
        if customer_id in self._known:
            lines = self._known[customer_id]
        else:
            lines = await _CART_LINES.scalar(self.session, {"customer_id": customer_id})
        rows = [(line[0], line[1], line[2] if len(line) > 2 else None) for line in lines or []]
        seen = {sku: price for sku, _qty, price in rows if isinstance(price, int)}
        return Cart(customer_id, {sku: qty for sku, qty, _price in rows}, seen)

    async def save(self, cart: Cart, *, now: datetime) -> None:
        lines: list[Any] = [  # [sku, quantity] or [sku, quantity, price seen when added]
            [sku, qty, cart.seen_prices[sku]] if sku in cart.seen_prices else [sku, qty]
            for sku, qty in cart.lines.items()
        ]
        values = {
            "customer_id": cart.customer_id,
            "lines": lines,
            "item_count": cart.item_count,
            "updated_at": now,
        }
        if not await _SAVE_CART.ride(self.session, values):
            await upsert(self.session, CartRow.__table__, values, ["customer_id"])
        self._known[cart.customer_id] = lines
