"""`/newproduct`: a step-by-step form for staff; nothing is created until the last step's "Create".

The whole state table is `STEPS` below. Each step is a staff prompt (`handlers.merchant.prompting`, state
"catalog.new", its data {"step", "data"}, kept in `uow.dialogs` so it survives restarts): it takes only a
reply to its message (in a group a ✍ force_reply message asks) or the same staff member's next plain
message, and the form's own buttons; any command, another button or the timeout end the form and say so.
Optional steps have "Skip"; every step has "Back" (but the first) and "Cancel". A photo is stored by its
Telegram file id (the largest size).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from domain.actor import Actor
from domain.catalog.changes import ProductChange
from domain.catalog.products import Category, Product, category_slug
from domain.catalog.stock import StockLevel
from domain.money import Money
from handlers.actions.catalog import WizardMove
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Rows, Turn
from handlers.merchant.catalog.fields import read_field
from handlers.merchant.catalog.products import staff_card
from handlers.merchant.prompting import NEW_PRODUCT_PROMPT, leave_prompt, prompt_message, start_prompt

if TYPE_CHECKING:
    from handlers.merchant.desk import MerchantDesk

__all__ = ["WIZARD", "STEPS", "new_product_command", "on_wizard_input", "on_wizard_move"]

WIZARD = NEW_PRODUCT_PROMPT
SUBJECT = "/newproduct"  # what the prompt message names (a reply to it answers the form)
# step -> optional? (the order is the order of the form)
STEPS: dict[str, bool] = {
    "name": False,
    "sku": True,  # skipped: made from the name
    "category": False,
    "price": False,
    "stock": True,  # skipped: 0
    "safety": True,  # skipped: 0
    "description": True,
    "photo": True,
    "confirm": False,
}
_ORDER = list(STEPS)
_SKU_JUNK = re.compile(r"[^A-Z0-9]+")


def _question(turn: Turn, step: str, data: dict[str, Any]) -> str:
    _ = turn._
    questions = {
        "name": _("New product (1/8). Send its name."),
        "sku": _("(2/8) Send its SKU, e.g. TEA-GREEN-100, or skip to make one from the name."),
        "category": _("(3/8) Pick its category, or send a name to create a new one."),
        "price": _("(4/8) Send its price in {currency}, e.g. 12.50."),
        "stock": _("(5/8) How many units are on hand? (skip: 0)"),
        "safety": _("(6/8) Safety stock: below it you get a low-stock alert. (skip: 0)"),
        "description": _("(7/8) Send a description, or skip."),
        "photo": _("(8/8) Send a photo, or skip. More photos can be added from the product card."),
    }
    if step == "confirm":
        return _summary(turn, data)
    return questions[step].format(currency=turn.config.currency)


def _summary(turn: Turn, data: dict[str, Any]) -> str:
    _ = turn._
    price = Money(int(data["price"]), turn.config.currency).format()
    lines = [
        _("Create this product?"),
        f"{data['name']} ({data['sku']})",
        _("Category: {name}").format(name=data.get("category_name", data["category"])),
        _("Price: {price}").format(price=price),
        _("Stock {stock} · safety {safety}").format(stock=data.get("stock", 0), safety=data.get("safety", 0)),
        _("Photo: yes") if data.get("photo") else _("Photo: none"),
    ]
    if data.get("description"):
        lines.append(str(data["description"])[:300])
    return "\n".join(lines)


async def _show(turn: Turn, step: str, data: dict[str, Any], problem: str = "") -> Outcome:
    await start_prompt(turn, WIZARD, SUBJECT, step=step, data=data)
    _ = turn._
    rows: Rows = []
    if step == "category":
        for category in (await turn.uow.categories.list())[:12]:
            rows.append([turn.button(category.name, WizardMove("pick", category.slug))])
    if step == "confirm":
        rows.append([turn.button(_("✅ Create"), WizardMove("create"))])
    nav = [turn.button(_("Skip"), WizardMove("skip"))] if STEPS[step] else []
    if step != _ORDER[0]:
        nav.append(turn.button(_("⬅ Back"), WizardMove("back")))
    nav.append(turn.button(_("✖ Cancel"), WizardMove("cancel")))
    rows.append(nav)
    text = _question(turn, step, data)
    outcome = turn.say(f"{problem}\n\n{text}" if problem else text, rows)
    if not turn.event.private and step != "confirm":  # the reply box opens for this staff member
        outcome.replies.append(prompt_message(turn, SUBJECT, text))
    return outcome


async def new_product_command(desk: MerchantDesk, turn: Turn) -> Outcome:
    return await _show(turn, _ORDER[0], {})


def _progress(turn: Turn) -> tuple[str, dict[str, Any]] | None:
    if turn.dialog is None or turn.dialog[0] != WIZARD:
        return None
    state = turn.dialog[1]
    step = state.get("step")
    return (step, dict(state.get("data") or {})) if step in STEPS else None


def _next(step: str) -> str:
    return _ORDER[_ORDER.index(step) + 1]


async def on_wizard_input(desk: MerchantDesk, turn: Turn) -> Outcome:
    progress = _progress(turn)
    if progress is None:
        return turn.say(turn._("/newproduct starts a new product."))
    step, data = progress
    if step == "confirm":
        return await _show(turn, step, data, turn._("Press “Create”, or go back to change something."))
    value, problem = await read_field(turn, step)
    if problem:
        return await _show(turn, step, data, problem)
    if step == "category":
        data["category"], data["category_name"] = value
    else:
        data[step] = value
    return await _show(turn, _next(step), data)


async def _made_sku(turn: Turn, name: str) -> str:
    base = _SKU_JUNK.sub("-", name.upper()).strip("-")[:32] or "ITEM"
    sku, n = base, 1
    while await turn.uow.products.get(sku) is not None:
        n += 1
        sku = f"{base}-{n}"
    return sku


async def on_wizard_move(desk: MerchantDesk, turn: Turn, action: WizardMove) -> Outcome:
    _ = turn._
    progress = _progress(turn)
    if progress is None:
        return turn.toast(_("This form is closed. /newproduct starts a new one."), alert=True)
    step, data = progress
    if action.move == "cancel":
        await leave_prompt(turn)
        return turn.say(_("Cancelled. No product was created."))
    if action.move == "back":
        return await _show(turn, _ORDER[max(_ORDER.index(step) - 1, 0)], data)
    if action.move == "skip" and STEPS[step]:
        data.pop(step, None)
        if step == "sku":
            data["sku"] = await _made_sku(turn, str(data.get("name", "")))
        return await _show(turn, _next(step), data)
    if action.move == "pick" and step == "category":
        names = {c.slug: c.name for c in await turn.uow.categories.list()}
        if action.value not in names:
            return await _show(turn, step, data, _("That category no longer exists; pick another."))
        data["category"], data["category_name"] = action.value, names[action.value]
        return await _show(turn, _next(step), data)
    if action.move == "create" and step == "confirm":
        return await _create(turn, data)
    return turn.toast(_("This button is out of date."))


async def _create(turn: Turn, data: dict[str, Any]) -> Outcome:
    sku = str(data["sku"])
    if await turn.uow.products.get(sku) is not None:  # taken since it was typed
        message = turn._("SKU {sku} was taken meanwhile. Send another one.").format(sku=sku)
        return await _show(turn, "sku", data, message)
    categories = {c.slug: c for c in await turn.uow.categories.list()}
    slug = category_slug(str(data["category"])) or str(data["category"])
    if slug not in categories:
        position = max((c.position for c in categories.values()), default=-1) + 1
        await turn.uow.categories.add(Category(slug, str(data.get("category_name", slug)), position))
    product = Product(
        sku,
        str(data["name"]),
        slug,
        Money(int(data["price"]), turn.config.currency),
        description=str(data.get("description", "")),
        photo=data.get("photo") or None,
    )
    await turn.uow.products.add(product)
    level = StockLevel(sku, on_hand=int(data.get("stock", 0)), safety=int(data.get("safety", 0)))
    await turn.uow.stocks.add(level)
    actor = Actor.staff(turn.user_id)
    await turn.uow.product_changes.add(ProductChange(sku, actor, turn.now, "created", "", product.name))
    await leave_prompt(turn)
    return await staff_card(turn, product, note=turn._("Created. Customers can buy it now."))
