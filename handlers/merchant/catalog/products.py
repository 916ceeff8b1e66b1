"""`/products` for staff: categories → a page of products (disabled ones too) → the staff product card.

`/products <words>` searches names and SKUs. The card shows the photo, price, stock, safety stock, the
on-sale flag and the latest changes (who, when, old → new), with a button to change each; deleting is
offered only while no order references the product (otherwise it can be disabled).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from domain.actor import Actor
from domain.catalog.changes import ProductChange, changes_between
from domain.catalog.products import Product
from domain.catalog.stock import StockLevel
from domain.customer import clean_text
from domain.errors import InvalidInput
from handlers.actions.catalog import (
    DeleteProduct,
    EditProduct,
    ProductsHome,
    ProductsPage,
    RemovePhotos,
    StaffProduct,
    ToggleProduct,
)
from handlers.kernel.reply import Button, Outcome
from handlers.kernel.turn import Rows, Turn
from handlers.merchant.catalog.fields import field_label
from handlers.merchant.prompting import PRODUCT_PROMPT, leave_prompt

if TYPE_CHECKING:
    from handlers.merchant.desk import MerchantDesk

__all__ = [
    "EDIT_PROMPT",
    "products_command",
    "show_home",
    "show_page",
    "open_card",
    "staff_card",
    "toggle",
    "delete",
    "remove_photos",
    "record_changes",
]

_HISTORY = 5
EDIT_PROMPT = PRODUCT_PROMPT  # the prompt of an in-place edit (handlers.merchant.catalog.editor)


async def products_command(desk: MerchantDesk, turn: Turn) -> Outcome:
    words = turn.event.args.strip()
    if words:
        return await _search(turn, words)
    return await show_home(desk, turn, ProductsHome())


async def show_home(desk: MerchantDesk, turn: Turn, _action: ProductsHome) -> Outcome:
    _ = turn._
    rows: Rows = []
    for category in await turn.uow.categories.list():
        _items, total = await turn.uow.products.list_by_category(
            category.slug, limit=1, include_inactive=True
        )
        rows.append([turn.button(f"{category.name} ({total})", ProductsPage(category.slug, 0))])
    text = _("Catalog: pick a category, or search with /products <name or SKU>. /newproduct adds one.")
    if not rows:
        text = _("The catalog is empty. /newproduct adds the first product.")
    return turn.say(text, rows)


async def show_page(desk: MerchantDesk, turn: Turn, action: ProductsPage) -> Outcome:
    size = desk.page_size
    products, total = await turn.uow.products.list_by_category(
        action.slug, offset=action.page * size, limit=size, include_inactive=True
    )
    pages = max((total + size - 1) // size, 1)
    rows: Rows = [[turn.button(_list_label(turn, p), StaffProduct(p.sku))] for p in products]
    nav = []
    if action.page > 0:
        nav.append(turn.button("◀", ProductsPage(action.slug, action.page - 1)))
    if action.page + 1 < pages:
        nav.append(turn.button("▶", ProductsPage(action.slug, action.page + 1)))
    rows += [nav, [turn.button(turn._("⬅ Categories"), ProductsHome())]]
    text = turn._("Page {page} of {pages}:").format(page=action.page + 1, pages=pages)
    return turn.say(text if products else turn._("No products in this category."), rows)


def _list_label(turn: Turn, product: Product) -> str:
    off = " 🚫" if not product.active else ""
    return f"{product.name} · {turn.money(product.price)}{off}"


async def _search(turn: Turn, words: str) -> Outcome:
    try:
        needle = clean_text(words[:100], "search", max_len=100)
    except InvalidInput:
        return turn.say(turn._("Search with a word of a product name or its SKU."))
    hits = await turn.uow.products.search(needle, limit=10, include_inactive=True)
    rows: Rows = [[turn.button(_list_label(turn, p), StaffProduct(p.sku))] for p in hits]
    rows.append([turn.button(turn._("⬅ Categories"), ProductsHome())])
    if not hits:
        return turn.say(turn._("No product matches “{query}”.").format(query=needle), rows)
    return turn.say(turn._("Products matching “{query}”:").format(query=needle), rows)


async def open_card(desk: MerchantDesk, turn: Turn, action: StaffProduct) -> Outcome:
    if turn.dialog and turn.dialog[0] == EDIT_PROMPT:  # the edit prompt's ✖ Cancel leads here
        await leave_prompt(turn)
    product = await turn.uow.products.get(action.sku)
    if product is None:
        return turn.toast(turn._("That product no longer exists."), alert=True)
    return await staff_card(turn, product)


async def _who(turn: Turn, actor: Actor) -> str:
    person = await turn.uow.customers.get(int(actor.ref)) if actor.ref.isdigit() else None
    return (person.display_name if person else "") or f"#{actor.ref or actor.kind}"


async def _history_line(turn: Turn, change: ProductChange) -> str:
    when = change.at.astimezone(ZoneInfo(turn.config.timezone)).strftime("%m-%d %H:%M")
    who = await _who(turn, change.actor)
    what = field_label(turn, change.field)
    if change.field == "created":
        return f"{when} {who}: {what}"
    return f"{when} {who}: {what} {change.old or '—'} → {change.new or '—'}"


async def staff_card(turn: Turn, product: Product, *, note: str = "") -> Outcome:
    _ = turn._
    level = await turn.uow.stocks.get(product.sku) or StockLevel(product.sku)
    category = {c.slug: c.name for c in await turn.uow.categories.list()}.get(product.category, "?")
    lines = [
        f"🛠 {product.name} ({product.sku})",
        _("Category: {name}").format(name=category),
        _("Price: {price}").format(price=turn.money(product.price)),
        _("Stock: on hand {on_hand} · reserved {reserved} · safety {safety}").format(
            on_hand=level.on_hand, reserved=level.reserved, safety=level.safety
        ),
        _("On sale") if product.active else _("🚫 Disabled: hidden from customers"),
        _("Photos: {n}").format(n=len(product.photos)),
    ]
    if product.description:
        lines += ["", product.description[:300]]
    history = await turn.uow.product_changes.latest(product.sku, limit=_HISTORY)
    if history:
        lines += ["", _("History:")] + [await _history_line(turn, c) for c in history]
    if note:
        lines = [note, "", *lines]
    return turn.say("\n".join(lines), _card_rows(turn, product), photo=product.photo)


def _card_rows(turn: Turn, product: Product) -> Rows:
    _ = turn._

    def edit(label: str, field: str) -> Button:
        return turn.button(label, EditProduct(product.sku, field))

    photo_row = [edit(_("🖼 Add photo"), "photo")]
    if product.photos:
        photo_row.append(turn.button(_("Remove photos"), RemovePhotos(product.sku)))
    toggle = _("🚫 Disable") if product.active else _("✅ Enable")
    return [
        [edit(_("✏ Name"), "name"), edit(_("✏ Category"), "category")],
        [edit(_("✏ Price"), "price"), edit(_("✏ Stock"), "stock"), edit(_("✏ Safety"), "safety")],
        [edit(_("✏ Description"), "description")],
        photo_row,
        [
            turn.button(toggle, ToggleProduct(product.sku)),
            turn.button(_("🗑 Delete"), DeleteProduct(product.sku)),
        ],
        [turn.button(_("⬅ Back"), ProductsPage(product.category, 0))],
    ]


async def record_changes(turn: Turn, before: Product, after: Product) -> list[ProductChange]:
    """Save `after` and one history entry per changed field; the entries."""
    changes = changes_between(before, after, Actor.staff(turn.user_id), turn.now)
    if changes:
        await turn.uow.products.add(after)
        for change in changes:
            await turn.uow.product_changes.add(change)
    return changes


async def _product(turn: Turn, sku: str) -> Product | None:
    product = await turn.uow.products.get(sku)
    return dataclasses.replace(product) if product is not None else None


async def toggle(desk: MerchantDesk, turn: Turn, action: ToggleProduct) -> Outcome:
    before = await _product(turn, action.sku)
    if before is None:
        return turn.toast(turn._("That product no longer exists."), alert=True)
    after = dataclasses.replace(before, active=not before.active)
    await record_changes(turn, before, after)
    done = turn._("On sale again.") if after.active else turn._("Disabled: customers no longer see it.")
    return await staff_card(turn, after, note=done)


async def remove_photos(desk: MerchantDesk, turn: Turn, action: RemovePhotos) -> Outcome:
    before = await _product(turn, action.sku)
    if before is None:
        return turn.toast(turn._("That product no longer exists."), alert=True)
    after = dataclasses.replace(before, photo=None, more_photos=())
    await record_changes(turn, before, after)
    return await staff_card(turn, after, note=turn._("Photos removed."))


async def delete(desk: MerchantDesk, turn: Turn, action: DeleteProduct) -> Outcome:
    _ = turn._
    product = await _product(turn, action.sku)
    if product is None:
        return turn.toast(_("That product no longer exists."), alert=True)
    if await turn.uow.products.ordered(product.sku):
        note = _("Orders reference {sku}, so it cannot be deleted; disable it to hide it from customers.")
        return await staff_card(turn, product, note=note.format(sku=product.sku))
    if not action.confirmed:
        rows: Rows = [
            [turn.button(_("🗑 Yes, delete it"), DeleteProduct(product.sku, True))],
            [turn.button(_("⬅ Keep it"), StaffProduct(product.sku))],
        ]
        return turn.say(_("Delete {name} ({sku}) for good?").format(name=product.name, sku=product.sku), rows)
    await turn.uow.products.delete(product.sku)
    await turn.uow.product_changes.add(
        ProductChange(product.sku, Actor.staff(turn.user_id), turn.now, "deleted", product.name, "")
    )
    rows = [[turn.button(_("⬅ Back"), ProductsPage(product.category, 0))]]
    return turn.say(_("{name} ({sku}) was deleted.").format(name=product.name, sku=product.sku), rows)
