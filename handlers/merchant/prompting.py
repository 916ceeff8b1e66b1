"""A staff prompt: one question (tracking number, typed reason, restock quantity, a product's field, a
step of /newproduct, an answer to a customer, a note on an order) waiting for one answer.

A prompt takes only the answer meant for it: a reply to its own message (sent with Telegram's force_reply,
which reaches the bot in groups with privacy mode on) or the same staff member's next plain message in the
same chat, with nothing in between. Anything else that staff member does — a command, a button that is not
the prompt's own, a sticker, a message in another chat or in reply to another message — and a timeout end
it, and ending it says so on the card. Prompts are kept per staff member (`uow.dialogs`), so two staff
members' prompts never cross.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from domain.ports import UnitOfWork
from handlers.actions.catalog import StaffProduct, WizardMove
from handlers.actions.contact import OrderThread
from handlers.actions.customer import Action, StaleAction, unpack
from handlers.actions.merchant import ShipVia, StopAsking
from handlers.kernel.i18n import N_, translations
from handlers.kernel.incoming import Kind
from handlers.kernel.reply import Outcome, Reply
from handlers.kernel.turn import Turn
from handlers.merchant.order_card import card_view, staff_names

if TYPE_CHECKING:
    from handlers.merchant.desk import MerchantDesk

__all__ = [
    "PROMPT_TIMEOUT",
    "MARK",
    "SHIP_PROMPT",
    "REJECT_PROMPT",
    "RESTOCK_PROMPT",
    "MESSAGE_PROMPT",
    "PRODUCT_PROMPT",
    "NEW_PRODUCT_PROMPT",
    "ANSWER_PROMPT",
    "NOTE_PROMPT",
    "PROMPTS",
    "answer_kinds",
    "Prompt",
    "open_prompt",
    "start_prompt",
    "leave_prompt",
    "settle_prompt",
    "prompt_message",
    "ended_card",
    "stale_prompt",
    "timed_out_text",
]

PROMPT_TIMEOUT = timedelta(minutes=5)
_MINUTES = int(PROMPT_TIMEOUT.total_seconds() // 60)
MARK = "✍"  # every prompt message starts with it; a reply to one names its subject
SHIP_PROMPT = "merchant.ship"
REJECT_PROMPT = "merchant.reject"
RESTOCK_PROMPT = "merchant.restock"
MESSAGE_PROMPT = "merchant.message"
PRODUCT_PROMPT = "catalog.edit"  # one field of a product (handlers.merchant.catalog.editor)
NEW_PRODUCT_PROMPT = "catalog.new"  # a step of /newproduct (handlers.merchant.catalog.new_product)
ANSWER_PROMPT = "contact.answer"  # staff answering a customer's message (handlers.contact.staff)
NOTE_PROMPT = "contact.note"  # an internal note on an order (handlers.contact.staff)
PROMPTS = (
    SHIP_PROMPT,
    REJECT_PROMPT,
    RESTOCK_PROMPT,
    MESSAGE_PROMPT,
    PRODUCT_PROMPT,
    NEW_PRODUCT_PROMPT,
    ANSWER_PROMPT,
    NOTE_PROMPT,
)
_ON_ORDERS = (SHIP_PROMPT, REJECT_PROMPT, MESSAGE_PROMPT, NOTE_PROMPT)
# a photo answers (a product's photo, a photo passed on to a customer); a sticker is told what is expected
_ANY_MESSAGE = (PRODUCT_PROMPT, NEW_PRODUCT_PROMPT, ANSWER_PROMPT, NOTE_PROMPT)

_TIMED_OUT = N_("⌛ The prompt timed out after {minutes} minutes. Nothing changed.")
_COMMAND_FIRST = N_("✖ The prompt ended: /{command} came first. Nothing changed.")
_BUTTON_FIRST = N_("✖ The prompt ended: another button was pressed. Nothing changed.")
_OTHER_FIRST = N_("✖ The prompt ended: another message came first. Nothing changed.")
_STOPPED = N_("✖ The prompt was stopped with /cancel. Nothing changed.")


@dataclass(frozen=True, slots=True)
class Prompt:
    state: str
    subject: str  # the order number, or the sku of a restock
    chat_id: int | None
    message_id: int | None  # the card (or alert) the prompt was opened from
    at: datetime
    data: dict[str, Any]

    @property
    def on_order(self) -> bool:
        return self.state in _ON_ORDERS

    @property
    def order_number(self) -> str:
        """The order an order's prompt is about (a note's subject also names what it asks for)."""
        return str(self.data.get("order", self.subject))


def _prompt(state: str, data: dict[str, Any], now: datetime) -> Prompt:
    try:
        at = datetime.fromisoformat(str(data["at"]))
    except (KeyError, ValueError):
        at = now - PROMPT_TIMEOUT * 2  # a prompt stored before prompts had a start: long gone
    return Prompt(state, str(data.get("number", "")), data.get("chat_id"), data.get("message_id"), at, data)


def open_prompt(turn: Turn) -> Prompt | None:
    if turn.dialog is None or turn.dialog[0] not in PROMPTS:
        return None
    return _prompt(*turn.dialog, turn.now)


async def start_prompt(turn: Turn, state: str, subject: str, **extra: Any) -> None:
    data = {
        "number": subject,
        "chat_id": turn.event.chat_id,
        "message_id": turn.event.message_id,
        "at": turn.now.isoformat(),
        **extra,
    }
    await turn.uow.dialogs.set(turn.user_id, state, data)
    turn.dialog = (state, data)


async def leave_prompt(turn: Turn) -> None:
    if open_prompt(turn) is not None:
        await turn.uow.dialogs.clear(turn.user_id)
        turn.dialog = None


def prompt_message(turn: Turn, subject: str, question: str) -> Reply:
    """The message the answer replies to: it opens the reply box for the staff member (force_reply)."""
    head = turn._("{mark} {subject} — {name}, reply to this message.").format(
        mark=MARK, subject=subject, name=turn.customer.display_name or f"#{turn.user_id}"
    )
    return Reply(f"{head}\n{question}", force_reply=True)


def answer_kinds(state: str) -> tuple[Kind, ...]:
    """What kind of message answers a prompt in `state`: text; for the catalog's and the conversations'
    any message (a product's photo, a photo for the customer; a sticker is answered with what is expected)."""
    return (Kind.TEXT, Kind.PHOTO, Kind.OTHER) if state in _ANY_MESSAGE else (Kind.TEXT,)


def _answers(prompt: Prompt, turn: Turn) -> bool:
    event = turn.event
    if event.kind not in answer_kinds(prompt.state) or event.chat_id != prompt.chat_id:
        return False
    if event.reply_to_message_id is None:
        return True  # the next plain message in the prompt's chat: nothing came in between
    if event.reply_to_message_id == prompt.message_id:
        return True  # a reply to the card itself
    return event.reply_to_text.startswith(MARK) and f" {prompt.subject} " in event.reply_to_text


def _own_button(prompt: Prompt, action: Action | None) -> bool:
    """The prompt's own buttons: a carrier or ⬅ Back on the order, ✖ Cancel on the product, the form's
    moves (skip, back, cancel, a category, create), a note's ✖ Cancel (back to the order's thread)."""
    if prompt.state == ANSWER_PROMPT:
        return False
    if prompt.state == NOTE_PROMPT:
        return isinstance(action, OrderThread) and action.number == prompt.order_number
    if prompt.state == NEW_PRODUCT_PROMPT:
        return isinstance(action, WizardMove)
    if prompt.state == PRODUCT_PROMPT:
        return isinstance(action, StaffProduct) and action.sku == prompt.subject
    return isinstance(action, ShipVia | StopAsking) and action.number == prompt.subject


def _action(turn: Turn) -> Action | None:
    try:
        return unpack(turn.event.action)
    except StaleAction:
        return None


async def settle_prompt(desk: MerchantDesk, turn: Turn) -> tuple[Outcome, bool]:
    """End the staff member's open prompt unless this event is its answer or one of its buttons.

    Returns what ending it shows (the card, redrawn with why) and whether the event is used up (`/cancel`).
    """
    prompt = open_prompt(turn)
    if prompt is None:
        return Outcome(), False
    event = turn.event
    expired = turn.now - prompt.at >= PROMPT_TIMEOUT  # the sweeping job may not have run yet
    if not expired and (_answers(prompt, turn) or _own_button(prompt, _action(turn))):
        return Outcome(), False
    command = event.text.lower() if event.kind is Kind.COMMAND else ""
    if expired:
        why = timed_out_text(turn.language)
    elif command == "cancel":
        why = turn._(_STOPPED)
    elif command:
        why = turn._(_COMMAND_FIRST).format(command=command)
    elif event.kind is Kind.BUTTON:
        why = turn._(_BUTTON_FIRST)
    else:
        why = turn._(_OTHER_FIRST)
    await leave_prompt(turn)
    replies = await _redraw(desk, turn, prompt, why)
    used_up = command == "cancel" or (expired and event.kind is Kind.TEXT)
    if used_up:
        replies.append(Reply(why))  # the text (or /cancel) was for the prompt: say why nothing happened
    return Outcome(replies, answer=why if event.kind is Kind.BUTTON else None), used_up


async def _redraw(desk: MerchantDesk, turn: Turn, prompt: Prompt, why: str) -> list[Reply]:
    return await ended_card(turn.uow, prompt, why, turn.language, manual_delivery=desk.manual_delivery)


async def ended_card(
    uow: UnitOfWork, prompt: Prompt, why: str, language: str, *, manual_delivery: bool
) -> list[Reply]:
    """The card the prompt was opened from, with its buttons back and why the prompt ended."""
    if not prompt.on_order or prompt.message_id is None:
        return [Reply(why, chat_id=prompt.chat_id)]
    order = await uow.orders.get(prompt.order_number)
    if order is None:
        return [Reply(why, chat_id=prompt.chat_id)]
    names = await staff_names(uow, order)
    view = card_view(order, language, names, manual_delivery=manual_delivery)
    text = f"{view.text}\n\n{why}"
    return [Reply(text, view.buttons, chat_id=prompt.chat_id, edit_message_id=prompt.message_id)]


def stale_prompt(state: str, data: dict[str, Any], now: datetime) -> Prompt | None:
    """The prompt in this dialog when it has outlived `PROMPT_TIMEOUT` (for the sweeping job)."""
    prompt = _prompt(state, data, now) if state in PROMPTS else None
    return prompt if prompt is not None and now - prompt.at >= PROMPT_TIMEOUT else None


def timed_out_text(language: str) -> str:
    return translations(language).gettext(_TIMED_OUT).format(minutes=_MINUTES)
