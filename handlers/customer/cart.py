"""The cart: add from a product card, −/+/remove per line, subtotal, clear, go to checkout."""

from __future__ import annotations

from domain.analytics import FunnelStep
from domain.cart import Cart
from domain.catalog.products import Product
from domain.money import Money
from domain.ports import UnitOfWork
from handlers.actions.customer import (
    AddToCart,
    CartClear,
    CartRemove,
    CartStep,
    Categories,
    Menu,
    ShowCart,
    ShowProduct,
    StartCheckout,
)
from handlers.customer.catalog import on_sale, product_card
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Rows, Turn

__all__ = ["COMMANDS", "ROUTES", "priced_lines", "priced_lines_of", "show_cart"]


def _still_sold(product: Product | None, currency: str) -> bool:
    return product is not None and product.active and product.price.currency == currency


async def priced_lines_of(
    uow: UnitOfWork, cart: Cart, currency: str
) -> tuple[list[tuple[Product, int]], Money]:
    """Read only (the Mini App's cart): the lines still sold, with live products, and their subtotal."""
    lines: list[tuple[Product, int]] = []
    total = Money.zero(currency)
    for sku, qty in cart.lines.items():
        product = await uow.products.get(sku)
        if product is not None and _still_sold(product, currency):
            lines.append((product, qty))
            total = total + product.price * qty
    return lines, total


async def priced_lines(turn: Turn, cart: Cart) -> tuple[list[tuple[Product, int]], list[str]]:
    """The cart's sellable lines with live products; lines no longer sold are dropped (names returned)."""
    lines: list[tuple[Product, int]] = []
    gone: list[str] = []
    for sku, qty in list(cart.lines.items()):
        product = await turn.uow.products.get(sku)
        if product is None or not _still_sold(product, turn.config.currency):
            cart.remove(sku)
            gone.append(product.display_name(turn.language) if product else sku)
        else:
            lines.append((product, qty))
    if gone:
        await turn.uow.carts.save(cart, now=turn.now)
    return lines, gone


def subtotal(turn: Turn, lines: list[tuple[Product, int]]) -> Money:
    total = Money.zero(turn.config.currency)
    for product, qty in lines:
        total = total + product.price * qty
    return total


async def show_cart(
    turn: Turn, _action: object = None, *, note: str = "", cart: Cart | None = None
) -> Outcome:
    """`cart`: the cart as the caller just changed it (not read again)."""
    _ = turn._
    if cart is None:
        cart = await turn.uow.carts.get(turn.user_id)
    lines, gone = await priced_lines(turn, cart)
    notes = [note] if note else []
    if gone:
        notes.append(_("No longer sold, removed from your cart: {names}").format(names=", ".join(gone)))
    if not lines:
        empty: Rows = [[turn.button(_("🛍 Catalog"), Categories()), turn.button(_("⬅ Menu"), Menu())]]
        return turn.say("\n".join([*notes, _("Your cart is empty.")]), empty)
    text = [*notes, _("Your cart:")]
    rows: Rows = []
    for product, qty in lines:
        text.append(f"• {product.display_name(turn.language)} × {qty} = {turn.money(product.price * qty)}")
        rows.append(
            [
                turn.button("−", CartStep(product.sku, -1)),
                turn.button(
                    f"{_short(product.display_name(turn.language))} × {qty}", ShowProduct(product.sku, 1)
                ),
                turn.button("+", CartStep(product.sku, 1)),
                turn.button("✕", CartRemove(product.sku)),
            ]
        )
    text.append(_("Subtotal: {amount}").format(amount=turn.money(subtotal(turn, lines))))
    rows.append([turn.button(_("✅ Checkout"), StartCheckout())])
    rows.append([turn.button(_("🗑 Clear cart"), CartClear()), turn.button(_("🛍 Catalog"), Categories())])
    return turn.say("\n".join(text), rows)


def _room(available: int, cart: Cart, sku: str, qty: int) -> int | None:
    left = available - cart.quantity(sku)
    return None if qty <= left else max(left, 0)


def _refusal(turn: Turn, room: int, in_cart: int) -> Outcome:
    if room == 0 and in_cart == 0:
        return turn.toast(turn._("Sorry, this product is sold out."), alert=True)
    if room == 0:  # not "only 0 more available"
        text = turn.ngettext(
            "Sorry, it is sold out: the only {n} left is in your cart.",
            "Sorry, it is sold out: the last {n} are in your cart.",
            in_cart,
        )
        return turn.toast(text.format(n=in_cart), alert=True)
    text = turn._("Sorry, only {n} more available (you have {in_cart} in your cart).")
    return turn.toast(text.format(n=room, in_cart=in_cart), alert=True)


async def add_to_cart(turn: Turn, action: AddToCart) -> Outcome:
    product, available = await on_sale(turn, action.sku)
    if product is None:
        return turn.toast(turn._("Sorry, this product is no longer available."), alert=True)
    cart = await turn.uow.carts.get(turn.user_id)
    room = _room(available, cart, action.sku, action.qty)
    if room is not None:
        return _refusal(turn, room, cart.quantity(action.sku))
    if cart.is_empty:
        await turn.uow.funnel.record(FunnelStep.CART_CREATED, turn.user_id, turn.now)
    cart.add(action.sku, action.qty, price_minor=product.price.amount_minor)
    await turn.uow.carts.save(cart, now=turn.now)
    outcome = await product_card(turn, product, 1, cart=cart, available=available)
    outcome.answer = turn._("Added to cart: {name} × {n}").format(
        name=product.display_name(turn.language), n=action.qty
    )
    return outcome


async def step(turn: Turn, action: CartStep) -> Outcome:
    cart = await turn.uow.carts.get(turn.user_id)
    current = cart.quantity(action.sku)
    if current == 0:  # pressed on an old cart message
        return await show_cart(turn, cart=cart)
    if action.delta > 0:
        product, available = await on_sale(turn, action.sku)
        if product is None:
            return await show_cart(turn, cart=cart)
        room = _room(available, cart, action.sku, 1)
        if room is not None:
            return _refusal(turn, room, current)
    cart.set_quantity(action.sku, current + action.delta)
    await turn.uow.carts.save(cart, now=turn.now)
    return await show_cart(turn, cart=cart)


async def remove(turn: Turn, action: CartRemove) -> Outcome:
    cart = await turn.uow.carts.get(turn.user_id)
    cart.remove(action.sku)
    await turn.uow.carts.save(cart, now=turn.now)
    return await show_cart(turn, cart=cart)


async def clear(turn: Turn, _action: CartClear) -> Outcome:
    cart = await turn.uow.carts.get(turn.user_id)
    cart.clear()
    await turn.uow.carts.save(cart, now=turn.now)
    return await show_cart(turn, cart=cart)


COMMANDS = {"cart": show_cart}

ROUTES = {
    ShowCart: show_cart,
    AddToCart: add_to_cart,
    CartStep: step,
    CartRemove: remove,
    CartClear: clear,
}


def _short(name: str, limit: int = 20) -> str:
    """A product name that fits a button next to − + ✕: whole words, then "…"."""
    if len(name) <= limit:
        return name
    cut = name[: limit - 1].rsplit(" ", 1)[0] if " " in name[: limit - 1] else name[: limit - 1]
    return cut.rstrip() + "…"
