"""Browsing: categories → a page of products → a product card with quantity; free-text search."""

from __future__ import annotations

from babel.support import NullTranslations

from domain.cart import Cart
from domain.catalog.products import Product
from domain.customer import clean_text
from domain.errors import InvalidInput
from handlers.actions.catalog import ProductPhoto
from handlers.actions.customer import (
    AddToCart,
    BuyNow,
    Categories,
    CategoryPage,
    Menu,
    ShowCart,
    ShowProduct,
)
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Rows, Turn

__all__ = [
    "COMMANDS",
    "ROUTES",
    "open_product",
    "available_units",
    "on_sale",
    "availability_text",
    "search",
    "MAX_SEARCH",
]

MAX_SEARCH = 100
_MAX_QTY = 99


async def available_units(turn: Turn, sku: str) -> int:
    level = await turn.uow.stocks.get(sku)
    return max(level.available, 0) if level else 0


async def on_sale(turn: Turn, sku: str) -> tuple[Product | None, int]:
    """The product when it is sold (None: unknown, or no longer active) and how many units are available,
    read together."""
    product, level = await turn.uow.products.get_with_stock(sku)
    if product is None or not product.active:
        return None, 0
    return product, max(level.available, 0) if level else 0


async def show_categories(turn: Turn, _action: object = None) -> Outcome:
    categories = await turn.uow.categories.list()
    rows: Rows = [[turn.button(c.display_name(turn.language), CategoryPage(c.slug, 0))] for c in categories]
    rows.append([turn.button(turn._("🛒 Cart"), ShowCart()), turn.button(turn._("⬅ Menu"), Menu())])
    if not categories:
        return turn.say(turn._("The catalog is empty for now. Please come back soon."), rows)
    return turn.say(turn._("Choose a category, or type a product name to search:"), rows)


async def show_category(turn: Turn, action: CategoryPage) -> Outcome:
    size = turn.config.page_size
    products, total = await turn.uow.products.list_by_category(
        action.slug, offset=action.page * size, limit=size
    )
    if not products and action.page > 0:  # the list shrank since this button was drawn
        return await show_category(turn, CategoryPage(action.slug, 0))
    rows = [[turn.button(_listed(turn, p), ShowProduct(p.sku, 1))] for p in products]
    pages = max((total + size - 1) // size, 1)
    nav = []
    if action.page > 0:
        nav.append(turn.button("◀", CategoryPage(action.slug, action.page - 1)))
    if action.page + 1 < pages:
        nav.append(turn.button("▶", CategoryPage(action.slug, action.page + 1)))
    rows.append(nav)
    rows.append([turn.button(turn._("⬅ Categories"), Categories())])
    if not products:
        return turn.say(turn._("No products in this category right now."), rows)
    text = turn._("Page {page} of {pages}. Pick a product:").format(page=action.page + 1, pages=pages)
    return turn.say(text, rows)


def _listed(turn: Turn, product: Product) -> str:
    return f"{product.display_name(turn.language)} · {turn.money(product.price)}"


def availability_text(catalog: NullTranslations, available: int, low_stock_hint: int) -> str:
    """What a customer is told about stock, in the chat and in the Mini App."""
    if available <= 0:
        return catalog.gettext("Sold out")
    if available <= low_stock_hint:
        return catalog.ngettext("Only {n} left", "Only {n} left", available).format(n=available)
    return catalog.gettext("In stock")


def _availability(turn: Turn, available: int) -> str:
    return availability_text(turn.catalog, available, turn.config.low_stock_hint)


async def product_card(
    turn: Turn,
    product: Product,
    qty: int,
    *,
    cart: Cart | None = None,
    available: int | None = None,
    photo: int = 0,
) -> Outcome:
    """`cart` and `available`: as the caller just read them (not read again); `photo`: which one shows."""
    _ = turn._
    if available is None:
        available = await available_units(turn, product.sku)
    if cart is None:
        cart = await turn.uow.carts.get(turn.user_id)
    in_cart = cart.quantity(product.sku)
    can_add = max(min(available - in_cart, _MAX_QTY), 0)
    qty = max(min(qty, can_add), 1)
    lines = [product.display_name(turn.language), turn.money(product.price), ""]
    description = product.display_description(turn.language)
    if description:
        lines += [description, ""]
    lines.append(_availability(turn, available))
    if in_cart:
        lines.append(_("In your cart: {n}").format(n=in_cart))
    rows: Rows = []
    if can_add:
        rows.append(
            [
                turn.button("−", ShowProduct(product.sku, max(qty - 1, 1))),
                turn.button(str(qty), ShowProduct(product.sku, qty)),
                turn.button("+", ShowProduct(product.sku, min(qty + 1, can_add))),
            ]
        )
        rows.append(
            [
                turn.button(_("Add {n} to cart").format(n=qty), AddToCart(product.sku, qty)),
                turn.button(_("⚡ Buy now"), BuyNow(product.sku, qty)),
            ]
        )
    photos = product.photos
    photo = min(max(photo, 0), max(len(photos) - 1, 0))
    if len(photos) > 1:  # page through the photos: the card opens with the first
        rows.append(
            [
                turn.button("◀", ProductPhoto(product.sku, (photo - 1) % len(photos))),
                turn.button(f"🖼 {photo + 1}/{len(photos)}", ProductPhoto(product.sku, photo)),
                turn.button("▶", ProductPhoto(product.sku, (photo + 1) % len(photos))),
            ]
        )
    rows.append(
        [
            turn.button(_("🛒 Cart"), ShowCart()),
            turn.button(_("⬅ Back"), CategoryPage(product.category, 0)),
        ]
    )
    return turn.say("\n".join(lines).strip(), rows, photo=photos[photo] if photos else None)


async def open_product(turn: Turn, sku: str, qty: int = 1) -> Outcome:
    product, available = await on_sale(turn, sku)
    if product is None:
        rows = [[turn.button(turn._("🛍 Catalog"), Categories())]]
        return turn.say(turn._("Sorry, this product is no longer available."), rows)
    return await product_card(turn, product, qty, available=available)


async def show_product(turn: Turn, action: ShowProduct) -> Outcome:
    return await open_product(turn, action.sku, action.qty)


async def show_photo(turn: Turn, action: ProductPhoto) -> Outcome:
    product, available = await on_sale(turn, action.sku)
    if product is None:
        return await open_product(turn, action.sku)
    return await product_card(turn, product, 1, available=available, photo=action.index)


async def search(turn: Turn, text: str) -> Outcome:
    back = [[turn.button(turn._("🛍 Catalog"), Categories()), turn.button(turn._("⬅ Menu"), Menu())]]
    if len(text) > MAX_SEARCH:
        return turn.say(turn._("That is too long to search for. Type a word or two of a product name."), back)
    try:
        needle = clean_text(text, "search", max_len=MAX_SEARCH)
    except InvalidInput:
        return turn.say(turn._("Type a word of a product name to search, or pick:"), back)
    hits = await turn.uow.products.search(needle, limit=10)
    if not hits:
        return turn.say(turn._("Nothing found for “{query}”. Try another word.").format(query=needle), back)
    rows = [[turn.button(_listed(turn, p), ShowProduct(p.sku, 1))] for p in hits]
    return turn.say(turn._("Found for “{query}”:").format(query=needle), rows + back)


COMMANDS = {"catalog": show_categories}

ROUTES = {
    Categories: show_categories,
    CategoryPage: show_category,
    ShowProduct: show_product,
    ProductPhoto: show_photo,
}
