"""`SqlAlchemyShopMessages`: customers' messages to the shop, the shop's answers and staff order notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.conversation import Direction, ShopMessage
from storage.tables import ShopMessageRow

__all__ = ["SqlAlchemyShopMessages"]


def _message(row: ShopMessageRow) -> ShopMessage:
    return ShopMessage(
        customer_id=row.customer_id,
        direction=Direction(row.direction),
        text=row.text,
        at=row.at,
        order_number=row.order_number,
        photo=row.photo,
        staff_id=row.staff_id,
        merchant_message_id=row.merchant_message_id,
        id=row.id,
    )


class SqlAlchemyShopMessages:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, message: ShopMessage) -> int:
        """Store `message`; its new id (also set on it)."""
        row = ShopMessageRow(
            customer_id=message.customer_id,
            direction=str(message.direction),
            text=message.text,
            at=message.at,
            order_number=message.order_number,
            photo=message.photo,
            staff_id=message.staff_id,
            merchant_message_id=message.merchant_message_id,
        )
        self.session.add(row)
        await self.session.flush()
        message.id = row.id
        return row.id

    async def get(self, message_id: int) -> ShopMessage | None:
        row = await self.session.get(ShopMessageRow, message_id)
        return _message(row) if row else None

    async def relayed_as(self, merchant_message_id: int) -> ShopMessage | None:
        """The customer message whose copy in the merchant chat has this Telegram message id."""
        row = await self.session.scalar(
            select(ShopMessageRow)
            .where(ShopMessageRow.merchant_message_id == merchant_message_id)
            .order_by(ShopMessageRow.id.desc())
            .limit(1)
        )
        return _message(row) if row else None

    async def remember_relay(self, message_id: int, merchant_message_id: int) -> None:
        await self.session.execute(
            update(ShopMessageRow)
            .where(ShopMessageRow.id == message_id)
            .values(merchant_message_id=merchant_message_id)
        )

    async def for_order(self, order_number: str, *, limit: int = 20) -> list[ShopMessage]:
        """The order's thread and notes, oldest first (the latest `limit`)."""
        rows = await self.session.scalars(
            select(ShopMessageRow)
            .where(ShopMessageRow.order_number == order_number)
            .order_by(ShopMessageRow.id.desc())
            .limit(limit)
        )
        return [_message(row) for row in reversed(list(rows))]

    async def count_for_order(self, order_number: str) -> int:
        """Messages between the customer and the shop about this order (notes not counted)."""
        total = await self.session.scalar(
            select(func.count())
            .select_from(ShopMessageRow)
            .where(
                ShopMessageRow.order_number == order_number,
                ShopMessageRow.direction != str(Direction.STAFF_NOTE),
            )
        )
        return total or 0

    async def sent_by_customer_since(self, customer_id: int, since: datetime) -> int:
        total = await self.session.scalar(
            select(func.count())
            .select_from(ShopMessageRow)
            .where(
                ShopMessageRow.customer_id == customer_id,
                ShopMessageRow.direction == str(Direction.FROM_CUSTOMER),
                ShopMessageRow.at > since,
            )
        )
        return total or 0
