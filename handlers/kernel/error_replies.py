"""The one place a domain error becomes what the user sees: what happened and what to do next."""

from __future__ import annotations

from domain.errors import (
    CartLimitExceeded,
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotAllowed,
    NotFound,
    OutOfStock,
    PaymentUnavailable,
)
from domain.promo import PromoRefused, Refusal
from handlers.actions.customer import Menu, ShowCart, StaleAction
from handlers.kernel.incoming import Kind
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Rows, Turn

__all__ = ["explain", "promo_refusal"]


async def _product_name(turn: Turn, sku: str) -> str:
    product = await turn.uow.products.get(sku)
    return product.display_name(turn.language) if product else sku


async def explain(turn: Turn, error: Exception) -> Outcome:
    """A reply for `error`; the caller has rolled back, so nothing the event tried is kept."""
    _ = turn._
    cart_row = [turn.button(_("🛒 Cart"), ShowCart()), turn.button(_("⬅ Menu"), Menu())]
    if isinstance(error, StaleAction):
        return _answer(turn, _("This button is out of date."), [cart_row])
    if isinstance(error, OutOfStock):
        name = await _product_name(turn, error.sku)
        if error.available:
            text = _("Sorry, only {n} of {name} left. Please lower the quantity in your cart.")
        else:
            text = _("Sorry, {name} just sold out. Please remove it from your cart.")
        return _answer(turn, text.format(n=error.available, name=name), [cart_row])
    if isinstance(error, CartLimitExceeded):
        return _answer(turn, _("Your cart is full: at most 99 of one product and 50 products."), [cart_row])
    if isinstance(error, NotFound | NotAllowed):  # the same words: a forged button learns nothing
        return _answer(turn, _("That order or item is not available."), [cart_row])
    if isinstance(error, PaymentUnavailable):  # its order was cancelled (checkout/compensation.py)
        text = _(
            "Card payment is not available right now, so this order was cancelled and your cart is kept: "
            "try again in a minute, or choose another way to pay."
        )
        return _answer(turn, text, [cart_row])
    if isinstance(error, PromoRefused):  # at placement: the review is still open, without an order
        return _answer(turn, promo_refusal(turn, error), [cart_row])
    if isinstance(error, IllegalTransition):
        return _answer(turn, _("This order cannot be changed like that any more."), [cart_row])
    if isinstance(error, InvalidInput) and error.field == "cart":
        text = _("Something in your cart is no longer sold. Please check your cart.")
    elif isinstance(error, DomainError):
        text = _("That did not work. Please check and try again.")
    else:
        text = _("Sorry, something went wrong on our side. Please try again in a minute.")
    return _answer(turn, text, [cart_row])


def promo_refusal(turn: Turn, error: PromoRefused) -> str:
    """Why a code cannot be used, and what to do."""
    _ = turn._
    texts = {
        Refusal.UNKNOWN: _("There is no code {code}. Please check the spelling."),
        Refusal.EXPIRED: _("The code {code} is not valid at the moment (it has ended or not started yet)."),
        Refusal.USED_UP: _("The code {code} has been used up."),
        Refusal.ALREADY_USED: _("You have already used the code {code} as often as it allows."),
        Refusal.BELOW_MINIMUM: _("The code {code} needs a subtotal of at least {minimum}."),
        Refusal.NOT_FOR_PRODUCTS: _("The code {code} is not valid for the products in your cart."),
    }
    minimum = turn.money(error.minimum) if error.minimum is not None else ""
    return texts[error.reason].format(code=error.code, minimum=minimum)


def _answer(turn: Turn, text: str, rows: Rows) -> Outcome:
    if turn.event.kind is Kind.BUTTON:
        return Outcome(replies=[], answer=text, alert=True)
    return Outcome(replies=[turn.reply(text, rows)])
