"""`SqlAlchemyPromos`: promo codes, with each use claimed by one conditional UPDATE (never read-check-write).

Claiming runs `UPDATE promo_codes SET uses = uses + 1 WHERE code = :c AND NOT paused AND (max_uses IS NULL
OR uses < max_uses)` and checks one row matched: of two checkouts racing for the last use only one matches
(PostgreSQL re-checks the WHERE after the row lock; SQLite write transactions already run one at a time).
Giving a use back moves the order's use row from "used" to "returned" with `UPDATE ... RETURNING` first, so
two jobs expiring the same order cannot both give it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.money import Money
from domain.promo import PromoCode, PromoKind, PromoRefused, PromoReport, Refusal
from storage.database.dialect import rowcount
from storage.tables import OrderRow, PromoCodeRow, PromoUseRow

__all__ = ["SqlAlchemyPromos"]

_USED, _RETURNED = "used", "returned"
_NOT_EARNING = ("cancelled", "rejected", "payment_expired", "refunded", "returned")


def _promo(row: PromoCodeRow) -> PromoCode:
    scope = row.scope or {}
    return PromoCode(
        code=row.code,
        kind=PromoKind(row.kind),
        value=row.value,
        currency=row.currency,
        created_at=row.created_at,
        min_subtotal=row.min_subtotal_minor,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        max_uses=row.max_uses,
        per_customer=row.per_customer,
        skus=frozenset(scope.get("skus", ())),
        categories=frozenset(scope.get("categories", ())),
        paused=row.paused,
        uses=row.uses,
    )


def _values(promo: PromoCode) -> dict[str, Any]:
    return {
        "kind": promo.kind.value,
        "value": promo.value,
        "currency": promo.currency,
        "min_subtotal_minor": promo.min_subtotal,
        "starts_at": promo.starts_at,
        "ends_at": promo.ends_at,
        "max_uses": promo.max_uses,
        "per_customer": promo.per_customer,
        "scope": {"skus": sorted(promo.skus), "categories": sorted(promo.categories)},
        "paused": promo.paused,
        "created_at": promo.created_at,
    }


class SqlAlchemyPromos:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, promo: PromoCode) -> bool:
        """Insert a new code; False when the code exists already (nothing changed)."""
        if await self.session.get(PromoCodeRow, promo.code) is not None:
            return False
        await self.session.execute(insert(PromoCodeRow).values(code=promo.code, uses=0, **_values(promo)))
        return True

    async def get(self, code: str) -> PromoCode | None:
        row = await self.session.scalar(
            select(PromoCodeRow).where(PromoCodeRow.code == code).execution_options(populate_existing=True)
        )
        return _promo(row) if row is not None else None

    async def list(self) -> list[PromoCode]:
        rows = await self.session.scalars(select(PromoCodeRow).order_by(PromoCodeRow.created_at.desc()))
        return [_promo(row) for row in rows]

    async def set_paused(self, code: str, paused: bool) -> bool:
        result = await self.session.execute(
            update(PromoCodeRow).where(PromoCodeRow.code == code).values(paused=paused)
        )
        return rowcount(result) == 1

    async def uses_by(self, code: str, customer_id: int) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(PromoUseRow)
            .where(
                PromoUseRow.code == code, PromoUseRow.customer_id == customer_id, PromoUseRow.state == _USED
            )
        )
        return count or 0

    async def claim(
        self, promo: PromoCode, order_number: str, customer_id: int, discount: Money, now: datetime
    ) -> None:
        """Count one use of `promo` for this order, or raise `PromoRefused` (USED_UP, ALREADY_USED,
        EXPIRED when paused meanwhile) leaving the caller's unit of work to roll back."""
        claimed = await self.session.execute(
            update(PromoCodeRow)
            .where(
                PromoCodeRow.code == promo.code,
                PromoCodeRow.paused.is_(False),
                or_(PromoCodeRow.max_uses.is_(None), PromoCodeRow.uses < PromoCodeRow.max_uses),
            )
            .values(uses=PromoCodeRow.uses + 1)
        )
        if rowcount(claimed) != 1:
            paused = await self.session.scalar(
                select(PromoCodeRow.paused).where(PromoCodeRow.code == promo.code)
            )
            raise PromoRefused(promo.code, Refusal.EXPIRED if paused else Refusal.USED_UP)
        # Counted after the row lock above: a concurrent use by the same customer is committed by now.
        if (
            promo.per_customer is not None
            and await self.uses_by(promo.code, customer_id) >= promo.per_customer
        ):
            raise PromoRefused(promo.code, Refusal.ALREADY_USED)
        await self.session.execute(
            insert(PromoUseRow).values(
                code=promo.code,
                order_number=order_number,
                customer_id=customer_id,
                discount_minor=discount.amount_minor,
                state=_USED,
                at=now,
            )
        )

    async def give_back(self, order_number: str) -> None:
        """The order's use stops counting (it expired or was cancelled before payment); idempotent."""
        await self._move(order_number, _USED, _RETURNED, -1)

    async def take_again(self, order_number: str) -> None:
        """A late payment of an expired order: its use counts again (even past the limit: it was paid)."""
        await self._move(order_number, _RETURNED, _USED, +1)

    async def _move(self, order_number: str, old: str, new: str, step: int) -> None:
        moved = (
            await self.session.execute(
                update(PromoUseRow)
                .where(PromoUseRow.order_number == order_number, PromoUseRow.state == old)
                .values(state=new)
                .returning(PromoUseRow.code)
            )
        ).first()
        if moved is not None:
            await self.session.execute(
                update(PromoCodeRow)
                .where(PromoCodeRow.code == moved.code)
                .values(uses=PromoCodeRow.uses + step)
            )

    async def report(self, code: str, currency: str) -> PromoReport:
        """Uses still counted, the discount they got, and the revenue of those orders still earning."""
        row = (
            await self.session.execute(
                select(
                    func.count(PromoUseRow.id),
                    func.coalesce(func.sum(PromoUseRow.discount_minor), 0),
                    func.coalesce(func.sum(OrderRow.total_minor), 0),
                )
                .join(OrderRow, OrderRow.number == PromoUseRow.order_number)
                .where(
                    PromoUseRow.code == code,
                    PromoUseRow.state == _USED,
                    OrderRow.status.not_in(_NOT_EARNING),
                )
            )
        ).one()
        return PromoReport(code, int(row[0]), Money(int(row[1]), currency), Money(int(row[2]), currency))
