"""The low-stock alert staff can act on: the product by name, available / on hand / reserved, and a
📦 Restock button (it asks how many arrived; see `handlers.merchant.stock.ask_restock`). Shared by the turn's
events (`kernel.notifications`) and the sweeping job (`jobs.low_stock`)."""

from __future__ import annotations

from domain.catalog.stock import StockLevel
from handlers.actions.aftercare import RestockSku
from handlers.actions.customer import pack
from handlers.kernel.i18n import translations
from handlers.kernel.reply import Button, Reply

__all__ = ["low_stock_reply"]


def low_stock_reply(level: StockLevel, name: str, language: str = "en") -> Reply:
    _ = translations(language).gettext
    text = _(
        "📉 Low stock: {name} ({sku})\n"
        "available {available} · on hand {on_hand} · reserved {reserved} · safety stock {safety}\n"
        "Restock at least {missing} to get back to the safety level."
    ).format(
        name=name,
        sku=level.sku,
        available=level.available,
        on_hand=level.on_hand,
        reserved=level.reserved,
        safety=level.safety,
        missing=max(level.safety - level.available, 1),
    )
    return Reply(text, ((Button(_("📦 Restock"), pack(RestockSku(level.sku))),),))
