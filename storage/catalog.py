"""`SqlAlchemyCategories` and `SqlAlchemyProducts`: the catalog ports over the categories/products tables."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.catalog import Category, Product
from domain.money import Money
from storage.dialect import upsert
from storage.tables import CategoryRow, ProductRow

__all__ = ["SqlAlchemyCategories", "SqlAlchemyProducts"]


def _product(row: ProductRow) -> Product:
    return Product(
        sku=row.sku,
        name=row.name,
        category=row.category,
        price=Money(row.price_minor, row.currency),
        description=row.description,
        photo=row.photo,
        active=row.active,
        name_zh=row.name_zh,
        description_zh=row.description_zh,
    )


class SqlAlchemyCategories:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, category: Category) -> None:
        """Insert, or rename/move the category with the same slug."""
        values = {
            "slug": category.slug,
            "name": category.name,
            "position": category.position,
            "name_zh": category.name_zh,
        }
        await self.session.execute(upsert(self.session, CategoryRow.__table__, values, ["slug"]))

    async def list(self) -> list[Category]:
        rows = await self.session.scalars(
            select(CategoryRow).order_by(CategoryRow.position, CategoryRow.name)
        )
        return [Category(row.slug, row.name, row.position, row.name_zh) for row in rows]


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
            "name_zh": product.name_zh,
            "description_zh": product.description_zh,
        }
        await self.session.execute(upsert(self.session, ProductRow.__table__, values, ["sku"]))

    async def get(self, sku: str) -> Product | None:
        row = await self.session.scalar(select(ProductRow).where(ProductRow.sku == sku))
        return _product(row) if row else None

    async def list_by_category(
        self, category: str, *, offset: int = 0, limit: int = 10
    ) -> tuple[list[Product], int]:
        where = (ProductRow.category == category, ProductRow.active.is_(True))
        total = await self.session.scalar(select(func.count()).select_from(ProductRow).where(*where))
        rows = await self.session.scalars(
            select(ProductRow).where(*where).order_by(ProductRow.name).offset(offset).limit(limit)
        )
        return [_product(row) for row in rows], total or 0

    async def search(self, text: str, *, limit: int = 10) -> list[Product]:
        """Active products where every word of `text` is part of the name, the Chinese name or the sku,
        whatever the case ("jasm pearl", "茉莉", "tea-jas")."""
        words = text.lower().split()[:8]
        if not words:
            return []
        fields = (func.lower(ProductRow.name), ProductRow.name_zh, func.lower(ProductRow.sku))
        each_word = [or_(*(f.contains(word, autoescape=True) for f in fields)) for word in words]
        rows = await self.session.scalars(
            select(ProductRow)
            .where(ProductRow.active.is_(True), *each_word)
            .order_by(ProductRow.name)
            .limit(limit)
        )
        return [_product(row) for row in rows]

    async def list_all(self) -> list[Product]:
        rows = await self.session.scalars(select(ProductRow).order_by(ProductRow.sku))
        return [_product(row) for row in rows]
