"""Stock per product and the rules that move it.

Placing an order reserves; payment commits the reservation (it no longer expires); shipping takes the
units from on hand; cancel or expiry releases them. Low stock fires once when available drops below the
safety stock and is re-armed when available rises to it or above.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import InvalidInput, OutOfStock
from domain.events import DomainEvent, StockLow

__all__ = ["StockLevel", "ReservationState", "MAX_STOCK", "validate_quantity"]

MAX_STOCK = 1_000_000


class ReservationState(StrEnum):
    HELD = "held"  # placed, unpaid: expires
    COMMITTED = "committed"  # paid (or cash on delivery accepted): kept until shipped
    RELEASED = "released"  # cancelled / expired: units back to available
    SHIPPED = "shipped"  # taken from on hand

    @property
    def live(self) -> bool:
        return self in (ReservationState.HELD, ReservationState.COMMITTED)


def validate_quantity(qty: int, *, allow_zero: bool = True, field_name: str = "quantity") -> int:
    if not isinstance(qty, int) or isinstance(qty, bool):
        raise InvalidInput(f"{field_name} must be a whole number", field_name)
    if qty < 0 or (qty == 0 and not allow_zero):
        raise InvalidInput(f"{field_name} must be {'0 or more' if allow_zero else 'at least 1'}", field_name)
    if qty > MAX_STOCK:
        raise InvalidInput(f"{field_name} above {MAX_STOCK:,} is not plausible", field_name)
    return qty


@dataclass(slots=True)
class StockLevel:
    sku: str
    on_hand: int = 0
    reserved: int = 0
    safety: int = 0
    low_alert_armed: bool = True
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def is_low(self) -> bool:
        return self.available < self.safety

    def reserve(self, qty: int) -> None:
        validate_quantity(qty, allow_zero=False)
        if qty > self.available:
            raise OutOfStock(self.sku, qty, max(self.available, 0))
        self.reserved += qty
        self.check_low()

    def release(self, qty: int) -> None:
        self.reserved = max(self.reserved - qty, 0)
        self.check_low()

    def take_shipped(self, qty: int) -> None:
        """Units of a committed reservation leave the warehouse."""
        self.reserved = max(self.reserved - qty, 0)
        self.on_hand = max(self.on_hand - qty, 0)
        self.check_low()

    def restock(self, qty: int) -> None:
        validate_quantity(qty, allow_zero=False)
        self.set_on_hand(self.on_hand + qty)

    def set_on_hand(self, qty: int) -> None:
        validate_quantity(qty)
        if qty < self.reserved:
            raise InvalidInput(
                f"{self.sku}: {self.reserved} units are reserved by orders; on hand cannot go below that",
                "quantity",
            )
        self.on_hand = qty
        self.check_low()

    def set_safety(self, qty: int) -> None:
        self.safety = validate_quantity(qty, field_name="safety stock")
        self.check_low()

    def check_low(self) -> None:
        """Apply the once-per-dip low-stock rule, recording `StockLow` when it fires."""
        if self.is_low and self.low_alert_armed:
            self.low_alert_armed = False
            self.events.append(StockLow(self.sku, self.available, self.safety))
        elif not self.is_low and not self.low_alert_armed:
            self.low_alert_armed = True
