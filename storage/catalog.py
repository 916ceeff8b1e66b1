"""`SqlAlchemyCategories` and `SqlAlchemyProducts`: the catalog ports over the categories/products tables."""

from __future__ import annotations

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.actor import Actor
from domain.catalog import Category, Product
from domain.catalog_changes import ProductChange
from domain.money import Money
from storage.dialect import upsert
from storage.tables import CategoryRow, OrderLineRow, ProductChangeRow, ProductRow, StockRow

__all__ = ["SqlAlchemyCategories", "SqlAlchemyProducts", "SqlAlchemyProductChanges"]


def _product(row: ProductRow) -> Product:
    return Product(
        sku=row.sku,
        name=row.name,
        category=row.category,
        price=Money(row.price_minor, row.currency),
        description=row.description,
        photo=row.photo,
        active=row.active,
        more_photos=tuple(p for p in (row.more_photos or "").split("\n") if p),
    )


class SqlAlchemyCategories:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, category: Category) -> None:
        """Insert, or rename/move the category with the same slug."""
        values = {"slug": category.slug, "name": category.name, "position": category.position}
        await self.session.execute(upsert(self.session, CategoryRow.__table__, values, ["slug"]))

    async def list(self) -> list[Category]:
        rows = await self.session.scalars(
            select(CategoryRow).order_by(CategoryRow.position, CategoryRow.name)
        )
        return [Category(row.slug, row.name, row.position) for row in rows]


class SqlAlchemyProducts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, product: Product) -> None:
        """Insert, or replace the product with the same sku."""
        values = {
            "sku": product.sku,
            "name": product.name,
            "category": product.category,
            "price_minor": product.price.amount_minor,
            "currency": product.price.currency,
            "description": product.description,
            "photo": product.photo,
            "active": product.active,
            "more_photos": "\n".join(product.more_photos),
        }
        await self.session.execute(upsert(self.session, ProductRow.__table__, values, ["sku"]))

    async def get(self, sku: str) -> Product | None:
        row = await self.session.scalar(select(ProductRow).where(ProductRow.sku == sku))
        return _product(row) if row else None

    async def list_by_category(
        self, category: str, *, offset: int = 0, limit: int = 10, include_inactive: bool = False
    ) -> tuple[list[Product], int]:
        where = [ProductRow.category == category]
        if not include_inactive:
            where.append(ProductRow.active.is_(True))
        total = await self.session.scalar(select(func.count()).select_from(ProductRow).where(*where))
        rows = await self.session.scalars(
            select(ProductRow).where(*where).order_by(ProductRow.name).offset(offset).limit(limit)
        )
        return [_product(row) for row in rows], total or 0

    async def search(self, text: str, *, limit: int = 10, include_inactive: bool = False) -> list[Product]:
        needle = text.strip().lower()
        if not needle:
            return []
        where = [func.lower(ProductRow.name).contains(needle, autoescape=True)]
        if include_inactive:  # staff also find a product by its sku
            where = [where[0] | (func.lower(ProductRow.sku) == needle)]
        else:
            where.append(ProductRow.active.is_(True))
        rows = await self.session.scalars(
            select(ProductRow).where(*where).order_by(ProductRow.name).limit(limit)
        )
        return [_product(row) for row in rows]

    async def ordered(self, sku: str) -> bool:
        """True when any order has a line of this product (it can then only be disabled)."""
        return bool(await self.session.scalar(select(exists().where(OrderLineRow.sku == sku))))

    async def delete(self, sku: str) -> None:
        """Remove a product no order references, with its stock level."""
        await self.session.execute(delete(StockRow).where(StockRow.sku == sku))
        await self.session.execute(delete(ProductRow).where(ProductRow.sku == sku))

    async def list_all(self) -> list[Product]:
        rows = await self.session.scalars(select(ProductRow).order_by(ProductRow.sku))
        return [_product(row) for row in rows]


class SqlAlchemyProductChanges:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, change: ProductChange) -> None:
        row = ProductChangeRow(
            sku=change.sku,
            actor=str(change.actor),
            at=change.at,
            field=change.field,
            old=change.old,
            new=change.new,
        )
        self.session.add(row)
        await self.session.flush()

    async def latest(self, sku: str, *, limit: int = 5) -> list[ProductChange]:
        """The product's most recent changes, newest first."""
        rows = await self.session.scalars(
            select(ProductChangeRow)
            .where(ProductChangeRow.sku == sku)
            .order_by(ProductChangeRow.id.desc())
            .limit(limit)
        )
        return [
            ProductChange(row.sku, Actor.parse(row.actor), row.at, row.field, row.old, row.new)
            for row in rows
        ]
