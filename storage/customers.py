"""`SqlAlchemyCustomers` and `SqlAlchemyCarts`."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.cart import Cart
from domain.customer import Address, Customer
from storage.dialect import rowcount, upsert
from storage.tables import CartRow, CustomerRow

__all__ = ["SqlAlchemyCustomers", "SqlAlchemyCarts", "address_to_json", "address_from_json"]


def address_to_json(address: Address) -> dict[str, str]:
    return dataclasses.asdict(address)


def address_from_json(data: dict[str, str]) -> Address:
    return Address(**data)


class SqlAlchemyCustomers:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, telegram_id: int) -> Customer | None:
        row = await self.session.scalar(select(CustomerRow).where(CustomerRow.telegram_id == telegram_id))
        if row is None:
            return None
        return Customer(
            telegram_id=row.telegram_id,
            display_name=row.display_name,
            language=row.language,
            phone=row.phone,
            addresses=[address_from_json(a) for a in row.addresses],
            unreachable=row.unreachable,
            cart_reminders=row.cart_reminders,
        )

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
        }
        await self.session.execute(upsert(self.session, CustomerRow.__table__, values, ["telegram_id"]))

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
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, customer_id: int) -> Cart:
        lines = await self.session.scalar(select(CartRow.lines).where(CartRow.customer_id == customer_id))
        return Cart(customer_id, {sku: qty for sku, qty in lines or []})

    async def save(self, cart: Cart, *, now: datetime) -> None:
        values = {
            "customer_id": cart.customer_id,
            "lines": [[sku, qty] for sku, qty in cart.lines.items()],
            "item_count": cart.item_count,
            "updated_at": now,
        }
        await self.session.execute(upsert(self.session, CartRow.__table__, values, ["customer_id"]))
