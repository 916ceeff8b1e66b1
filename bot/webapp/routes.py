"""The Mini App as an aiohttp sub-application mounted at /app/ on the shop's HTTP server.

    app.add_subapp("/app/", miniapp(shop, gate))

/app/ is the page (static HTML, no user data in it, never cached), /app/static/ its script and style
(named with their content hash by the page, so browsers keep them), /app/media/<sku>
uploaded product photos, and /app/api/ the JSON API, every request of which is authorized by initData.
"""

from __future__ import annotations

import hashlib

from aiohttp import web

from bot.webapp.auth import Gate, auth_middleware
from bot.webapp.context import STATIC_DIR, MiniApp, user_of
from bot.webapp.desk_api import add_desk_routes
from bot.webapp.photos import serve_photo
from bot.webapp.shop_api import add_shop_routes, first_screen
from bot.webapp.texts import ui_texts

__all__ = ["miniapp", "APP_PATH"]

APP_PATH = "/app/"
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' https://telegram.org; img-src 'self' https: data:; "
        "style-src 'self'; frame-ancestors https://web.telegram.org https://*.telegram.org"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
_ASSETS = ("app.css", "telegram-web-app.js", "app.js")
_FOR_GOOD = "public, max-age=31536000, immutable"


def _versioned(page: str) -> str:
    """static/app.js → static/app.js?v=<its content hash>: the page (never cached) names the exact files,
    so a browser keeps them and a reopened app asks only for the page and /api/me."""
    for name in _ASSETS:
        digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
        page = page.replace(f'"static/{name}"', f'"static/{name}?v={digest}"')
    return page


async def _keep_versioned_assets(request: web.Request, response: web.StreamResponse) -> None:
    if request.path.startswith(f"{APP_PATH}static/") and "v" in request.query and response.status == 200:
        response.headers["Cache-Control"] = _FOR_GOOD


def miniapp(shop: MiniApp, gate: Gate, *, demo: bool = False) -> web.Application:
    """`demo`: the page says in plain words that the identity is the demo's, not Telegram's."""
    routes = web.RouteTableDef()
    page = _versioned((STATIC_DIR / "index.html").read_text(encoding="utf-8"))
    if demo:
        page = page.replace('data-demo="0"', 'data-demo="1"')

    @routes.get("/")
    async def index(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html", headers=_HEADERS)

    @routes.get("/media/{sku}")
    async def media(request: web.Request) -> web.FileResponse:
        return await serve_photo(shop, request.match_info["sku"])

    @routes.get("/api/me")
    async def me(request: web.Request) -> web.Response:
        user = user_of(request)
        screen = await first_screen(shop, user)  # one round trip before the storefront shows
        body = {
            "id": user.id,
            "name": user.first_name,
            "staff": user.id in gate.staff_ids,
            "texts": ui_texts(screen["language"]),
            **screen,
        }
        return web.json_response(body)

    add_shop_routes(routes, shop)
    add_desk_routes(routes, shop)
    app = web.Application(middlewares=[auth_middleware(gate)], client_max_size=shop.upload_max_bytes + 65536)
    app.router.add_routes(routes)
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
    app.on_response_prepare.append(_keep_versioned_assets)
    return app
