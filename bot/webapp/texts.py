"""The Mini App's own words, translated like the chat's (handlers/kernel/locale); the page sets them as
text. Keys are short names the script uses."""

from __future__ import annotations

from handlers.kernel.i18n import N_, translations

__all__ = ["ui_texts"]

_TEXTS = {
    "catalog": N_("🛍 Catalog"),
    "cart": N_("🛒 Cart"),
    "orders": N_("📦 My orders"),
    "search": N_("Search products"),
    "add": N_("Add to cart"),
    "empty_cart": N_("Your cart is empty."),
    "subtotal": N_("Subtotal: {amount}"),
    "checkout": N_("✅ Checkout"),
    "checkout_chat": N_("Checkout continues in the chat with the bot."),
    "no_orders": N_("You have no orders yet."),
    "track": N_("Track the parcel"),
    "back": N_("⬅ Back"),
    "desk": N_("Shop desk"),
    "queues": N_("Orders waiting for the shop:"),
    "stock": N_("Stock"),
    "low": N_("Low stock"),
    "stats": N_("Figures"),
    "chart": N_("Orders (top) and revenue (bottom) per day"),
    "save": N_("Save"),
    "price": N_("Price"),
    "available": N_("available:"),
    "photo": N_("Photo"),
    "ship": N_("Ship"),
    "carrier": N_("Carrier"),
    "tracking": N_("Tracking number"),
    "nothing": N_("Nothing found."),
    "demo": N_("DEMO identity: signed with the demo's own token, not by Telegram."),
}


def ui_texts(language: str) -> dict[str, str]:
    catalog = translations(language)
    return {key: catalog.gettext(text) for key, text in _TEXTS.items()}
