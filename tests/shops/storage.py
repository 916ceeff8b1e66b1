"""Small builders shared by the storage integration tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.cart import Cart
from domain.catalog.products import Category, Product
from domain.catalog.stock import StockLevel
from domain.customer import Address
from domain.money import Money
from domain.order import DeliveryChoice, Order
from domain.order_status import PaymentMethod
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.services import place_order

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RESERVATION = timedelta(minutes=30)
STANDARD = DeliveryChoice("standard", "Standard (3-5 days)", Money(500, "USD"))
ADDRESS = Address("Ada Lovelace", "+44 20 7946 0958", "GB", "London", "12 St James's Square", "SW1Y 4JH")


async def stock_product(
    uow: UnitOfWork, sku: str = "TEA-1", *, on_hand: int = 50, safety: int = 0, price: int = 1850
) -> Product:
    await uow.categories.add(Category("tea", "Tea"))
    product = Product(sku, f"Tea {sku}", "tea", Money(price, "USD"), "A fine tea")
    await uow.products.add(product)
    await uow.stocks.add(StockLevel(sku, on_hand=on_hand, safety=safety))
    return product


async def stocked(uow_factory: UnitOfWorkFactory, *levels: tuple[str, int, int]) -> None:
    """Commit products with stock: `stocked(f, ("A", 10, 2))` = sku A, 10 on hand, safety stock 2."""
    async with uow_factory() as uow:
        for sku, on_hand, safety in levels:
            await stock_product(uow, sku, on_hand=on_hand, safety=safety)
        await uow.commit()


async def fill_cart(uow: UnitOfWork, customer_id: int, lines: dict[str, int]) -> None:
    await uow.carts.save(Cart(customer_id, dict(lines)), now=NOW)


async def checkout(uow: UnitOfWork, customer_id: int, **kwargs: object) -> Order:
    order, _ = await place_order(
        uow,
        customer_id=customer_id,
        delivery=STANDARD,
        payment_method=kwargs.pop("payment_method", PaymentMethod.STRIPE),  # type: ignore[arg-type]
        address=ADDRESS,
        now=NOW,
        reservation=RESERVATION,
        **kwargs,  # type: ignore[arg-type]
    )
    return order


async def place(uow_factory: UnitOfWorkFactory, customer_id: int, lines: dict[str, int]) -> Order:
    """A committed order of `lines` (sku -> quantity) for `customer_id`; the products must be stocked."""
    async with uow_factory() as uow:
        await fill_cart(uow, customer_id, lines)
        order = await checkout(uow, customer_id)
        await uow.commit()
    return order


async def logged_on_postgresql(engine: AsyncEngine) -> list[str]:
    """The first word of each statement asyncpg sends on the pool's connection (`engine` made with
    `pool_size=1`, so every session gets that one), appended soon after it is sent (asyncpg calls its query
    loggers with `call_soon`). The write that begins a transaction goes through SQLAlchemy's cursor, a
    prepared statement of asyncpg's that the logger does not see."""
    sent: list[str] = []
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        driver.add_query_logger(lambda record: sent.append(record.query.split()[0].upper()))
    return sent
