"""`SqlAlchemyCategories` and `SqlAlchemyProducts`: the catalog ports over the categories/products tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.actor import Actor
from domain.catalog.changes import ProductChange
from domain.catalog.products import Category, Product
from domain.catalog.stock import StockLevel
from domain.money import Money
from storage.catalog.cache import CatalogCache
from storage.database.dialect import upsert
from storage.database.prepared import Prepared
from storage.stocks import STOCK_COLUMNS, stock_level
from storage.tables import CategoryRow, OrderLineRow, ProductChangeRow, ProductRow, StockRow

__all__ = ["SqlAlchemyCategories", "SqlAlchemyProducts", "SqlAlchemyProductChanges"]


_PRODUCT = tuple(ProductRow.__table__.c)  # plain columns: rows, no ORM identity map on the hot path
_PRODUCT_BY_SKU = Prepared(select(*_PRODUCT).where(ProductRow.sku == bindparam("sku")))
_STOCK = tuple(column.label(f"stock_{column.key}") for column in STOCK_COLUMNS)
_PRODUCT_WITH_STOCK = Prepared(  # every product card
    select(*_PRODUCT, *_STOCK)
    .outerjoin(StockRow, StockRow.sku == ProductRow.sku)
    .where(ProductRow.sku == bindparam("sku"))
)
_CATEGORIES = Prepared(
    select(CategoryRow.slug, CategoryRow.name, CategoryRow.position, CategoryRow.name_zh).order_by(
        CategoryRow.position, CategoryRow.name
    )
)
_PAGE = Prepared(  # one statement: a page of the category and the category's size
    select(*_PRODUCT, func.count().over().label("total"))
    .where(ProductRow.category == bindparam("category"))
    .order_by(ProductRow.name)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_ACTIVE_PAGE = Prepared(_PAGE.statement.where(ProductRow.active.is_(True)))


def _product(row: Any) -> Product:
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
        more_photos=tuple(p for p in (row.more_photos or "").split("\n") if p),
    )


class SqlAlchemyCategories:
    def __init__(self, session: AsyncSession, cache: CatalogCache | None = None) -> None:
        self.session = session
        self._cache = cache or CatalogCache(seconds=0)
        self.changed = False  # the unit of work clears the cache when it commits a change

    async def add(self, category: Category) -> None:
        """Insert, or rename/move the category with the same slug."""
        values = {
            "slug": category.slug,
            "name": category.name,
            "position": category.position,
            "name_zh": category.name_zh,
        }
        await upsert(self.session, CategoryRow.__table__, values, ["slug"])
        self.changed = True

    async def list(self) -> list[Category]:
        cached = self._cache.get("categories")
        if cached is None:
            rows = await _CATEGORIES.rows(self.session, {})
            cached = tuple(Category(row.slug, row.name, row.position, row.name_zh) for row in rows)
            self._cache.put("categories", cached)
        return list(cached)


class SqlAlchemyProducts:
    def __init__(self, session: AsyncSession, cache: CatalogCache | None = None) -> None:
        self.session = session
        self._cache = cache or CatalogCache(seconds=0)
        self.changed = False  # the unit of work clears the cache when it commits a change
        # products read by sku in this transaction: a turn that shows the cart and then places the order
        # reads each product once (and prices the order as it showed it)
        self._read: dict[str, Product | None] = {}

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
            "more_photos": "\n".join(product.more_photos),
        }
        await upsert(self.session, ProductRow.__table__, values, ["sku"])
        self._read.pop(product.sku, None)
        self.changed = True

    async def get(self, sku: str) -> Product | None:
        if sku in self._read:
            return self._read[sku]
        row = await _PRODUCT_BY_SKU.first(self.session, {"sku": sku})
        product = self._read[sku] = _product(row) if row else None
        return product

    async def get_with_stock(self, sku: str) -> tuple[Product | None, StockLevel | None]:
        """The product and its stock level, in one statement; the product as this transaction first read
        it (as `get` gives it: a cart shown and then ordered is priced as it was shown)."""
        row = await _PRODUCT_WITH_STOCK.first(self.session, {"sku": sku})
        if sku not in self._read:
            self._read[sku] = _product(row) if row else None
        if row is None:
            return None, None
        return self._read[sku], stock_level(row, "stock_") if row.stock_sku is not None else None

    async def list_by_category(
        self, category: str, *, offset: int = 0, limit: int = 10, include_inactive: bool = False
    ) -> tuple[list[Product], int]:
        """A page of the category's active products, and how many it has (0 for a page past the end).
        Display only: the page may be a few seconds old (CatalogCache)."""
        if include_inactive:  # staff lists: always fresh, disabled products too
            products, count = await self._page(category, offset, limit, active_only=False)
            return list(products), count
        key = ("page", category, offset, limit)
        cached = self._cache.get(key)
        if cached is None:
            cached = await self._page(category, offset, limit)
            self._cache.put(key, cached)
        products, total = cached
        return list(products), total

    async def _page(
        self, category: str, offset: int, limit: int, *, active_only: bool = True
    ) -> tuple[tuple[Product, ...], int]:
        values = {"category": category, "offset": offset, "limit": limit}
        rows = await (_ACTIVE_PAGE if active_only else _PAGE).rows(self.session, values)
        return tuple(_product(row) for row in rows), rows[0].total if rows else 0

    async def search(self, text: str, *, limit: int = 10, include_inactive: bool = False) -> list[Product]:
        """Active products (staff: all) where every word of `text` is part of the name, the Chinese name or
        the sku, whatever the case ("jasm pearl", "茉莉", "tea-jas")."""
        words = text.lower().split()[:8]
        if not words:
            return []
        fields = (func.lower(ProductRow.name), ProductRow.name_zh, func.lower(ProductRow.sku))
        each_word = [or_(*(f.contains(word, autoescape=True) for f in fields)) for word in words]
        rows = await self.session.scalars(
            select(ProductRow)
            .where(*([] if include_inactive else [ProductRow.active.is_(True)]), *each_word)
            .order_by(ProductRow.name)
            .limit(limit)
        )
        return [_product(row) for row in rows]

    async def ordered(self, sku: str) -> bool:
        """True when any order has a line of this product (it can then only be disabled)."""
        return bool(await self.session.scalar(select(exists().where(OrderLineRow.sku == sku))))

    async def delete(self, sku: str) -> None:
        """Remove a product no order references, with its stock level."""
        await self.session.execute(delete(StockRow).where(StockRow.sku == sku))
        await self.session.execute(delete(ProductRow).where(ProductRow.sku == sku))
        self._read.pop(sku, None)
        self.changed = True

    def forget(self) -> None:
        """The transaction ended: the next one reads afresh."""
        self._read.clear()

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
