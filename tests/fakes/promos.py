"""`FakePromos`: promo codes in memory, with the storage rules (a use claimed only while one is left,
given back once)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from domain.money import Money
from domain.order_status import OrderStatus
from domain.promo import PromoCode, PromoRefused, PromoReport, Refusal

_NOT_EARNING = {
    OrderStatus.CANCELLED,
    OrderStatus.REJECTED,
    OrderStatus.PAYMENT_EXPIRED,
    OrderStatus.REFUNDED,
    OrderStatus.RETURNED,
}


@dataclass
class PromoUse:
    code: str
    order_number: str
    customer_id: int
    discount_minor: int
    used: bool = True


class FakePromos:
    def __init__(self, state) -> None:  # noqa: ANN001 - tests.fakes.memory.MemoryState
        self.s = state

    async def add(self, promo: PromoCode) -> bool:
        if promo.code in self.s.promos:
            return False
        self.s.promos[promo.code] = dataclasses.replace(promo, uses=0)
        return True

    async def get(self, code: str) -> PromoCode | None:
        promo = self.s.promos.get(code)
        return dataclasses.replace(promo) if promo else None

    async def list(self) -> list[PromoCode]:
        return sorted(self.s.promos.values(), key=lambda p: p.created_at, reverse=True)

    async def set_paused(self, code: str, paused: bool) -> bool:
        if code not in self.s.promos:
            return False
        self.s.promos[code].paused = paused
        return True

    async def uses_by(self, code: str, customer_id: int) -> int:
        return sum(u.used and u.code == code and u.customer_id == customer_id for u in self.s.promo_uses)

    async def claim(
        self, promo: PromoCode, order_number: str, customer_id: int, discount: Money, now: datetime
    ) -> None:
        stored = self.s.promos[promo.code]
        if stored.paused:
            raise PromoRefused(promo.code, Refusal.EXPIRED)
        if stored.max_uses is not None and stored.uses >= stored.max_uses:
            raise PromoRefused(promo.code, Refusal.USED_UP)
        if (
            promo.per_customer is not None
            and await self.uses_by(promo.code, customer_id) >= promo.per_customer
        ):
            raise PromoRefused(promo.code, Refusal.ALREADY_USED)
        stored.uses += 1
        self.s.promo_uses.append(PromoUse(promo.code, order_number, customer_id, discount.amount_minor))

    async def give_back(self, order_number: str) -> None:
        await self._move(order_number, used=False)

    async def take_again(self, order_number: str) -> None:
        await self._move(order_number, used=True)

    async def _move(self, order_number: str, *, used: bool) -> None:
        for use in self.s.promo_uses:
            if use.order_number == order_number and use.used != used:
                use.used = used
                self.s.promos[use.code].uses += 1 if used else -1

    async def report(self, code: str, currency: str) -> PromoReport:
        counted = [u for u in self.s.promo_uses if u.code == code and u.used]
        earning = [u for u in counted if self.s.orders[u.order_number].status not in _NOT_EARNING]
        discount = sum(u.discount_minor for u in earning)
        revenue = sum(self.s.orders[u.order_number].total.amount_minor for u in earning)
        return PromoReport(code, len(earning), Money(discount, currency), Money(revenue, currency))
