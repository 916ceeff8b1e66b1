"""JSON shapes of products and orders for the Mini App (plain data: the page sets them as text), in the
user's language as the chat shows them: Chinese names and descriptions where the catalog has them, and
amounts through `money_text`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.webapp.context import MiniApp
from domain.catalog.products import Product
from domain.order import Order
from domain.ports import UnitOfWork
from handlers.customer.catalog import availability_text
from handlers.kernel.i18n import translations
from handlers.kernel.money_text import money_text
from handlers.kernel.status_text import status_label, tracking_url

__all__ = ["product_card", "order_summary", "photo_url"]


def photo_url(product: Product) -> str | None:
    """Only what a browser can load: an https URL, or a local file served under /app/media/."""
    photo = product.photo or ""
    if photo.startswith("https://"):
        return photo
    if photo and Path(photo).is_file():
        return f"/app/media/{product.sku}"
    return None  # a Telegram file id, or nothing: the page draws a placeholder


async def product_card(
    uow: UnitOfWork, shop: MiniApp, product: Product, language: str, *, full: bool = False
) -> dict[str, Any]:
    level = await uow.stocks.get(product.sku)
    available = max(level.available, 0) if level else 0
    card: dict[str, Any] = {
        "sku": product.sku,
        "name": product.display_name(language),
        "price": money_text(product.price, language),
        "photo": photo_url(product),
        "stock": availability_text(translations(language), available, shop.low_stock_hint),
        "available": available > 0,
        "category": product.category,
    }
    if full:
        card["description"] = product.display_description(language)
    return card


def order_summary(order: Order, language: str) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": status_label(order.status, language),
        "total": money_text(order.total, language),
        "items": order.item_count,
        "placed_at": order.placed_at.strftime("%Y-%m-%d %H:%M UTC"),
        "timeline": [
            {"at": step.at.strftime("%Y-%m-%d %H:%M UTC"), "status": status_label(step.new, language)}
            for step in order.timeline
        ],
        "tracking": tracking_url(order),
    }
