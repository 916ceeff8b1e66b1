"""Changing one field of a product from its staff card: the press asks, the answer changes it.

The question is a staff prompt (`handlers.merchant.prompting`, state "catalog.edit", subject the SKU, the
field in its data): it takes only a reply to its message (in a group a ✍ force_reply message asks) or the
same staff member's next plain message; a command, another button or the timeout end it and say so. A
bad answer gets a clear message and changes nothing (the prompt stays); a good one is saved with its
history entry (who, when, old → new) and the card is shown again. A new price applies to carts from now
on; placed orders keep the prices they were placed with.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from domain.actor import Actor
from domain.catalog.changes import ProductChange
from domain.catalog.products import MAX_PHOTOS, Category, Product
from domain.catalog.stock import StockLevel
from domain.money import Money
from domain.ports import StockAudit
from handlers.actions.catalog import EditProduct, StaffProduct
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Rows, Turn
from handlers.merchant.catalog.fields import read_field
from handlers.merchant.catalog.products import EDIT_PROMPT, record_changes, staff_card
from handlers.merchant.prompting import leave_prompt, open_prompt, prompt_message, start_prompt

if TYPE_CHECKING:
    from handlers.merchant.desk import MerchantDesk

__all__ = ["ask_edit", "on_edit_input"]


def _question(turn: Turn, field: str, product: Product) -> str:
    _ = turn._
    questions = {
        "name": _("Send the new name of {name}."),
        "category": _("Send the category of {name}: an existing one's name, or a new name to create it."),
        "price": _("Send the new price of {name} in {currency}, e.g. 12.50."),
        "stock": _("Send how many units of {name} are on hand now."),
        "safety": _("Send the safety stock of {name}: below it you get a low-stock alert."),
        "description": _("Send the new description of {name}."),
        "photo": _("Send a photo of {name}; it is added after the ones it has."),
    }
    return questions[field].format(name=product.name, currency=turn.config.currency)


async def ask_edit(desk: MerchantDesk, turn: Turn, action: EditProduct) -> Outcome:
    product = await turn.uow.products.get(action.sku)
    if product is None:
        return turn.toast(turn._("That product no longer exists."), alert=True)
    if action.field == "photo" and len(product.photos) >= MAX_PHOTOS:
        return turn.toast(turn._("A product has at most {n} photos.").format(n=MAX_PHOTOS), alert=True)
    await start_prompt(turn, EDIT_PROMPT, product.sku, field=action.field)
    question = _question(turn, action.field, product)
    rows: Rows = [[turn.button(turn._("✖ Cancel"), StaffProduct(product.sku))]]
    outcome = turn.say(question, rows)
    if not turn.event.private:  # the reply box opens for this staff member (force_reply)
        outcome.replies.append(prompt_message(turn, product.sku, question))
    return outcome


async def on_edit_input(desk: MerchantDesk, turn: Turn) -> Outcome:
    prompt = open_prompt(turn)
    sku, field = (prompt.subject, str(prompt.data.get("field", ""))) if prompt else ("", "")
    product = await turn.uow.products.get(sku)
    if product is None:
        await leave_prompt(turn)
        return turn.say(turn._("That product no longer exists."))
    value, problem = await read_field(turn, field)
    if problem:
        return turn.say(problem, [[turn.button(turn._("✖ Cancel"), StaffProduct(sku))]])
    before = dataclasses.replace(product)
    if field in ("stock", "safety"):
        problem = await _set_stock(turn, before, field, value)
        if problem:
            return turn.say(problem, [[turn.button(turn._("✖ Cancel"), StaffProduct(sku))]])
        after = before
    else:
        after = await _changed(turn, before, field, value)
        await record_changes(turn, before, after)
    await leave_prompt(turn)
    note = turn._("Saved.")
    if field == "price":
        note = turn._("Price saved. Carts show it from now on; placed orders keep the price they had.")
    return await staff_card(turn, after, note=note)


async def _changed(turn: Turn, product: Product, field: str, value: Any) -> Product:
    if field == "price":
        return dataclasses.replace(product, price=Money(value, product.price.currency))
    if field == "category":
        slug, name = value
        categories = {c.slug: c for c in await turn.uow.categories.list()}
        if slug not in categories:
            position = max((c.position for c in categories.values()), default=-1) + 1
            await turn.uow.categories.add(Category(slug, name, position))
        return dataclasses.replace(product, category=slug)
    if field == "photo":
        after = dataclasses.replace(product)
        after.set_photos([*product.photos, value])
        return after
    return dataclasses.replace(product, **{field: value})


async def _set_stock(turn: Turn, product: Product, field: str, qty: int) -> str:
    """Set on hand or the safety stock with a stock audit and a history entry; an error text or ""."""
    level = await turn.uow.stocks.get(product.sku)
    if level is None:
        await turn.uow.stocks.add(StockLevel(product.sku))
        level = await turn.uow.stocks.get(product.sku)
        assert level is not None
    old = level.on_hand if field == "stock" else level.safety
    if field == "stock":
        if qty < level.reserved:
            text = turn._("{sku}: {reserved} units are reserved by orders; on hand cannot go below that.")
            return text.format(sku=product.sku, reserved=level.reserved)
        level.set_on_hand(qty)
    else:
        level.set_safety(qty)
    actor = Actor.staff(turn.user_id)
    change = f"{'set' if field == 'stock' else 'safety'} {qty}"
    await turn.uow.stocks.save(level, StockAudit(product.sku, actor, turn.now, change))
    turn.events.extend(level.events)
    level.events.clear()
    if old != qty:
        await turn.uow.product_changes.add(
            ProductChange(product.sku, actor, turn.now, field, str(old), str(qty))
        )
    return ""
