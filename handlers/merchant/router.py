"""The merchant side's routing: which events are merchant events, and the tables from command and button
action to the function that answers it (as `handlers.app`'s customer `COMMANDS` and `ROUTES`).

`ShopApp` hands an event here when `claims(desk, event, dialog)` says it is a merchant command, a merchant
button or the answer to a merchant prompt. `handle` checks the presser's id on every event: anyone else
is refused, nothing changes, and the attempt is logged without personal data (no user id, no text).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from handlers.actions import catalog as staff_catalog
from handlers.actions.aftercare import (
    ContactCustomer,
    MarkCashPaid,
    RefundedByHand,
    RefundOrder,
    RestockSku,
    ReturnLine,
    ReturnOrder,
    ShipAgain,
)
from handlers.actions.contact import AddOrderNote, AnswerCustomer, OrderThread
from handlers.actions.customer import Action, StaleAction, unpack
from handlers.actions.merchant import (
    AcceptOrder,
    CancelByShop,
    FixTracking,
    MarkDelivery,
    OpenOrder,
    OrderQueue,
    OrderQueues,
    PackOrder,
    RejectOrder,
    ShipOrder,
    ShipVia,
    StockPage,
    StopAsking,
)
from handlers.contact import staff as conversations
from handlers.kernel.incoming import Incoming, Kind
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Turn
from handlers.merchant import orders as merchant_orders
from handlers.merchant import promos as merchant_promos
from handlers.merchant import prompting
from handlers.merchant import prompts as merchant_prompts
from handlers.merchant import queues as merchant_queues
from handlers.merchant.aftercare import problems as aftercare
from handlers.merchant.aftercare import returns
from handlers.merchant.catalog import editor as product_editor
from handlers.merchant.catalog import new_product, products
from handlers.merchant.catalog import stock as merchant_stock
from handlers.merchant.desk import MerchantDesk

__all__ = [
    "MERCHANT_COMMANDS",
    "STAFF_COMMANDS",
    "ROUTES",
    "ANSWERS",
    "answers_in_group",
    "claims",
    "settle_prompt",
    "handle",
]

log = logging.getLogger("shopbot.merchant")

Handler = Callable[[MerchantDesk, Turn], Awaitable[Outcome]]
ActionHandler = Callable[[MerchantDesk, Turn, Any], Awaitable[Outcome]]


async def staff_help(desk: MerchantDesk, turn: Turn) -> Outcome:
    _ = turn._
    lines = [
        _("Shop staff commands:"),
        _("/orders – queues: new, to pack, to ship, in transit, problems"),
        _("/order <number> – an order's card and timeline"),
        _("/ship <number> <carrier> <tracking number> – ship a packed order"),
        _("/stock – stock levels, low first"),
        _("/restock <sku> <qty>, /setstock <sku> <qty>, /safety <sku> <qty>"),
        _("/disable <sku>, /enable <sku> – hide or show a product"),
        _("/stats [today|7d|30d] – sales, funnel and top products, with a chart"),
        _("/export [today|7d|30d] – the orders as CSV, sent to you privately"),
        _("/cancel – stop a prompt that waits for your answer"),
        _("/promo – promo codes: create, list, pause, resume, report"),
        _("/products [name or SKU] – the catalog: edit, photos, enable, delete, history"),
        _("/newproduct – add a product step by step"),
        _("Reply to a customer's message here to answer it (signed with the shop's name)."),
    ]
    return turn.say("\n".join(lines))


# Only staff may use these; anyone else is refused.
MERCHANT_COMMANDS: dict[str, Handler] = {
    "staff": staff_help,
    "order": merchant_queues.order_command,
    "ship": merchant_prompts.ship_command,
    "stock": merchant_stock.stock_command,
    "restock": merchant_stock.restock,
    "setstock": merchant_stock.set_stock,
    "safety": merchant_stock.set_safety,
    "enable": merchant_stock.enable,
    "disable": merchant_stock.disable,
    "promo": merchant_promos.promo_command,
    "products": products.products_command,
    "newproduct": new_product.new_product_command,
}
# Staff get the merchant version; a customer gets the customer command of the same name.
STAFF_COMMANDS: dict[str, Handler] = {"orders": merchant_queues.queues_command}

ROUTES: dict[type[Action], ActionHandler] = {
    AcceptOrder: merchant_orders.accept,
    RejectOrder: merchant_orders.reject,
    PackOrder: merchant_orders.pack_order,
    ShipOrder: merchant_prompts.ask_shipment,
    ShipVia: merchant_prompts.ship_via,
    FixTracking: merchant_prompts.ask_correction,
    CancelByShop: merchant_orders.cancel,
    MarkDelivery: merchant_orders.mark_delivery,
    StopAsking: merchant_prompts.stop_asking,
    OrderQueues: merchant_queues.show_queues,
    OrderQueue: merchant_queues.show_queue,
    OpenOrder: merchant_queues.open_order,
    StockPage: merchant_stock.show_stock,
    staff_catalog.ProductsHome: products.show_home,
    staff_catalog.ProductsPage: products.show_page,
    staff_catalog.StaffProduct: products.open_card,
    staff_catalog.EditProduct: product_editor.ask_edit,
    staff_catalog.ToggleProduct: products.toggle,
    staff_catalog.DeleteProduct: products.delete,
    staff_catalog.RemovePhotos: products.remove_photos,
    staff_catalog.WizardMove: new_product.on_wizard_move,
    AnswerCustomer: conversations.ask_answer,
    OrderThread: conversations.show_thread,
    AddOrderNote: conversations.ask_note,
    ContactCustomer: aftercare.contact_customer,
    ShipAgain: aftercare.ship_again,
    ReturnOrder: returns.return_order,
    ReturnLine: returns.return_line,
    RefundOrder: returns.refund,
    RefundedByHand: returns.refunded_by_hand,
    MarkCashPaid: aftercare.collect_cash,
    RestockSku: merchant_stock.ask_restock,
}
# The answer to an open prompt, by the prompt's state (see `handlers.merchant.prompting`).
ANSWERS: dict[str, Handler] = {
    prompting.SHIP_PROMPT: merchant_prompts.on_prompt_text,
    prompting.REJECT_PROMPT: merchant_prompts.on_prompt_text,
    prompting.MESSAGE_PROMPT: aftercare.on_message_text,
    prompting.RESTOCK_PROMPT: merchant_stock.on_restock_text,
    prompting.PRODUCT_PROMPT: product_editor.on_edit_input,
    prompting.NEW_PRODUCT_PROMPT: new_product.on_wizard_input,
    prompting.ANSWER_PROMPT: conversations.on_answer,
    prompting.NOTE_PROMPT: conversations.on_note,
}


def _command(event: Incoming) -> str:
    return event.text.lower().split("@")[0]


def _action(event: Incoming) -> Action | None:
    try:
        return unpack(event.action)
    except StaleAction:
        return None


def claims(desk: MerchantDesk, event: Incoming, dialog: tuple[str, dict[str, Any]] | None) -> bool:
    """True for events the merchant side answers (including ones it will refuse)."""
    if event.kind is Kind.BUTTON:
        return type(_action(event)) in ROUTES
    if event.kind is Kind.COMMAND:
        name = _command(event)
        return name in MERCHANT_COMMANDS or (name in STAFF_COMMANDS and desk.is_staff(event.user_id))
    return _prompted(desk, event, dialog) or _answering(desk, event)


def answers_in_group(desk: MerchantDesk, event: Incoming) -> bool:
    """In a group (the merchant chat) only staff, or merchant events to refuse, get an answer."""
    return desk.is_staff(event.user_id) or claims(desk, event, None)


def _prompted(desk: MerchantDesk, event: Incoming, dialog: tuple[str, dict[str, Any]] | None) -> bool:
    """A message that may answer this staff member's open prompt (which one it answers: `prompting`)."""
    if dialog is None or dialog[0] not in prompting.PROMPTS or not desk.is_staff(event.user_id):
        return False
    return event.kind in prompting.answer_kinds(dialog[0])


