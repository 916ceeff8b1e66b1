"""The HTTP side of `shopbot run` (aiohttp): Stripe webhooks, a health check, payment return pages.

app = http_app(health=database_ok, stripe_webhook=StripeWebhook(events, secret, clock))
runner = await start_http_server(app, settings.http_host, settings.http_port)
...
await runner.cleanup()
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web

__all__ = ["http_app", "start_http_server"]

log = structlog.get_logger(__name__)

HealthCheck = Callable[[], Awaitable[bool]]
Endpoint = Callable[[web.Request], Awaitable[web.StreamResponse]]

_RETURN_PAGE = "<!doctype html><meta charset=utf-8><title>{title}</title><p>{text}</p>"


def _page(title: str, text: str) -> Endpoint:
    async def show(request: web.Request) -> web.Response:
        return web.Response(text=_RETURN_PAGE.format(title=title, text=text), content_type="text/html")

    return show


def http_app(*, health: HealthCheck, stripe_webhook: Endpoint | None = None) -> web.Application:
    """`health` answers whether the database is reachable; without a webhook, /webhooks/stripe is 404."""

    async def healthz(request: web.Request) -> web.Response:
        try:
            ok = await health()
        except Exception:  # any failure to reach the database is "unhealthy", never a 500 page
            log.exception("health_check_failed")
            ok = False
        return web.json_response({"database": "ok" if ok else "down"}, status=200 if ok else 503)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_get("/healthz", healthz)
    if stripe_webhook is not None:
        endpoint = stripe_webhook

        async def stripe_events(request: web.Request) -> web.StreamResponse:
            return await endpoint(request)

        app.router.add_post("/webhooks/stripe", stripe_events)
    app.router.add_get(
        "/payments/done", _page("Payment received", "Thank you! You can go back to Telegram now.")
    )
    app.router.add_get(
        "/payments/cancelled", _page("Payment cancelled", "No payment was taken. Go back to Telegram.")
    )
    return app


async def start_http_server(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve `app` on host:port (port 0: any free port, see `runner.addresses`); `cleanup()` stops it."""
    runner = web.AppRunner(app, access_log=None)  # access lines would carry query strings
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("http_server_started", listening=[str(a) for a in runner.addresses])
    return runner
