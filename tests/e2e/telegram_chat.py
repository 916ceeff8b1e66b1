"""A person in a private chat with the bot, driven through the fake Telegram server.

It reads what the bot showed last (sent or edited) and presses buttons by label, the way a person does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.fakes.telegram_server import FakeTelegram

__all__ = ["TelegramChat"]

_SHOWING = {
    "sendMessage",
    "sendPhoto",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "sendInvoice",
    "sendDocument",
}


class TelegramChat:
    def __init__(self, telegram: FakeTelegram, user_id: int, language_code: str = "en") -> None:
        self.telegram = telegram
        self.user_id = user_id
        self.language_code = language_code

    # -- what the person sees ----------------------------------------------------------------------------
    def _shown(self) -> list[tuple[int, dict[str, Any]]]:
        shown = []
        for call in self.telegram.calls:
            if (
                call.method in _SHOWING
                and call.status == 200
                and int(call.params.get("chat_id", 0)) == self.user_id
            ):
                message_id = (
                    call.result["message_id"] if isinstance(call.result, dict) else call.params["message_id"]
                )
                shown.append((int(message_id), self.telegram.messages[(self.user_id, int(message_id))]))
        return shown

    @property
    def screen(self) -> dict[str, Any]:
        """The message the bot showed or changed last."""
        return self._shown()[-1][1]

    @property
    def text(self) -> str:
        return self.screen.get("text") or self.screen.get("caption") or ""

    def labels(self) -> list[str]:
        return _labels(self.screen)

    async def sees(self, fragment: str, *, since: int = 0, timeout: float = 5.0) -> str:  # noqa: ASYNC109
        """Wait until a message the bot shows (from its `since`-th showing on, last first) contains
        `fragment`; returns its text."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            for _, message in reversed(self._shown()[since:]):
                body = "\n".join([message.get("text") or message.get("caption") or "", *_labels(message)])
                if fragment in body:
                    return body
            await asyncio.sleep(0.02)
        raise AssertionError(f"{self.user_id} never saw {fragment!r}; last screen: {self._shown()[-1:]}")

    # -- what the person does ----------------------------------------------------------------------------
    async def send(self, text: str, *, then: str | None = None) -> None:
        """Write `text`; with `then`, wait until a reply to it shows that."""
        since = len(self._shown())
        await self.telegram.push_text(self.user_id, text, language_code=self.language_code)
        if then is not None:
            await self.sees(then, since=since)

    async def share_phone(self, phone: str, *, then: str) -> None:
        since = len(self._shown())
        await self.telegram.share_contact(self.user_id, phone)
        await self.sees(then, since=since)

    async def press(self, label: str, *, then: str) -> None:
        """Press the button whose label contains `label` on the latest message having it, then wait to see
        `then`."""
        for message_id, message in reversed(self._shown()):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            for button in (b for row in rows for b in row):
                if label in button["text"] and "callback_data" in button:
                    since = len(self._shown())
                    await self.telegram.press(self.user_id, message_id, button["callback_data"])
                    await self.sees(then, since=since)
                    return
        raise AssertionError(f"no button {label!r}; last screen: {self._shown()[-1:]}")

    def button_data(self, label: str) -> tuple[int, str]:
        for message_id, message in reversed(self._shown()):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            for button in (b for row in rows for b in row):
                if label in button["text"] and "callback_data" in button:
                    return message_id, button["callback_data"]
        raise AssertionError(f"no button {label!r}")


def _labels(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [button["text"] for row in rows for button in row]
