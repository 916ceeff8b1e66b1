"""Editing one product field from the desk is the chat's staff card, step by step: press "✏ Price", send
the new value as the next message, and on a bad answer press "✖ Cancel". So the chat editor
(`handlers.merchant.catalog.editor`) checks the value, saves it with its history entry (who, when,
old → new), and words the answer; the app only shows it. A refused value leaves no prompt open in the chat.
"""

from __future__ import annotations

from bot.webapp.context import MiniApp
from bot.webapp.events import Said, message, press
from bot.webapp.init_data import WebAppUser
from handlers.actions.catalog import EditProduct, StaffProduct
from handlers.merchant.catalog.products import EDIT_PROMPT

__all__ = ["edit_product_field"]

_MAX_TEXT = 200


async def edit_product_field(shop: MiniApp, user: WebAppUser, sku: str, field: str, text: str) -> Said:
    asked = await press(shop.handler, user, EditProduct(sku, field))
    if not asked.ok:  # no such product, or not staff: the chat's own refusal
        return asked
    answer = await message(shop.handler, user, text.strip()[:_MAX_TEXT])
    if await _still_asking(shop, user.id):  # the value was refused: the prompt waits for another one
        await press(shop.handler, user, StaffProduct(sku))  # the prompt's Cancel button
        return Said(False, answer.message)
    note = answer.message.split("\n\n", 1)[0]  # the card says what was saved above its lines
    return Said(True, note, answer.screen)


async def _still_asking(shop: MiniApp, user_id: int) -> bool:
    async with shop.uow_factory(write=False) as uow:
        dialog = await uow.dialogs.get(user_id)
    return dialog is not None and dialog[0] == EDIT_PROMPT
