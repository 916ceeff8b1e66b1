"""The outbox's Notifier over real HTTP to the fake Bot API: payloads become messages, refusals become
the domain's delivery errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.telegram.connection import TelegramConnection
from bot.telegram.notifier import BotApiNotifier
from domain.errors import DeliveryFailed, RecipientBlocked, RetryLater
from handlers.kernel.reply import MAX_UPLOAD, Button, Document, Invoice, Reply
from tests.fakes.telegram_server import UploadedFile

MERCHANT = -1001
ANN = 501


@pytest.fixture
async def notifier(connection: TelegramConnection) -> AsyncIterator[BotApiNotifier]:
    sender = BotApiNotifier(connection, timeout=0.5)
    yield sender
    await sender.aclose()


def card(text: str, **fields) -> dict:
    buttons = ((Button("Accept", action="ac:7"), Button("Reject", action="rj:7")),)
    return Reply(text, buttons=buttons, **fields).to_payload()


async def test_payload_is_sent_with_its_buttons_and_the_message_id_returned(notifier, telegram) -> None:
    message_id = await notifier.deliver(MERCHANT, card("Order 7: 2 mugs"))

    sent = telegram.message(MERCHANT, message_id)
    assert sent["text"] == "Order 7: 2 mugs"
    assert sent["reply_markup"]["inline_keyboard"][0][1] == {"text": "Reject", "callback_data": "rj:7"}


async def test_link_buttons_go_out_as_url_buttons(notifier, telegram) -> None:
    buttons = ((Button("Pay now", url="https://pay.example/cs_1"),),)
    message_id = await notifier.deliver(ANN, Reply("Order 7: pay here", buttons=buttons).to_payload())

    keyboard = telegram.message(ANN, message_id)["reply_markup"]["inline_keyboard"]
    assert keyboard == [[{"text": "Pay now", "url": "https://pay.example/cs_1"}]]


async def test_payload_with_a_photo_is_sent_as_a_photo(notifier, telegram) -> None:
    await notifier.deliver(ANN, Reply("Back in stock", photo="https://shop.example/mug.jpg").to_payload())

    sent = await telegram.wait_for("sendPhoto")
    assert sent.params["caption"] == "Back in stock"


async def test_a_caption_too_long_for_telegram_is_shortened_not_refused(notifier, telegram) -> None:
    text = "A mug. " * 200
    await notifier.deliver(ANN, Reply(text, photo="https://shop.example/mug.jpg").to_payload())

    caption = (await telegram.wait_for("sendPhoto")).params["caption"]
    assert len(caption) == 1024 and text.startswith(caption[:-1]) and caption.endswith("…")


async def test_an_upload_in_a_stored_payload_is_sent_as_the_same_file(notifier, telegram) -> None:
    """A chart or a CSV made on the fly goes through the outbox: its bytes survive the JSON payload."""
    chart = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    await notifier.deliver(MERCHANT, Reply("This week", photo_bytes=chart).to_payload())
    csv = Document("orders-20260101-20260107.csv", "number,total\r\nK7M,€12\r\n".encode(), "2 orders")
    await notifier.deliver(ANN, Reply("2 orders", document=csv).to_payload())
    [photo] = telegram.calls_of("sendPhoto")
    assert (
        photo.params["photo"] == UploadedFile("chart.png", chart) and photo.params["caption"] == "This week"
    )
    [document] = telegram.calls_of("sendDocument")
    assert document.params["document"] == UploadedFile(csv.filename, csv.content)
    assert document.params["caption"] == "2 orders"


def test_only_an_upload_too_large_for_an_outbox_row_stays_out_of_the_outbox() -> None:
    assert Reply("chart", photo_bytes=bytes(MAX_UPLOAD)).queueable
    assert not Reply("csv", document=Document("big.csv", bytes(MAX_UPLOAD + 1))).queueable


async def test_payload_with_edit_message_id_edits_that_card(notifier, telegram) -> None:
    message_id = await notifier.deliver(MERCHANT, card("Order 7: new"))

    edited = await notifier.deliver(
        MERCHANT, Reply("Order 7: shipped", edit_message_id=message_id).to_payload()
    )

    assert edited == message_id
    assert telegram.message(MERCHANT, message_id)["text"] == "Order 7: shipped"
    assert "reply_markup" not in telegram.message(MERCHANT, message_id)


async def test_card_that_can_no_longer_be_edited_is_sent_afresh(notifier, telegram) -> None:
    message_id = await notifier.deliver(MERCHANT, Reply("Order 7: shipped", edit_message_id=999).to_payload())

    assert message_id != 999
    assert telegram.message(MERCHANT, message_id)["text"] == "Order 7: shipped"


async def test_redelivered_edit_that_changes_nothing_counts_as_delivered(notifier, telegram) -> None:
    message_id = await notifier.deliver(MERCHANT, Reply("Order 7: paid").to_payload())
    again = Reply("Order 7: paid", edit_message_id=message_id).to_payload()

    assert await notifier.deliver(MERCHANT, again) == message_id
    assert len(telegram.calls_of("sendMessage")) == 1


async def test_flood_limit_asks_to_retry_after_telegrams_delay(notifier, telegram) -> None:
    telegram.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)

    with pytest.raises(RetryLater) as refused:
        await notifier.deliver(ANN, card("hello"))

    assert refused.value.seconds == 7
    assert await notifier.deliver(ANN, card("hello"))  # the next try goes through


INVOICE = Invoice("Order 7", "2 mugs", "order:7", "USD", (("Mug × 2", 2400),))


async def test_an_invoice_refused_after_its_text_went_out_leaves_only_the_invoice_to_send(
    notifier, telegram
) -> None:
    payload = Reply("Pay with the invoice below.", invoice=INVOICE).to_payload()
    telegram.fail("sendInvoice", 500, "Internal Server Error")

    with pytest.raises(DeliveryFailed) as failed:
        await notifier.deliver(ANN, payload)
    assert failed.value.unsent == {**payload, "text": ""}

    assert await notifier.deliver(ANN, failed.value.unsent)  # the retry: the invoice alone
    assert [c.method for c in telegram.calls if c.status == 200] == ["sendMessage", "sendInvoice"]


async def test_an_invoice_whose_text_was_refused_is_left_to_send_whole(notifier, telegram) -> None:
    telegram.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)

    with pytest.raises(RetryLater) as refused:
        await notifier.deliver(ANN, Reply("Pay with the invoice below.", invoice=INVOICE).to_payload())

    assert refused.value.unsent is None and not telegram.calls_of("sendInvoice")


async def test_user_who_blocked_the_bot_is_reported_blocked(notifier, telegram) -> None:
    telegram.blocked.add(ANN)

    with pytest.raises(RecipientBlocked):
        await notifier.deliver(ANN, card("Your order shipped"))


async def test_deactivated_user_is_reported_blocked(notifier, telegram) -> None:
    telegram.fail("sendMessage", 403, "Forbidden: user is deactivated")

    with pytest.raises(RecipientBlocked):
        await notifier.deliver(ANN, card("Your order shipped"))


async def test_telegram_server_error_is_a_transient_failure(notifier, telegram) -> None:
    telegram.fail("sendMessage", 500, "Internal Server Error")

    with pytest.raises(DeliveryFailed) as failed:
        await notifier.deliver(ANN, card("hello"))

    assert failed.value.permanent is False


async def test_chat_that_does_not_exist_is_reported_blocked(notifier, telegram) -> None:
    telegram.fail("sendMessage", 400, "Bad Request: chat not found")

    with pytest.raises(RecipientBlocked):
        await notifier.deliver(ANN, card("Your order shipped"))


async def test_bad_request_is_a_permanent_failure(notifier, telegram) -> None:
    telegram.fail("sendMessage", 400, "Bad Request: message is too long")

    with pytest.raises(DeliveryFailed) as failed:
        await notifier.deliver(ANN, card("hello"))

    assert failed.value.permanent is True


async def test_timeout_is_a_transient_failure(notifier, telegram) -> None:
    telegram.hang("sendMessage")

    with pytest.raises(DeliveryFailed) as failed:
        await notifier.deliver(ANN, card("hello"))

    assert failed.value.permanent is False


async def test_unreachable_telegram_is_a_transient_failure(telegram, connection) -> None:
    await telegram.close()
    sender = BotApiNotifier(connection, timeout=0.5)

    with pytest.raises(DeliveryFailed) as failed:
        await sender.deliver(ANN, card("hello"))

    assert failed.value.permanent is False
    assert telegram.token not in str(failed.value)
    await sender.aclose()
