"""Apply a parsed catalog file to the database (upsert by sku, all or nothing) and read it back out."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain.actor import Actor
from domain.catalog.products import Category, Product
from domain.catalog.stock import StockLevel
from domain.ports import StockAudit
from storage.catalog.csv_format import CatalogErrors, CatalogRow, category_slug
from storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = ["ImportSummary", "import_catalog", "export_catalog"]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    created: int
    updated: int
    new_categories: int


async def import_catalog(
    uow: SqlAlchemyUnitOfWork,
    rows: list[CatalogRow],
    *,
    actor: Actor,
    now: datetime,
    progress: Callable[[], None] | None = None,
) -> ImportSummary:
    """Upsert every row; the caller commits. Raises `CatalogErrors` (before changing anything) when a row
    would set stock below what orders have reserved. Existing products keep their active flag."""
    levels = await uow.stocks.get_many(row.sku for row in rows)
    errors = [
        f"line {row.line}: {row.sku} has {levels[row.sku].reserved} units reserved by orders; "
        f"stock cannot be set to {row.stock}"
        for row in rows
        if row.sku in levels and row.stock < levels[row.sku].reserved
    ]
    if errors:
        raise CatalogErrors(errors)
    categories = {c.slug: c for c in await uow.categories.list()}
    products = {p.sku: p for p in await uow.products.list_all()}
    next_position = max((c.position for c in categories.values()), default=-1) + 1
    new_categories = 0
    for row in rows:
        slug = category_slug(row.category)
        if slug not in categories:
            categories[slug] = Category(slug, row.category, next_position, row.category_zh)
            await uow.categories.add(categories[slug])
            next_position += 1
            new_categories += 1
        elif row.category_zh and categories[slug].name_zh != row.category_zh:
            categories[slug] = dataclasses.replace(categories[slug], name_zh=row.category_zh)
            await uow.categories.add(categories[slug])
        existing = products.get(row.sku)
        product = Product(
            row.sku,
            row.name,
            slug,
            row.price,
            row.description,
            row.photo,
            active=existing.active if existing else True,
            name_zh=row.name_zh,
            description_zh=row.description_zh,
            more_photos=row.more_photos,
        )
        await uow.products.add(product)
        await _set_stock(uow, levels.get(row.sku), row, actor, now)
        if progress:
            progress()
    created = sum(1 for row in rows if row.sku not in products)
    return ImportSummary(created, len(rows) - created, new_categories)


async def _set_stock(
    uow: SqlAlchemyUnitOfWork, level: StockLevel | None, row: CatalogRow, actor: Actor, now: datetime
) -> None:
    if level is None:
        await uow.stocks.add(StockLevel(row.sku, on_hand=row.stock, safety=row.safety_stock))
        return
    changes = []
    if level.on_hand != row.stock:
        level.set_on_hand(row.stock)
        changes.append(f"set {row.stock}")
    if level.safety != row.safety_stock:
        level.set_safety(row.safety_stock)
        changes.append(f"safety {row.safety_stock}")
    if changes:
        change = "import: " + ", ".join(changes)
        await uow.stocks.save(level, StockAudit(row.sku, actor, now, change))


async def export_catalog(uow: SqlAlchemyUnitOfWork) -> list[CatalogRow]:
    """Every product, by sku, in the import format (line numbers count from the first data line)."""
    categories = {c.slug: c for c in await uow.categories.list()}
    products = await uow.products.list_all()
    levels = await uow.stocks.get_many(p.sku for p in products)
    rows = []
    for line, product in enumerate(products, start=2):
        level = levels.get(product.sku) or StockLevel(product.sku)
        rows.append(
            CatalogRow(
                line,
                product.sku,
                product.name,
                categories[product.category].name if product.category in categories else product.category,
                product.price,
                level.on_hand,
                level.safety,
                product.description,
                product.photo,
                product.name_zh,
                product.description_zh,
                categories[product.category].name_zh if product.category in categories else "",
                product.more_photos,
            )
        )
    return rows
