"""Reading one product field from what a staff member sent: the value, or what is wrong with it.

Shared by the `/newproduct` wizard and the in-place edits of the staff product card, so a price of "abc",
"-1" or 10¹², a 5,000-character name, a taken SKU or a sticker where a photo belongs get the same clear
answer everywhere, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from domain.catalog.products import (
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_PRICE_MINOR,
    category_slug,
    validate_sku,
)
from domain.customer import clean_text
from domain.errors import InvalidInput
from domain.money import Money
from handlers.kernel.incoming import Kind
from handlers.kernel.turn import Turn
from handlers.merchant.catalog.stock import parse_quantity

__all__ = ["read_field", "field_label", "CHINESE", "CLEAR"]

_MAX_PRICE_TEXT = 40
CHINESE = ("name_zh", "description_zh", "category_zh")  # optional: "" shows the English one to everyone
CLEAR = "-"  # sent for an optional Chinese field: remove it


def field_label(turn: Turn, field: str) -> str:
    _ = turn._
    labels = {
        "name": _("name"),
        "sku": _("SKU"),
        "category": _("category"),
        "price": _("price"),
        "stock": _("stock on hand"),
        "safety": _("safety stock"),
        "description": _("description"),
        "name_zh": _("Chinese name"),
        "description_zh": _("Chinese description"),
        "category_zh": _("category's Chinese name"),
        "photo": _("photo"),
        "photos": _("photos"),
        "active": _("on sale"),
        "created": _("created"),
    }
    return labels.get(field, field)


async def read_field(turn: Turn, field: str) -> tuple[Any, str]:
    """(value, "") or (None, the message saying what is wrong), from the turn's event."""
    event = turn.event
    if field == "photo":
        return _photo(turn)
    if event.kind is not Kind.TEXT:
        return None, turn._("Please send this as a text message.")
    text = event.text
    if field == "name":
        return _name(turn, text)
    if field == "sku":
        return await _sku(turn, text)
    if field == "category":
        return _category(turn, text)
    if field == "price":
        return _price(turn, text)
    if field in ("stock", "safety"):
        return parse_quantity(turn, text.strip(), allow_zero=True)
    if field == "description":
        return _description(turn, text)
    if field in CHINESE:
        return _chinese(turn, field, text)
    raise ValueError(f"unknown product field {field!r}")


def _name(turn: Turn, text: str) -> tuple[str | None, str]:
    if len(text.strip()) > MAX_NAME:
        message = turn._("A product name is at most {max} characters; that one has {n}. Send a shorter one.")
        return None, message.format(max=MAX_NAME, n=len(text.strip()))
    try:
        return clean_text(text, "name", max_len=MAX_NAME), ""
    except InvalidInput:
        return None, turn._("Send the product name: letters or digits, at most {max} characters.").format(
            max=MAX_NAME
        )


async def _sku(turn: Turn, text: str) -> tuple[str | None, str]:
    sku = text.strip()
    try:
        validate_sku(sku)
    except InvalidInput:
        return None, turn._("A SKU is 1-40 letters, digits, “-”, “_” or “.”, e.g. TEA-GREEN-100. Try again.")
    taken = await turn.uow.products.get(sku)
    if taken is not None:
        message = turn._("SKU {sku} is already used by “{name}”. Send another one.")
        return None, message.format(sku=sku, name=taken.name)
    return sku, ""


def _category(turn: Turn, text: str) -> tuple[tuple[str, str] | None, str]:
    try:
        name = clean_text(text, "category", max_len=60)
    except InvalidInput:
        return None, turn._("A category name is 1-60 characters with letters or digits.")
    slug = category_slug(name)
    if not slug:
        return None, turn._("A category name is 1-60 characters with letters or digits.")
    return (slug, name), ""


def _price(turn: Turn, text: str) -> tuple[int | None, str]:
    raw = text.strip()
    shown = raw if len(raw) <= 20 else f"{raw[:12]}…"
    currency = turn.config.currency
    try:
        price = Money.parse(raw[:_MAX_PRICE_TEXT], currency) if len(raw) <= _MAX_PRICE_TEXT else None
    except InvalidInput:
        price = None
    if price is None:
        message = turn._("“{raw}” is not a price. Send it in {currency} like 12.50.")
        return None, message.format(raw=shown, currency=currency)
    if price.amount_minor < 0:
        return None, turn._("A price cannot be negative.")
    if price.amount_minor > MAX_PRICE_MINOR:
        top = Money(MAX_PRICE_MINOR, currency).format()
        return None, turn._("{raw} is more than {max} — please check the price.").format(raw=shown, max=top)
    return price.amount_minor, ""


def _description(turn: Turn, text: str) -> tuple[str | None, str]:
    description = text.strip()
    if len(description) > MAX_DESCRIPTION:
        message = turn._("A description is at most {max} characters; that one has {n}.")
        return None, message.format(max=MAX_DESCRIPTION, n=len(description))
    return description, ""


def _chinese(turn: Turn, field: str, text: str) -> tuple[str | None, str]:
    """A Chinese name or description, checked as the English one is; "-" removes it."""
    if text.strip() == CLEAR:
        return "", ""
    return _description(turn, text) if field == "description_zh" else _name(turn, text)


def _photo(turn: Turn) -> tuple[str | None, str]:
    event = turn.event
    if event.kind is Kind.PHOTO and event.photo:
        return event.photo, ""
    if event.sticker:
        return None, turn._("That is a sticker, not a photo. Send a photo (as a photo, not a file).")
    return None, turn._("Send a photo (as a photo, not a file).")
