"""What every Mini App endpoint needs: the shop's handler and storage, and the validated user."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.webapp.auth import USER_KEY
from bot.webapp.init_data import WebAppUser
from domain.catalog.products import validate_sku
from domain.clock import Clock
from domain.errors import InvalidInput
from domain.ports import UnitOfWork, UnitOfWorkFactory
from handlers.kernel.i18n import customer_language, language_for
from handlers.kernel.incoming import EventHandler
from handlers.merchant.stats.handler import MerchantStats

__all__ = ["MiniApp", "user_of", "app_language", "language_in", "read_json", "sku_of", "STATIC_DIR"]

STATIC_DIR = Path(__file__).parent / "static"
_MAX_JSON = 16 * 1024


@dataclass(frozen=True, slots=True)
class MiniApp:
    handler: EventHandler  # the same ShopApp the chat runtimes call
    uow_factory: UnitOfWorkFactory
    clock: Clock
    currency: str
    low_stock_hint: int = 5
    media_dir: Path | None = None  # where uploaded product photos are kept (None: uploads refused)
    upload_max_bytes: int = 2 * 1024 * 1024
    stats: MerchantStats | None = None  # the chat's /stats, drawing its chart as SVG (bot.webapp.chart)


def user_of(request: web.Request) -> WebAppUser:
    user: WebAppUser = request[USER_KEY]  # set by `auth_middleware` on every /app/api/ request
    return user


async def language_in(uow: UnitOfWork, user: WebAppUser) -> str:
    """The chat's language for this user, as the chat picks it: the one chosen with /language (or
    Telegram's when they first wrote to the bot), else Telegram's `language_code` from the validated
    initData (zh* → Chinese)."""
    return await customer_language(uow, user.id, language_for(user.language_code))


async def app_language(shop: MiniApp, user: WebAppUser) -> str:
    async with shop.uow_factory(write=False) as uow:
        return await language_in(uow, user)


async def read_json(request: web.Request) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > _MAX_JSON:
        raise web.HTTPRequestEntityTooLarge(max_size=_MAX_JSON, actual_size=request.content_length)
    try:
        body = json.loads(await request.text())
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "json object expected"}', content_type="application/json")
    return body


def sku_of(value: Any) -> str:
    """A SKU from the request, or 400 (never a path or a string the actions would refuse to pack)."""
    try:
        return validate_sku(value)
    except InvalidInput:
        raise web.HTTPBadRequest(text='{"error": "sku"}', content_type="application/json") from None
