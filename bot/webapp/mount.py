"""Mount the Mini App on the shop's HTTP server and point Telegram's menu button at it.

mount_miniapp(app, settings, shop.handler, shop.uow_factory, shop.clock, engine=shop.uow_factory.reports)
await offer_menu_button(settings, notifier)   # once at start-up; best effort
"""

from __future__ import annotations

from pathlib import Path

import structlog
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from bot.telegram.notifier import BotApiNotifier
from bot.webapp.auth import Gate
from bot.webapp.chart import render_figures_svg
from bot.webapp.context import MiniApp
from bot.webapp.routes import APP_PATH, miniapp
from bot.wiring.stats import build_merchant_stats
from domain.clock import Clock
from domain.ports import UnitOfWorkFactory
from handlers.kernel.i18n import translations
from handlers.kernel.incoming import EventHandler

__all__ = ["mount_miniapp", "offer_menu_button"]

log = structlog.get_logger(__name__)


def mount_miniapp(
    app: web.Application,
    settings: Settings,
    handler: EventHandler,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    bot_token: str,
    engine: AsyncEngine | None = None,
    demo: bool = False,
) -> None:
    """`engine`: the shop's database, for the /stats figures (None: the desk has no figures page)."""
    stats = build_merchant_stats(settings, engine, clock, render_chart=render_figures_svg) if engine else None
    shop = MiniApp(
        handler=handler,
        uow_factory=uow_factory,
        clock=clock,
        currency=settings.currency,
        media_dir=Path(settings.webapp_media_dir),
        upload_max_bytes=settings.webapp_upload_max_bytes,
        stats=stats,
    )
    gate = Gate(bot_token, clock, settings.webapp_auth_max_age_seconds, frozenset(settings.merchant_user_ids))
    app.add_subapp(APP_PATH, miniapp(shop, gate, demo=demo))


async def offer_menu_button(settings: Settings, notifier: BotApiNotifier) -> None:
    """setChatMenuButton to the Mini App when it is offered (https public URL or SHOPBOT_WEBAPP_BUTTON)."""
    url = settings.webapp_url
    if url is None:
        return
    try:
        await notifier.set_menu_button(translations("en").gettext("🛍 Open shop"), url)
        log.info("webapp_menu_button_set")
    except Exception as exc:  # noqa: BLE001 - the chat works without it; say so once
        log.warning("webapp_menu_button_failed", error=type(exc).__name__)
