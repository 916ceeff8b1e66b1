"""What Telegram users do, as updates the fake server hands out through getUpdates."""

from __future__ import annotations

import itertools
import time
from typing import Any

__all__ = ["TelegramUsers"]

_query_ids = itertools.count(1)


class TelegramUsers:
    """Mixed into `FakeTelegram`: each method pushes one update and returns what a test needs next."""

    users: dict[int, dict[str, Any]]
    open_queries: set[str]

    async def push_update(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def chat(self, chat_id: int) -> dict[str, Any]:
        raise NotImplementedError

    def new_message_id(self, chat_id: int) -> int:
        raise NotImplementedError

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        raise NotImplementedError

    def user(self, user_id: int, language_code: str | None = "en", first_name: str = "") -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name or f"User {user_id}"}
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        return user

    async def user_message(
        self, user_id: int, chat_id: int | None = None, language_code: str | None = "en", **content: Any
    ) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        message = {
            "message_id": self.new_message_id(chat_id),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": self.user(user_id, language_code),
            **content,
        }
        return await self.push_update("message", message)

    async def push_text(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "en",
        chat_id: int | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """`reply_to`: the id of a message in the chat this one replies to (Telegram's "Reply")."""
        content: dict[str, Any] = {"text": text}
        if reply_to is not None:
            content["reply_to_message"] = self.message(user_id if chat_id is None else chat_id, reply_to)
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.user_message(user_id, chat_id, language_code, **content)

    async def press(self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None) -> str:
        """Press an inline button of a message the bot sent; returns the callback query id."""
        chat_id = user_id if chat_id is None else chat_id
        query_id = f"cq-{next(_query_ids)}"
        self.open_queries.add(query_id)
        await self.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.users.get(user_id) or self.user(user_id),
                "message": self.message(chat_id, message_id),
                "chat_instance": f"ci-{chat_id}",
                "data": data,
            },
        )
        return query_id

    async def share_contact(
        self, user_id: int, phone: str, *, contact_user_id: int | None = None, language_code: str = "en"
    ) -> dict[str, Any]:
        contact = {"phone_number": phone, "first_name": "Ann", "user_id": contact_user_id or user_id}
        return await self.user_message(user_id, language_code=language_code, contact=contact)

    async def send_sticker(self, user_id: int) -> dict[str, Any]:
        sticker = {
            "file_id": "CAAC-sticker",
            "file_unique_id": "sticker1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return await self.user_message(user_id, sticker=sticker)

    async def send_photo(self, user_id: int, caption: str = "") -> dict[str, Any]:
        photo = [{"file_id": "AgAC-user-photo", "file_unique_id": "up1", "width": 90, "height": 90}]
        extra = {"caption": caption} if caption else {}
        return await self.user_message(user_id, photo=photo, **extra)

    async def pre_checkout(self, user_id: int, payload: str, currency: str, total_amount: int) -> str:
        """The user confirmed an invoice; returns the pre-checkout query id the bot must answer."""
        query_id = f"pcq-{next(_query_ids)}"
        self.open_queries.add(query_id)
        await self.push_update(
            "pre_checkout_query",
            {
                "id": query_id,
                "from": self.users.get(user_id) or self.user(user_id),
                "currency": currency,
                "total_amount": total_amount,
                "invoice_payload": payload,
            },
        )
        return query_id

    async def pay(
        self,
        user_id: int,
        payload: str,
        currency: str,
        total_amount: int,
        *,
        telegram_charge_id: str = "tg-charge-1",
        provider_charge_id: str = "provider-charge-1",
    ) -> dict[str, Any]:
        payment = {
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
            "telegram_payment_charge_id": telegram_charge_id,
            "provider_payment_charge_id": provider_charge_id,
        }
        return await self.user_message(user_id, successful_payment=payment)
