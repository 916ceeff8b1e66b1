"""Stock for staff: `/stock` (low first, paged), `/restock`, `/setstock`, `/safety`, `/enable`, `/disable`.

Every edit is validated before it touches anything (unknown sku, not a whole number, negative, absurd,
below what orders reserved) and saved with who made it (`StockAudit`). A low-stock alert the edit fires
goes out through the turn's events; a restock back above the safety stock re-arms the alert.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from domain.actor import Actor
from domain.catalog.products import Product
from domain.catalog.stock import MAX_STOCK, StockLevel
from domain.ports import StockAudit
from handlers.actions.aftercare import RestockSku
from handlers.actions.merchant import StockPage
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Rows, Turn
from handlers.merchant.desk import MerchantDesk
from handlers.merchant.prompting import (
    RESTOCK_PROMPT,
    leave_prompt,
    open_prompt,
    prompt_message,
    start_prompt,
)

__all__ = [
    "stock_command",
    "show_stock",
    "restock",
    "set_stock",
    "set_safety",
    "enable",
    "disable",
    "parse_quantity",
    "reserved_floor",
    "ask_restock",
    "on_restock_text",
]

_WHOLE = re.compile(r"^[+-]?[0-9]+$")


def _line(turn: Turn, level: StockLevel, product: Product | None) -> str:
    mark = "⚠ " if level.is_low else ""
    name = product.name if product else "?"
    off = turn._(" (disabled)") if product is not None and not product.active else ""
    numbers = turn._(
        "on hand {on_hand} · reserved {reserved} · available {available} · safety {safety}"
    ).format(on_hand=level.on_hand, reserved=level.reserved, available=level.available, safety=level.safety)
    return f"{mark}{level.sku} {name}{off}: {numbers}"


async def stock_command(desk: MerchantDesk, turn: Turn) -> Outcome:
    return await show_stock(desk, turn, StockPage(0))


async def show_stock(desk: MerchantDesk, turn: Turn, action: StockPage) -> Outcome:
    _ = turn._
    size = desk.page_size
    levels, total = await turn.uow.stocks.list_levels(offset=action.page * size, limit=size)
    if not levels:
        return turn.say(_("No stock recorded yet."))
    pages = max((total + size - 1) // size, 1)
    lines = [_("Stock, low first — page {page} of {pages}:").format(page=action.page + 1, pages=pages)]
    lines += [_line(turn, level, await turn.uow.products.get(level.sku)) for level in levels]
    nav = []
    if action.page > 0:
        nav.append(turn.button("◀", StockPage(action.page - 1)))
    if action.page + 1 < pages:
        nav.append(turn.button("▶", StockPage(action.page + 1)))
    rows: Rows = [nav]
    return turn.say("\n".join(lines), rows)


def parse_quantity(turn: Turn, raw: str, *, allow_zero: bool) -> tuple[int | None, str]:
    """(quantity, "") or (None, what is wrong), in the staff member's language."""
    _ = turn._
    if not _WHOLE.match(raw):
        return None, _("“{raw}” is not a whole number.").format(raw=raw[:20])
    digits = raw.lstrip("+-").lstrip("0")
    # int() refuses strings past 4,300 digits; anything longer than MAX_STOCK is too big, whatever follows
    qty = int(raw) if len(digits) <= len(str(MAX_STOCK)) else (MAX_STOCK + 1) * (-1 if raw[0] == "-" else 1)
    if qty < 0 or (qty == 0 and not allow_zero):
        return None, _("The quantity must be 0 or more.") if allow_zero else _(
            "The quantity must be at least 1."
        )
    if qty > MAX_STOCK:
        shown = raw if len(raw) <= 20 else f"{raw[:12]}…"
        return None, _("{qty} is more than {max} — please check the number.").format(qty=shown, max=MAX_STOCK)
    return qty, ""


async def _product(turn: Turn, sku: str) -> Product | None:
    return await turn.uow.products.get(sku) if 0 < len(sku) <= 40 else None


async def _edit(
    turn: Turn, usage: str, change: Callable[[StockLevel, int], str | None], *, allow_zero: bool
) -> Outcome:
    """Parse "<sku> <qty>", apply `change` (returns an error text or None) and save it with an audit."""
    _ = turn._
    parts = turn.event.args.split()
    if len(parts) != 2:
        return turn.say(_("Usage: {usage}").format(usage=usage))
    sku, raw = parts
    product = await _product(turn, sku)
    if product is None:
        return turn.say(_("Unknown SKU “{sku}”. /stock lists them.").format(sku=sku[:40]))
    qty, problem = parse_quantity(turn, raw, allow_zero=allow_zero)
    if qty is None:
        return turn.say(problem)
    level = await turn.uow.stocks.get(product.sku)
    if level is None:
        await turn.uow.stocks.add(StockLevel(product.sku))
        level = await turn.uow.stocks.get(product.sku)
        assert level is not None
    was_armed = level.low_alert_armed
    refusal = change(level, qty)
    if refusal:
        return turn.say(refusal)
    audit = StockAudit(product.sku, Actor.staff(turn.user_id), turn.now, usage.split()[0][1:] + f" {raw}")
    await turn.uow.stocks.save(level, audit)
    turn.events.extend(level.events)
    level.events.clear()
    lines = [_line(turn, level, product)]
    if level.low_alert_armed and not was_armed:
        lines.append(_("Stock is back above the safety level; the low-stock alert is armed again."))
    return turn.say("\n".join(lines))


