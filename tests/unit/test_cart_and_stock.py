import pytest

from domain.cart import MAX_LINE_QTY, MAX_LINES, Cart
from domain.catalog.stock import StockLevel
from domain.errors import CartLimitExceeded, InvalidInput, OutOfStock
from domain.events import StockLow
from domain.money import Money


def test_adding_the_same_product_twice_adds_up():
    cart = Cart(1)
    cart.add("TEA-1", 2)
    cart.add("TEA-1", 3)
    assert cart.lines == {"TEA-1": 5}
    assert cart.item_count == 5


@pytest.mark.parametrize("qty", [0, -1, MAX_LINE_QTY + 1, 2.5, True])
def test_quantities_outside_one_to_ninety_nine_are_refused(qty):
    cart = Cart(1)
    with pytest.raises((InvalidInput, CartLimitExceeded)):
        cart.add("TEA-1", qty)
    assert cart.is_empty


def test_a_line_cannot_grow_past_ninety_nine():
    cart = Cart(1)
    cart.add("TEA-1", 98)
    with pytest.raises(CartLimitExceeded):
        cart.add("TEA-1", 2)
    assert cart.quantity("TEA-1") == 98


def test_a_cart_holds_at_most_fifty_products():
    cart = Cart(1)
    for i in range(MAX_LINES):
        cart.add(f"SKU-{i}")
    with pytest.raises(CartLimitExceeded):
        cart.add("ONE-MORE")
    assert len(cart.lines) == MAX_LINES


def test_setting_a_quantity_to_zero_removes_the_line():
    cart = Cart(1, {"A1": 2, "B1": 1})
    cart.set_quantity("A1", 0)
    assert cart.lines == {"B1": 1}


def test_subtotal_uses_given_prices():
    cart = Cart(1, {"A1": 2, "B1": 1})
    prices = {"A1": Money(450, "USD"), "B1": Money(1999, "USD")}
    assert cart.subtotal(prices, "USD") == Money(2899, "USD")


def test_available_is_on_hand_minus_reserved_and_overselling_is_refused():
    level = StockLevel("TEA-1", on_hand=5, reserved=3)
    assert level.available == 2
    with pytest.raises(OutOfStock) as err:
        level.reserve(3)
    assert err.value.available == 2
    assert level.reserved == 3


def test_low_stock_fires_once_per_dip_and_rearms_after_restock():
    level = StockLevel("TEA-1", on_hand=10, safety=3)
    level.reserve(7)  # available 3: not below safety
    assert level.events == []
    level.reserve(1)  # available 2 < 3
    level.reserve(1)  # still low: no second alert
    assert level.events == [StockLow("TEA-1", 2, 3)]
    level.restock(5)  # available 6: re-armed
    assert level.low_alert_armed
    level.reserve(5)
    assert level.events[-1] == StockLow("TEA-1", 1, 3)
    assert len(level.events) == 2


def test_shipping_takes_units_from_on_hand_and_release_returns_them():
    level = StockLevel("TEA-1", on_hand=10)
    level.reserve(4)
    level.take_shipped(3)
    assert (level.on_hand, level.reserved, level.available) == (7, 1, 6)
    level.release(1)
    assert (level.on_hand, level.reserved) == (7, 0)


@pytest.mark.parametrize("qty", [-1, 10**9, "5"])
def test_absurd_stock_numbers_are_refused(qty):
    level = StockLevel("TEA-1", on_hand=5)
    with pytest.raises(InvalidInput):
        level.set_on_hand(qty)
    assert level.on_hand == 5


def test_on_hand_cannot_be_set_below_what_orders_reserved():
    level = StockLevel("TEA-1", on_hand=5, reserved=4)
    with pytest.raises(InvalidInput):
        level.set_on_hand(3)
