"""Bot API methods of the fake Telegram server: what each answers and the checks Telegram makes."""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiogram.enums import Currency

__all__ = ["ApiError", "BotApiMethods", "UploadedFile", "BOT_USER"]

BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Test Shop",
    "username": "test_shop_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
TELEGRAM_CURRENCIES = {currency.value for currency in Currency}  # core.telegram.org/bots/payments
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass(frozen=True, slots=True)
class UploadedFile:
    filename: str
    content: bytes


class BotApiMethods:
    """Method name (lower case) → implementation over the chats and messages this fake knows."""

    def __init__(self) -> None:
        self.webhook_url = ""
        self.blocked: set[int] = set()
        self.users: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.menu_button: dict[str, Any] | None = None
        self.open_queries: set[str] = set()
        self._message_ids: dict[int, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._file_ids = itertools.count(1)
        self.methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getme": lambda p: BOT_USER,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": lambda p: {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": 0,
            },
            "setmycommands": lambda p: True,
            "setchatmenubutton": self._set_menu_button,
            "getmycommands": lambda p: [],
            "close": lambda p: True,
            "logout": lambda p: True,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendinvoice": self._send_invoice,
            "editmessagetext": self._edit_text,
            "editmessagereplymarkup": self._edit_markup,
            "answercallbackquery": self._answer_query("callback_query_id"),
            "answerprecheckoutquery": self._answer_query("pre_checkout_query_id"),
        }

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The message as it stands now (after edits)."""
        return self.messages[(chat_id, message_id)]

    def new_message_id(self, chat_id: int) -> int:
        return next(self._message_ids[chat_id])

    def chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": "Shop staff"}
        user = self.users.get(chat_id, {"first_name": f"User {chat_id}"})
        return {"id": chat_id, "type": "private", "first_name": user["first_name"]}

    # -- webhook -----------------------------------------------------------------------------------------
    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        return True

    def _set_menu_button(self, params: dict[str, Any]) -> bool:
        button = params.get("menu_button") or {}
        if button.get("type") == "web_app" and not str(button.get("web_app", {}).get("url", "")).startswith(
            "https://"
        ):
            raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")  # Telegram opens only https Mini Apps
        self.menu_button = button
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = params["url"]
        return True

    # -- sending -----------------------------------------------------------------------------------------
    def _new_bot_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        markup = params.get("reply_markup")
        _check_markup(markup)
        message = {
            "message_id": self.new_message_id(chat_id),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": BOT_USER,
            **content,
        }
        if markup and "inline_keyboard" in markup:  # Telegram echoes only inline keyboards
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("text", "").strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(params["text"]) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._new_bot_message(params, text=params["text"])

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = params.get("photo")
        if not photo:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        size = len(photo.content) if isinstance(photo, UploadedFile) else 1024
        sizes = [self._file(width=w, height=w, file_size=size) for w in (90, 320)]
        content: dict[str, Any] = {"photo": sizes}
        if len(params.get("caption") or "") > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        if params.get("caption"):
            content["caption"] = params["caption"]
        return self._new_bot_message(params, **content)

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        document = params.get("document")
        if not isinstance(document, UploadedFile):
            raise ApiError(400, "Bad Request: there is no document in the request")
        content: dict[str, Any] = {
            "document": self._file(file_name=document.filename, file_size=len(document.content))
        }
        if params.get("caption"):
            content["caption"] = params["caption"]
        return self._new_bot_message(params, **content)

    def _send_invoice(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("currency") not in TELEGRAM_CURRENCIES:
            raise ApiError(400, "Bad Request: CURRENCY_INVALID")
        prices = params.get("prices") or []
        if not prices or any(not isinstance(p.get("amount"), int) for p in prices):
            raise ApiError(400, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID")
        invoice = {
            "title": params["title"],
            "description": params["description"],
            "start_parameter": "",
            "currency": params["currency"],
            "total_amount": sum(p["amount"] for p in prices),
        }
        return self._new_bot_message(params, invoice=invoice)

    def _file(self, **fields: Any) -> dict[str, Any]:
        number = next(self._file_ids)
        return {"file_id": f"AgAC-file-{number}", "file_unique_id": f"uniq{number}", **fields}

    # -- editing -----------------------------------------------------------------------------------------
    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.messages.get((params.get("chat_id"), params.get("message_id")))  # type: ignore[arg-type]
        if message is None or message["from"]["id"] != BOT_USER["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        _check_markup(params.get("reply_markup"))
        return message

    def _edit_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        markup = params.get("reply_markup")
        if message["text"] == params.get("text") and message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = params["text"]
        _set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return message

    def _edit_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        markup = params.get("reply_markup")
        if message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        _set_markup(message, markup)
        return message

    # -- queries -----------------------------------------------------------------------------------------
    def _answer_query(self, id_field: str) -> Callable[[dict[str, Any]], bool]:
        def answer(params: dict[str, Any]) -> bool:
            query_id = params.get(id_field)
            if query_id not in self.open_queries:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired")
            if params.get("ok") is False and not params.get("error_message"):
                raise ApiError(400, "Bad Request: PRECHECKOUT_QUERY_ERROR_MESSAGE_EMPTY")
            self.open_queries.discard(query_id)
            return True

        return answer


def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
    if markup:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)


def _check_markup(markup: dict[str, Any] | None) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if len(button.get("callback_data", "").encode()) > 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