def reserved_floor(turn: Turn, level: StockLevel, qty: int) -> str | None:
    """Why on hand cannot be set to `qty` (orders hold more units than that), or None."""
    if qty < level.reserved:
        text = turn.ngettext(
            "{sku}: {reserved} unit is reserved by orders; on hand cannot go below that.",
            "{sku}: {reserved} units are reserved by orders; on hand cannot go below that.",
            level.reserved,
        )
        return text.format(sku=level.sku, reserved=level.reserved)
    return None


async def restock(desk: MerchantDesk, turn: Turn) -> Outcome:
    def apply(level: StockLevel, qty: int) -> str | None:
        if level.on_hand + qty > MAX_STOCK:
            text = turn._("{sku}: on hand would be {total}, more than {max} — please check the number.")
            return text.format(sku=level.sku, total=f"{level.on_hand + qty:,}", max=f"{MAX_STOCK:,}")
        level.restock(qty)
        return None

    return await _edit(turn, "/restock <sku> <qty>", apply, allow_zero=False)


async def set_stock(desk: MerchantDesk, turn: Turn) -> Outcome:
    def apply(level: StockLevel, qty: int) -> str | None:
        problem = reserved_floor(turn, level, qty)
        if problem is None:
            level.set_on_hand(qty)
        return problem

    return await _edit(turn, "/setstock <sku> <qty>", apply, allow_zero=True)


async def set_safety(desk: MerchantDesk, turn: Turn) -> Outcome:
    def apply(level: StockLevel, qty: int) -> str | None:
        level.set_safety(qty)
        return None

    return await _edit(turn, "/safety <sku> <qty>", apply, allow_zero=True)


async def _toggle(turn: Turn, usage: str, active: bool) -> Outcome:
    _ = turn._
    parts = turn.event.args.split()
    if len(parts) != 1:
        return turn.say(_("Usage: {usage}").format(usage=usage))
    product = await _product(turn, parts[0])
    if product is None:
        return turn.say(_("Unknown SKU “{sku}”. /stock lists them.").format(sku=parts[0][:40]))
    product.active = active
    await turn.uow.products.add(product)
    level = await turn.uow.stocks.get(product.sku)
    if level is not None:
        change = "enable" if active else "disable"
        await turn.uow.stocks.save(
            level, StockAudit(product.sku, Actor.staff(turn.user_id), turn.now, change)
        )
    if active:
        return turn.say(_("{name} ({sku}) is on sale again.").format(name=product.name, sku=product.sku))
    return turn.say(
        _("{name} ({sku}) is hidden from the catalog.").format(name=product.name, sku=product.sku)
    )


async def enable(desk: MerchantDesk, turn: Turn) -> Outcome:
    return await _toggle(turn, "/enable <sku>", True)


async def disable(desk: MerchantDesk, turn: Turn) -> Outcome:
    return await _toggle(turn, "/disable <sku>", False)


async def ask_restock(desk: MerchantDesk, turn: Turn, action: RestockSku) -> Outcome:
    """📦 Restock under a low-stock alert: ask how many arrived (a prompt, see `prompting`)."""
    product = await _product(turn, action.sku)
    if product is None:
        return turn.toast(
            turn._("Unknown SKU “{sku}”. /stock lists them.").format(sku=action.sku), alert=True
        )
    await start_prompt(turn, RESTOCK_PROMPT, product.sku)
    question = turn._("How many units of {name} arrived?").format(name=product.name)
    return Outcome([prompt_message(turn, product.sku, question)], answer=turn._("Reply with the quantity."))


async def on_restock_text(desk: MerchantDesk, turn: Turn) -> Outcome:
    prompt = open_prompt(turn)
    if prompt is None:
        return Outcome()
    qty, problem = parse_quantity(turn, turn.event.text.strip(), allow_zero=False)
    if qty is None:
        return turn.say(problem)
    await leave_prompt(turn)
    turn.event = replace(turn.event, args=f"{prompt.subject} {qty}")
    return await restock(desk, turn)
