"""An order line keeps the product's names as they were when the order was placed, English and Chinese, on
SQLite and PostgreSQL: renaming the product later does not rewrite the customer's receipts and orders."""

from __future__ import annotations

import dataclasses

from domain.catalog.products import Category, Product
from domain.catalog.stock import StockLevel
from domain.money import Money
from tests.shops.storage import place


async def test_an_order_line_keeps_the_chinese_name_it_was_placed_with(uow_factory):
    jasmine = Product("TEA-JAS", "Jasmine Pearls", "tea", Money(1290, "USD"), name_zh="茉莉龙珠")
    async with uow_factory() as uow:
        await uow.categories.add(Category("tea", "Tea", name_zh="茶叶"))
        await uow.products.add(jasmine)
        await uow.products.add(Product("TEA-GRN", "Green tea", "tea", Money(900, "USD")))
        for sku in ("TEA-JAS", "TEA-GRN"):
            await uow.stocks.add(StockLevel(sku, on_hand=10))
        await uow.commit()
    placed = await place(uow_factory, 8, {"TEA-JAS": 2, "TEA-GRN": 1})

    async with uow_factory() as uow:  # the shop renames the tea afterwards
        await uow.products.add(dataclasses.replace(jasmine, name="Jasmine Dragon", name_zh="茉莉银针"))
        await uow.commit()
    async with uow_factory(write=False) as uow:
        stored = await uow.orders.get(placed.number)
    assert stored is not None
    assert [(line.display_name("zh"), line.display_name("en")) for line in stored.lines] == [
        ("茉莉龙珠", "Jasmine Pearls"),
        ("Green tea", "Green tea"),  # no Chinese name: the English one for everyone
    ]
