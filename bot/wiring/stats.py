"""Wiring of merchant analytics from settings: the one place `run` asks for it.

stats = build_merchant_stats(settings, engine, clock)
merchant-chat routing (before the merchant desk): `if stats.handles(event): return await stats(event)`
    — /stats, /export and their buttons; staff only (SHOPBOT_MERCHANT_USER_IDS), checked per event
runtimes: already send `Reply.photo_bytes` as an uploaded photo (bot/telegram/flow.py) and
    `Reply.document` as a document; a reply's `chat_id` (the staff member's private chat, for a CSV asked
    for in a group) overrides the event's chat
conversation: `await turn.uow.funnel.record(FunnelStep.CART_CREATED, turn.user_id, turn.now)` when the
    first item goes into an empty cart (customer/cart.py add_to_cart), and `FunnelStep.CHECKOUT_STARTED`
    when the checkout form opens from the cart (checkout/form.py start, when not already in the form)
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from domain.analytics import Figures
from domain.clock import Clock
from handlers.merchant.stats.handler import MerchantStats
from storage.analytics.figures import SqlAlchemyShopFigures

__all__ = ["build_merchant_stats"]


def build_merchant_stats(
    settings: Settings,
    engine: AsyncEngine,
    clock: Clock,
    *,
    render_chart: Callable[[Figures], bytes] | None = None,
) -> MerchantStats:
    """`render_chart`: the chart's drawing (default: the chat's PNG; the Mini App draws SVG)."""
    return MerchantStats(
        SqlAlchemyShopFigures(engine, settings.currency),
        is_staff=settings.is_staff,
        clock=clock,
        zone=settings.timezone,
        render_chart=render_chart or _render_chart,
    )


def _render_chart(figures: Figures) -> bytes:
    """matplotlib (~70 MiB, ~0.5 s to import) is loaded the first time a chart is drawn, not at start."""
    from bot.figures_chart import render_figures_png

    return render_figures_png(figures)
