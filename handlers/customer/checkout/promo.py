"""The "Have a code?" step of checkout: asked only from the review, checked against the cart as it is.

A code that applies is kept in the form as `data["promo"]`; the review shows its discount line and placing
the order claims one use of it (`domain.services.place_order`). A refused code keeps the question open
with the reason (unknown, ended, used up, below the minimum, not for these products).
"""

from __future__ import annotations

from domain.catalog.products import Product
from domain.errors import InvalidInput
from domain.promo import PromoRefused, Refusal, normalize_code
from domain.services import quote_promo
from handlers.customer.cart import priced_lines
from handlers.customer.checkout.steps import Data, Step, nav_row
from handlers.kernel.error_replies import promo_refusal
from handlers.kernel.reply import Reply
from handlers.kernel.turn import Turn

__all__ = ["ask_promo", "take_promo", "promo_line"]


def ask_promo(turn: Turn, data: Data) -> list[Reply]:
    text = turn._("Type your promo code (for example SPRING10):")
    return [turn.reply(text, [nav_row(turn, Step.PROMO)])]


async def take_promo(turn: Turn, data: Data, text: str) -> str | None:
    try:
        code = normalize_code(text[:40])
    except InvalidInput:
        return promo_refusal(turn, PromoRefused(text.strip()[:20], Refusal.UNKNOWN))
    lines, _gone = await priced_lines(turn, await turn.uow.carts.get(turn.user_id))
    try:
        await quote_promo(turn.uow, code, turn.user_id, lines, turn.now)
    except PromoRefused as refused:
        return promo_refusal(turn, refused)
    data["promo"] = code
    return None


async def promo_line(turn: Turn, data: Data, lines: list[tuple[Product, int]]) -> tuple[str, int]:
    """The review's discount line and the discount in minor units; ("", 0) without a code.

    A code that stopped applying since it was entered (the cart changed, it ended) is dropped from the form
    and the line says why.
    """
    code = data.get("promo")
    if not code:
        return "", 0
    try:
        _promo, discount = await quote_promo(turn.uow, code, turn.user_id, lines, turn.now)
    except PromoRefused as refused:
        data.pop("promo", None)
        return promo_refusal(turn, refused), 0
    text = turn._("Discount ({code}): −{amount}").format(code=code, amount=turn.money(discount))
    return text, discount.amount_minor
