"""The messages a conversation sends: a customer's message to the merchant chat, the shop's answer to the
customer. Both are written to the outbox in the unit of work that stored the message, sent after commit.

A relayed message's outbox key is "contact:<id>:relay"; once sent, the relay hook in `bot.wiring.merchant`
stores the Telegram message id it got, so staff can answer by replying to it.
"""

from __future__ import annotations

from datetime import datetime

from domain.conversation import ShopMessage
from domain.order import Order
from domain.ports import UnitOfWork
from handlers.actions.contact import AnswerCustomer, ContactShop, OrderThread
from handlers.actions.customer import ShowOrder, pack
from handlers.kernel.i18n import MERCHANT_LANGUAGE, customer_language, translations
from handlers.kernel.outbox import write_reply
from handlers.kernel.reply import Button, Reply
from handlers.kernel.status_text import status_label

__all__ = ["relay_to_shop", "answer_to_customer", "relayed_message_id"]


def relayed_message_id(dedupe_key: str | None) -> int | None:
    """The stored message id of a relayed message's outbox key "contact:<id>:relay", else None."""
    head, _sep, rest = (dedupe_key or "").partition(":")
    number, _sep, tail = rest.partition(":")
    return int(number) if head == "contact" and tail == "relay" and number.isdigit() else None


async def relay_to_shop(
    uow: UnitOfWork, message: ShopMessage, order: Order | None, *, who: str, chat_id: int | None
) -> None:
    if chat_id is None or message.id is None:
        return
    _ = translations(MERCHANT_LANGUAGE).gettext
    if order is not None:
        status = status_label(order.status, MERCHANT_LANGUAGE)
        head = _("💬 {who} about order {number} ({status}):").format(
            who=who, number=order.number, status=status
        )
    else:
        head = _("💬 {who} (no order):").format(who=who)
    rows = [[Button(_("↩ Reply"), pack(AnswerCustomer(message.id)))]]
    if order is not None:
        rows[0].append(Button(_("🗂 Thread"), pack(OrderThread(order.number))))
    text = f"{head}\n{message.text}" if message.text else head
    reply = Reply(text, tuple(tuple(row) for row in rows), photo=message.photo)
    await write_reply(uow, chat_id, reply, message.at, dedupe_key=f"contact:{message.id}:relay")


async def answer_to_customer(uow: UnitOfWork, answer: ShopMessage, *, shop_name: str, now: datetime) -> None:
    """The shop's answer in the customer's chat, signed with the shop's name (never the staff member's)."""
    language = await customer_language(uow, answer.customer_id)
    _ = translations(language).gettext
    head = _("✉ {shop} answered:").format(shop=shop_name)
    rows = [[Button(_("💬 Answer the shop"), pack(ContactShop(answer.order_number or "")))]]
    if answer.order_number:
        rows.append([Button(_("Order details"), pack(ShowOrder(answer.order_number)))])
    text = f"{head}\n{answer.text}" if answer.text else head
    reply = Reply(text, tuple(tuple(row) for row in rows), photo=answer.photo)
    await write_reply(uow, answer.customer_id, reply, now, dedupe_key=f"contact:{answer.id}:answer")
