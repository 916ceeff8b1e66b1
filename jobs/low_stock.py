"""Low-stock alerts: one per dip below the safety stock, none again until restocked to it or above.

The once-per-dip rule is `StockLevel.check_low` (the armed flag). Code that changes stock turns the
`StockLow` events it gets back into alerts with `alerts_for` in the same unit of work; this job sweeps
for low levels still armed (e.g. alerts never enqueued) so no dip goes unannounced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.actor import Actor
from domain.clock import Clock
from domain.events import DomainEvent, StockLow
from domain.ports import StockAudit, UnitOfWork, UnitOfWorkFactory
from handlers.kernel import outbox
from jobs.notices import low_stock_alert

__all__ = ["LowStockAlerts", "alerts_for"]

_PAGE = 100


async def alerts_for(
    uow: UnitOfWork, events: Iterable[DomainEvent], chat_id: int | None, now: datetime
) -> int:
    """Enqueue a merchant alert for each `StockLow` event; returns how many."""
    count = 0
    for event in events:
        if isinstance(event, StockLow) and chat_id is not None:
            product = await uow.products.get(event.sku)
            level = await uow.stocks.get(event.sku)
            if level is None:
                continue
            name = product.name if product else event.sku
            await outbox.write(uow, low_stock_alert(level, name, chat_id, now))
            count += 1
    return count


@dataclass
class LowStockAlerts:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    merchant_chat_id: int | None

    async def run(self) -> int:
        if self.merchant_chat_id is None:
            return 0
        async with self.uow_factory() as uow:
            now = self.clock.now()
            sent = 0
            offset = 0
            while True:
                levels, _ = await uow.stocks.list_levels(offset=offset, limit=_PAGE)
                low = [level for level in levels if level.is_low]
                for level in low:
                    if not level.low_alert_armed:
                        continue
                    level.check_low()
                    events, level.events = list(level.events), []
                    sent += await alerts_for(uow, events, self.merchant_chat_id, now)
                    audit = StockAudit(level.sku, Actor.system("low_stock"), now, "low-stock alert")
                    await uow.stocks.save(level, audit)
                if len(low) < len(levels) or len(levels) < _PAGE:  # low levels come first
                    break
                offset += _PAGE
            await uow.commit()
        return sent
