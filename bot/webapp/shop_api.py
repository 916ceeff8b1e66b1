"""The storefront's JSON API: categories, products, search, a product, the cart, orders, checkout.

Reads use the repositories in a read-only unit of work; every change is the chat's own button or command
(`bot.webapp.events`), so stock rules, the cart and the checkout form are the chat's, unchanged.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.webapp.context import MiniApp, language_in, read_json, sku_of, user_of
from bot.webapp.events import press
from bot.webapp.init_data import WebAppUser
from bot.webapp.views import order_summary, product_card
from domain.catalog.products import Category, Product
from handlers.actions.customer import AddToCart, CartRemove, CartStep, ShowOrder, StartCheckout
from handlers.customer.cart import priced_lines_of
from handlers.customer.catalog import MAX_SEARCH
from handlers.kernel.incoming import AppOrigin
from handlers.kernel.money_text import money_text

__all__ = ["add_shop_routes", "first_screen"]

_GRID = 60


def add_shop_routes(routes: web.RouteTableDef, shop: MiniApp) -> None:
    @routes.get("/api/categories")
    async def categories(request: web.Request) -> web.Response:
        async with shop.uow_factory(write=False) as uow:
            language = await language_in(uow, user_of(request))
            found = await uow.categories.list()
        return web.json_response(_categories(found, language))

    @routes.get("/api/products")
    async def products(request: web.Request) -> web.Response:
        user = user_of(request)
        query = request.query.get("q", "").strip()[:MAX_SEARCH]
        category = request.query.get("category", "")
        async with shop.uow_factory(write=False) as uow:
            language = await language_in(uow, user)
            if query:
                found = await uow.products.search(query, limit=_GRID)
            else:
                found, _total = await uow.products.list_by_category(category, limit=_GRID)
            cards = [await product_card(uow, shop, p, language) for p in found]
        return web.json_response(cards)

    @routes.get("/api/products/{sku}")
    async def product(request: web.Request) -> web.Response:
        user = user_of(request)
        sku = sku_of(request.match_info["sku"])
        async with shop.uow_factory(write=False) as uow:
            found = await uow.products.get(sku)
            if found is None or not found.active:
                raise web.HTTPNotFound(text='{"error": "not found"}', content_type="application/json")
            card = await product_card(uow, shop, found, await language_in(uow, user), full=True)
            card["in_cart"] = (await uow.carts.get(user.id)).quantity(sku)
        return web.json_response(card)

    @routes.get("/api/cart")
    async def cart(request: web.Request) -> web.Response:
        return web.json_response(await _cart(shop, user_of(request)))

    @routes.post("/api/cart")
    async def change_cart(request: web.Request) -> web.Response:
        user = user_of(request)
        body = await read_json(request)
        sku = sku_of(body.get("sku"))
        qty = body.get("qty", 1)
        if not isinstance(qty, int) or isinstance(qty, bool) or not -1 <= qty <= 99 or qty == 0:
            raise web.HTTPBadRequest(text='{"error": "qty"}', content_type="application/json")
        if body.get("remove"):
            said = await press(shop.handler, user, CartRemove(sku))
        elif body.get("step"):
            said = await press(shop.handler, user, CartStep(sku, 1 if qty > 0 else -1))
        else:
            said = await press(shop.handler, user, AddToCart(sku, max(qty, 1)))
        return web.json_response({**said.json(), "cart": await _cart(shop, user)})

    @routes.post("/api/checkout")
    async def checkout(request: web.Request) -> web.Response:
        said = await press(shop.handler, user_of(request), StartCheckout(), AppOrigin.TO_CHAT)
        return web.json_response(said.json())

    @routes.get("/api/orders")
    async def orders(request: web.Request) -> web.Response:
        user = user_of(request)
        async with shop.uow_factory(write=False) as uow:
            language = await language_in(uow, user)
            found = await uow.orders.list_for_customer(user.id, limit=20)
        return web.json_response([order_summary(o, language) for o in found])

    @routes.get("/api/orders/{number}")
    async def order(request: web.Request) -> web.Response:
        number = request.match_info["number"].upper()[:12]
        said = await press(shop.handler, user_of(request), ShowOrder(number))  # ownership checked there
        return web.json_response(said.json())


async def first_screen(shop: MiniApp, user: WebAppUser) -> dict[str, Any]:
    """What the storefront shows first, in one read: the user's language, the categories, the first one's
    products, the cart's size."""
    async with shop.uow_factory(write=False) as uow:
        language = await language_in(uow, user)
        categories = await uow.categories.list()
        found: list[Product] = []
        if categories:
            found, _total = await uow.products.list_by_category(categories[0].slug, limit=_GRID)
        cards = [await product_card(uow, shop, p, language) for p in found]
        cart = await uow.carts.get(user.id)
        count = sum(cart.lines.values())
    return {
        "language": language,
        "categories": _categories(categories, language),
        "products": cards,
        "cart_count": count,
    }


def _categories(categories: list[Category], language: str) -> list[dict[str, str]]:
    return [{"slug": c.slug, "name": c.display_name(language)} for c in categories]


async def _cart(shop: MiniApp, user: WebAppUser) -> dict[str, Any]:
    async with shop.uow_factory(write=False) as uow:
        language = await language_in(uow, user)
        cart = await uow.carts.get(user.id)
        lines, subtotal = await priced_lines_of(uow, cart, shop.currency)
    return {
        "lines": [
            {
                "sku": p.sku,
                "name": p.display_name(language),
                "qty": q,
                "total": money_text(p.price * q, language),
            }
            for p, q in lines
        ],
        "count": sum(q for _p, q in lines),
        "subtotal": money_text(subtotal, language),
    }