async def settle_prompt(desk: MerchantDesk, turn: Turn) -> tuple[Outcome, bool]:
    """End a staff member's open prompt this event does not answer (see `prompting`); (what ending it
    shows, whether the event was used up)."""
    if not desk.is_staff(turn.user_id):
        return Outcome(), False
    return await prompting.settle_prompt(desk, turn)


def _answering(desk: MerchantDesk, event: Incoming) -> bool:
    """Staff replying to a message in the merchant chat: perhaps a relayed customer message."""
    return (
        desk.is_staff(event.user_id)
        and event.chat_id == desk.chat_id
        and event.reply_to_message_id is not None
        and event.kind in (Kind.TEXT, Kind.PHOTO)
    )


async def handle(desk: MerchantDesk, turn: Turn) -> Outcome:
    event = turn.event
    if not desk.is_staff(turn.user_id):
        return _refuse(turn)
    if event.kind is Kind.BUTTON:
        action = unpack(event.action)
        return await ROUTES[type(action)](desk, turn, action)
    if event.kind is Kind.COMMAND:
        return await {**MERCHANT_COMMANDS, **STAFF_COMMANDS}[_command(event)](desk, turn)
    state = turn.dialog[0] if turn.dialog else ""
    if state in ANSWERS and event.kind in prompting.answer_kinds(state):
        return await ANSWERS[state](desk, turn)
    return await conversations.on_reply(desk, turn)


def _refuse(turn: Turn) -> Outcome:
    event = turn.event
    what = _command(event) if event.kind is Kind.COMMAND else type(_action(event)).__name__
    log.warning("merchant_access_refused kind=%s what=%s private=%s", event.kind, what, event.private)
    if event.kind is Kind.BUTTON:
        return turn.toast(turn._("This button is for shop staff only."), alert=True)
    return turn.say(turn._("This command is for shop staff only."))
