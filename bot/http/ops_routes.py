"""Operator endpoints next to `/healthz` (liveness): `/readyz` (readiness) and `/metrics` (Prometheus).

/readyz is 200 when the database answers and its schema is at the migrations' head, 503 otherwise and
while the process is stopping, so a load balancer stops sending it requests before it goes away.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.observability.metrics import CONTENT_TYPE, Metrics
from storage.database.schema_status import schema_status

log = logging.getLogger(__name__)

__all__ = ["add_ops_routes"]


def add_ops_routes(
    app: web.Application,
    *,
    engine: AsyncEngine,
    heads: frozenset[str],
    metrics: Metrics,
    stopping: Callable[[], bool],
    refresh: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """`refresh` updates gauges read from the database (outbox backlog) just before a scrape."""

    async def readyz(request: web.Request) -> web.Response:
        if stopping():
            return web.json_response({"status": "stopping"}, status=503)
        status = await schema_status(engine, heads)
        body = {
            "status": "ready" if status.ready else "not ready",
            "database": "ok" if status.reachable else "down",
            "schema": sorted(status.current),
            "expected": sorted(status.heads),
        }
        return web.json_response(body, status=200 if status.ready else 503)

    async def scrape(request: web.Request) -> web.Response:
        if refresh is not None:
            try:
                await refresh()
            except Exception as exc:  # a scrape still shows the counters when the database is away
                log.warning("metrics_refresh_failed error=%s", type(exc).__name__)
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", scrape)
