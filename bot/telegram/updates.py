"""Reading a Telegram update into `Incoming`, for either runtime.

python-telegram-bot and aiogram both model updates with the Bot API's own field names (`update.message.
from_user.id`, `message.contact.phone_number`, `pre_checkout_query.invoice_payload` ...), so one reader
serves both without importing either: it reads attributes, never framework types.
"""

from __future__ import annotations

from typing import Any

from handlers.kernel.incoming import Incoming, Kind, Payment

__all__ = ["ALLOWED_UPDATES", "read_update", "as_read"]

ALLOWED_UPDATES = ["message", "callback_query", "pre_checkout_query"]


def as_read(payload: dict[str, Any]) -> dict[str, Any]:
    """The update without what nothing reads, for the framework to parse: the keyboard of the message a
    pressed button sits under (Telegram sends it back whole, and a catalog page's ten buttons were an
    eighth of the CPU per update in python-telegram-bot's parsing). The stored update is not changed."""
    query = payload.get("callback_query")
    if not isinstance(query, dict):
        return payload
    message = query.get("message")
    if not isinstance(message, dict) or "reply_markup" not in message:
        return payload
    pressed = {key: value for key, value in message.items() if key != "reply_markup"}
    return {**payload, "callback_query": {**query, "message": pressed}}


def read_update(update: Any) -> Incoming | None:
    """The event a handler sees, or None for an update no user is behind (channel posts, service notes)."""
    if update.message is not None:
        return _from_message(update.update_id, update.message)
    if update.callback_query is not None:
        return _from_button(update.update_id, update.callback_query)
    if update.pre_checkout_query is not None:
        return _from_precheckout(update.update_id, update.pre_checkout_query)
    return None


def _person(update_id: int, user: Any, chat_id: int, private: bool) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "user_id": user.id,
        "chat_id": chat_id,
        "language_code": user.language_code,
        "user_name": user.full_name,
        "private": private,
    }


def _from_message(update_id: int, message: Any) -> Incoming | None:
    if message.from_user is None:
        return None
    who = _person(update_id, message.from_user, message.chat.id, message.chat.type == "private")
    if message.successful_payment is not None:
        paid = message.successful_payment
        payment = Payment(
            payload=paid.invoice_payload,
            currency=paid.currency,
            total_amount=paid.total_amount,
            telegram_charge_id=paid.telegram_payment_charge_id,
            provider_charge_id=paid.provider_payment_charge_id,
        )
        return Incoming(Kind.PAYMENT, payment=payment, message_id=message.message_id, **who)
    if message.contact is not None:
        return Incoming(
            Kind.CONTACT,
            phone=message.contact.phone_number,
            contact_user_id=message.contact.user_id,
            message_id=message.message_id,
            **who,
        )
    if message.photo:  # sizes, smallest first: keep the largest
        largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
        caption = message.caption or ""
        return Incoming(
            Kind.PHOTO,
            photo=largest.file_id,
            text=caption,
            message_id=message.message_id,
            **who,
            **_replying(message),
        )
    if message.text is None:
        sticker = getattr(message, "sticker", None) is not None
        return Incoming(Kind.OTHER, sticker=sticker, message_id=message.message_id, **who)
    if _starts_with_command(message):
        head, _, args = message.text.partition(" ")
        command = head[1:].split("@", 1)[0].lower()  # "/Start@shop_bot" → "start"
        return Incoming(Kind.COMMAND, text=command, args=args.strip(), message_id=message.message_id, **who)
    return Incoming(Kind.TEXT, text=message.text, message_id=message.message_id, **who, **_replying(message))


def _replying(message: Any) -> dict[str, Any]:
    """Which of the bot's messages this one answers (a reply to a person's message is not an answer)."""
    answered = message.reply_to_message
    if answered is None or answered.from_user is None or not answered.from_user.is_bot:
        return {}
    text = answered.text or answered.caption or ""
    return {"reply_to_message_id": answered.message_id, "reply_to_text": text}


def _starts_with_command(message: Any) -> bool:
    return any(e.type == "bot_command" and e.offset == 0 for e in message.entities or ())


def _from_button(update_id: int, query: Any) -> Incoming:
    message = query.message  # None for buttons under inline-mode messages
    chat_id = message.chat.id if message is not None else query.from_user.id
    private = message is None or message.chat.type == "private"
    return Incoming(
        Kind.BUTTON,
        action=query.data or "",
        message_id=message.message_id if message is not None else None,
        pressed_photo=bool(getattr(message, "photo", None)),  # PTB: () when none; aiogram: None
        **_person(update_id, query.from_user, chat_id, private),
    )


def _from_precheckout(update_id: int, query: Any) -> Incoming:
    payment = Payment(
        payload=query.invoice_payload,
        currency=query.currency,
        total_amount=query.total_amount,
        query_id=query.id,
    )
    return Incoming(
        Kind.PRECHECKOUT, payment=payment, **_person(update_id, query.from_user, query.from_user.id, True)
    )
