"""A button under a photo (a product card) answered with text: Telegram refuses to edit a photo's text, so
the reply is queued as a new message instead of an edit that would be refused and then sent anyway."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.kernel.incoming import Incoming, Kind
from handlers.kernel.outbox import queue_replies
from handlers.kernel.reply import Outcome, Reply

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _press(*, under_photo: bool) -> Incoming:
    return Incoming(Kind.BUTTON, user_id=7, chat_id=7, message_id=55, action="c", pressed_photo=under_photo)


@pytest.mark.parametrize(
    ("under_photo", "reply", "edits"),
    [
        (True, Reply("Your cart:", edit=True), None),  # text under a photo: a new message
        (False, Reply("Your cart:", edit=True), 55),  # text under text: edited in place
        (True, Reply("Green tea", photo="https://img.example/t.jpg", edit=True), 55),  # photo for photo
    ],
)
async def test_a_reply_to_a_button_edits_the_pressed_message_only_where_telegram_can(
    uow_factory, under_photo: bool, reply: Reply, edits: int | None
) -> None:
    async with uow_factory() as uow:
        await queue_replies(uow, _press(under_photo=under_photo), Outcome([reply]), NOW)
        await uow.commit()

    [queued] = uow_factory.state.replies  # a turn's replies, held for this process to send
    assert queued.payload.get("edit_message_id") == edits
