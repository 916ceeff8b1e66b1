"""A customer's cart: lines of (sku, quantity) with limits; prices come from the catalog at display time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.errors import CartLimitExceeded, InvalidInput
from domain.money import Money

__all__ = ["Cart", "MAX_LINE_QTY", "MAX_LINES"]

MAX_LINE_QTY = 99
MAX_LINES = 50


def _check_qty(qty: int) -> int:
    if not isinstance(qty, int) or isinstance(qty, bool):
        raise InvalidInput("quantity must be a whole number", "quantity")
    if qty < 1 or qty > MAX_LINE_QTY:
        raise InvalidInput(f"quantity must be between 1 and {MAX_LINE_QTY}", "quantity")
    return qty


@dataclass(slots=True)
class Cart:
    customer_id: int
    lines: dict[str, int] = field(default_factory=dict)  # sku -> quantity, insertion ordered
    seen_prices: dict[str, int] = field(default_factory=dict)  # sku -> price (minor units) when added

    def price_change(self, sku: str, price_minor: int) -> int | None:
        """The price the customer saw when adding `sku`, when it is no longer `price_minor`."""
        seen = self.seen_prices.get(sku)
        return seen if seen is not None and seen != price_minor else None

    def quantity(self, sku: str) -> int:
        return self.lines.get(sku, 0)

    def add(self, sku: str, qty: int = 1, *, price_minor: int | None = None) -> int:
        """Add `qty` of `sku`; `price_minor` is the price the customer was shown (a later change is noted)."""
        _check_qty(qty)
        if sku not in self.lines and len(self.lines) >= MAX_LINES:
            raise CartLimitExceeded(f"a cart holds at most {MAX_LINES} different products")
        new_qty = self.lines.get(sku, 0) + qty
        if new_qty > MAX_LINE_QTY:
            raise CartLimitExceeded(f"at most {MAX_LINE_QTY} of one product per order")
        self.lines[sku] = new_qty
        if price_minor is not None:
            self.seen_prices[sku] = price_minor
        return new_qty

    def set_quantity(self, sku: str, qty: int) -> None:
        if qty == 0:
            self.remove(sku)
            return
        _check_qty(qty)
        if sku not in self.lines and len(self.lines) >= MAX_LINES:
            raise CartLimitExceeded(f"a cart holds at most {MAX_LINES} different products")
        self.lines[sku] = qty

    def remove(self, sku: str) -> None:
        self.lines.pop(sku, None)
        self.seen_prices.pop(sku, None)

    def clear(self) -> None:
        self.lines.clear()
        self.seen_prices.clear()

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def item_count(self) -> int:
        return sum(self.lines.values())

    def subtotal(self, prices: Mapping[str, Money], currency: str) -> Money:
        total = Money.zero(currency)
        for sku, qty in self.lines.items():
            total = total + prices[sku] * qty
        return total
