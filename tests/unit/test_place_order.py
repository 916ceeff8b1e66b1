from datetime import timedelta

import pytest

from domain.actor import Actor
from domain.catalog.products import Product
from domain.catalog.stock import StockLevel
from domain.clock import FixedClock
from domain.errors import InvalidInput, NotAllowed, OutOfStock
from domain.money import Money
from domain.order import DeliveryChoice
from domain.order_status import OrderStatus, PaymentMethod
from domain.services import change_status, order_for_customer, place_order
from tests.fakes.memory import FakeUnitOfWorkFactory

STANDARD = DeliveryChoice("standard", "Standard", Money(500, "USD"))


@pytest.fixture
async def shop():
    factory = FakeUnitOfWorkFactory()
    async with factory() as uow:
        await uow.products.add(Product("TEA-1", "Green tea", "tea", Money(450, "USD")))
        await uow.products.add(Product("CUP-1", "Cup", "teaware", Money(1200, "USD")))
        await uow.stocks.add(StockLevel("TEA-1", on_hand=5, safety=1))
        await uow.stocks.add(StockLevel("CUP-1", on_hand=1))
        await uow.commit()
    return factory


async def fill_cart(factory, customer_id, **lines):
    async with factory() as uow:
        cart = await uow.carts.get(customer_id)
        for sku, qty in lines.items():
            cart.add(sku.replace("_", "-"), qty)
        await uow.carts.save(cart, now=FixedClock().now())
        await uow.commit()


async def place(factory, customer_id, method=PaymentMethod.STRIPE, clock=None):
    clock = clock or FixedClock()
    async with factory() as uow:
        order, events = await place_order(
            uow,
            customer_id=customer_id,
            delivery=STANDARD,
            payment_method=method,
            address=None,
            now=clock.now(),
            reservation=timedelta(minutes=30),
        )
        await uow.commit()
    return order, events


async def test_placing_an_order_reserves_stock_and_empties_the_cart(shop):
    await fill_cart(shop, 7, TEA_1=2, CUP_1=1)
    order, _ = await place(shop, 7)
    assert order.total == Money(2 * 450 + 1200 + 500, "USD")
    assert shop.state.stocks["TEA-1"].reserved == 2
    assert shop.state.carts[7].is_empty
    assert shop.state.orders[order.number].status is OrderStatus.PLACED


async def test_second_buyer_of_last_unit_is_told_it_sold_out_and_keeps_their_cart(shop):
    await fill_cart(shop, 1, CUP_1=1)
    await fill_cart(shop, 2, CUP_1=1, TEA_1=1)
    await place(shop, 1)
    with pytest.raises(OutOfStock) as err:
        await place(shop, 2)
    assert (err.value.sku, err.value.available) == ("CUP-1", 0)
    assert shop.state.stocks["TEA-1"].reserved == 0  # all or nothing
    assert shop.state.carts[2].lines == {"CUP-1": 1, "TEA-1": 1}


async def test_later_price_changes_do_not_alter_a_placed_order(shop):
    await fill_cart(shop, 7, TEA_1=1)
    order, _ = await place(shop, 7)
    async with shop() as uow:
        product = await uow.products.get("TEA-1")
        product.price = Money(999, "USD")
        await uow.commit()
    assert shop.state.orders[order.number].lines[0].unit_price == Money(450, "USD")


async def test_an_empty_cart_cannot_be_checked_out(shop):
    with pytest.raises(InvalidInput):
        await place(shop, 9)
    assert shop.state.orders == {}


async def test_cancel_releases_and_ship_takes_from_on_hand(shop):
    await fill_cart(shop, 7, TEA_1=2)
    first, _ = await place(shop, 7)
    await fill_cart(shop, 7, TEA_1=1)
    second, _ = await place(shop, 7)
    clock = FixedClock()
    async with shop() as uow:
        await change_status(
            uow, await uow.orders.get(first.number), OrderStatus.CANCELLED, Actor.customer(7), clock.now()
        )
        order = await uow.orders.get(second.number)
        for status in (OrderStatus.PAID, OrderStatus.ACCEPTED, OrderStatus.PACKED, OrderStatus.SHIPPED):
            await change_status(uow, order, status, Actor.staff(1), clock.advance(minutes=1))
        await uow.commit()
    level = shop.state.stocks["TEA-1"]
    assert (level.on_hand, level.reserved) == (4, 0)


async def test_a_customer_cannot_open_another_customers_order(shop):
    await fill_cart(shop, 7, TEA_1=1)
    order, _ = await place(shop, 7)
    async with shop() as uow:
        with pytest.raises(NotAllowed):
            await order_for_customer(uow, order.number, 8)
        assert (await order_for_customer(uow, order.number, 7)).number == order.number


async def test_work_left_without_commit_is_rolled_back(shop):
    await fill_cart(shop, 7, TEA_1=1)
    async with shop() as uow:
        await place_order(
            uow,
            customer_id=7,
            delivery=STANDARD,
            payment_method=PaymentMethod.CASH,
            address=None,
            now=FixedClock().now(),
            reservation=timedelta(minutes=30),
        )
    assert shop.state.orders == {}
    assert shop.state.stocks["TEA-1"].reserved == 0
