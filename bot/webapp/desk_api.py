"""The staff desk's JSON API (every path under /app/api/desk/ is staff-only, see `bot.webapp.auth`).

Queues, queue pages and order cards are the chat's own merchant screens: the app shows their text and
buttons and presses the buttons as the staff member, so accept, reject, pack, ship and refund run the
chat's merchant code. Products are a table with inline edits of the price (the chat's product editor,
`bot.webapp.editing`) and the stock (`/setstock`), photo upload and the low list.
"""

from __future__ import annotations

from aiohttp import web

from bot.webapp.context import MiniApp, read_json, sku_of, user_of
from bot.webapp.editing import edit_product_field
from bot.webapp.events import command, press
from bot.webapp.photos import save_photo
from bot.webapp.stats import stats_screen
from domain.analytics import ReportPeriod
from handlers.actions.codec import StaleAction, unpack
from handlers.actions.merchant import MERCHANT_ACTIONS, OpenOrder, OrderQueues, ShipOrder

__all__ = ["add_desk_routes"]

_LEVELS = 200


def add_desk_routes(routes: web.RouteTableDef, shop: MiniApp) -> None:
    @routes.get("/api/desk/queues")
    async def queues(request: web.Request) -> web.Response:
        return web.json_response((await press(shop.handler, user_of(request), OrderQueues())).json())

    @routes.get("/api/desk/orders/{number}")
    async def order(request: web.Request) -> web.Response:
        number = request.match_info["number"].upper()[:12]
        return web.json_response((await press(shop.handler, user_of(request), OpenOrder(number))).json())

    @routes.post("/api/desk/press")
    async def press_button(request: web.Request) -> web.Response:
        body = await read_json(request)
        try:
            action = unpack(body.get("action"))  # type: ignore[arg-type]
        except StaleAction:
            action = None
        if not isinstance(action, MERCHANT_ACTIONS):
            raise web.HTTPBadRequest(text='{"error": "unknown button"}', content_type="application/json")
        if isinstance(action, ShipOrder):  # the chat asks for the parcel in a message; the app has a form
            return web.json_response({"ok": True, "message": "", "ship": action.number})
        return web.json_response((await press(shop.handler, user_of(request), action)).json())

    @routes.post("/api/desk/orders/{number}/ship")
    async def ship(request: web.Request) -> web.Response:
        number = request.match_info["number"].upper()[:12]
        body = await read_json(request)
        carrier, tracking = str(body.get("carrier", ""))[:40], str(body.get("tracking", ""))[:40]
        args = f"{number} {' '.join(carrier.split())} {''.join(tracking.split())}"
        said = await command(shop.handler, user_of(request), "ship", args)
        card = await press(shop.handler, user_of(request), OpenOrder(number))
        return web.json_response({**card.json(), "ok": said.ok, "message": said.message})

    @routes.get("/api/desk/stock")
    async def stock(request: web.Request) -> web.Response:
        async with shop.uow_factory(write=False) as uow:
            levels, _total = await uow.stocks.list_levels(limit=_LEVELS)
            rows = []
            for level in levels:
                product = await uow.products.get(level.sku)
                rows.append(
                    {
                        "sku": level.sku,
                        "name": product.name if product else level.sku,
                        "price": product.price.format() if product else "",
                        "price_plain": product.price.format_plain() if product else "",
                        "on_hand": level.on_hand,
                        "available": level.available,
                        "safety": level.safety,
                        "low": level.is_low,
                        "active": bool(product and product.active),
                    }
                )
        return web.json_response(rows)

    @routes.post("/api/desk/stock/{sku}")
    async def set_stock(request: web.Request) -> web.Response:
        body = await read_json(request)
        qty = body.get("on_hand")
        if not isinstance(qty, int) or isinstance(qty, bool) or not 0 <= qty <= 1_000_000:
            raise web.HTTPBadRequest(text='{"error": "on_hand"}', content_type="application/json")
        sku = request.match_info["sku"][:40]
        said = await command(shop.handler, user_of(request), "setstock", f"{sku} {qty}")
        return web.json_response(said.json())

    @routes.post("/api/desk/products/{sku}/price")
    async def set_price(request: web.Request) -> web.Response:
        body = await read_json(request)
        price = body.get("price")
        if not isinstance(price, str):
            raise web.HTTPBadRequest(text='{"error": "price"}', content_type="application/json")
        sku = sku_of(request.match_info["sku"])
        said = await edit_product_field(shop, user_of(request), sku, "price", price)
        return web.json_response(said.json())

    @routes.post("/api/desk/products/{sku}/photo")
    async def photo(request: web.Request) -> web.Response:
        return await save_photo(request, shop, request.match_info["sku"][:40])

    @routes.get("/api/desk/stats")
    async def stats(request: web.Request) -> web.Response:
        period = request.query.get("period", ReportPeriod.WEEK.value)
        if shop.stats is None or period not in {p.value for p in ReportPeriod}:
            raise web.HTTPNotFound(text='{"error": "no such figures"}', content_type="application/json")
        return web.json_response(await stats_screen(shop, shop.stats, user_of(request), ReportPeriod(period)))
