"""Both Telegram runtimes, over real HTTP to a fake Bot API: what a user sends, what the user sees."""

from __future__ import annotations

from tests.fakes.telegram_server import FakeTelegram, UploadedFile
from tests.shops.echo import CHART_PNG, FILE_ID, LONG_LINES, MERCHANT_CHAT, PHOTO_URL, EchoShop

ANN = 501


async def test_text_is_answered_with_inline_buttons(runtime, telegram: FakeTelegram) -> None:
    await telegram.push_text(ANN, "mugs")

    sent = await telegram.wait_for("sendMessage", lambda p: p["chat_id"] == ANN)

    assert sent.params["text"] == "echo: mugs [en]"
    assert sent.params["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "Add to cart", "callback_data": "add:mug"},
                {"text": "Site", "url": "https://shop.example"},
            ]
        ]
    }


async def test_pressing_a_button_answers_the_press_and_edits_that_message(
    runtime, telegram: FakeTelegram
) -> None:
    message_id = await telegram.bot_reply_to(ANN, "mugs")

    query_id = await telegram.press(ANN, message_id, "add:mug")

    answer = await telegram.wait_for("answerCallbackQuery")
    edit = await telegram.wait_for("editMessageText")
    assert answer.params["callback_query_id"] == query_id
    assert answer.params["text"] == "Added"
    assert (edit.params["chat_id"], edit.params["message_id"]) == (ANN, message_id)
    assert telegram.message(ANN, message_id)["text"] == "added add:mug"
    assert len(telegram.calls_of("sendMessage")) == 1


async def test_pressing_a_button_that_changes_nothing_is_still_answered(
    runtime, telegram: FakeTelegram, shop: EchoShop
) -> None:
    message_id = await telegram.bot_reply_to(ANN, "mugs")

    await telegram.press(ANN, message_id, "same")

    answer = await telegram.wait_for("answerCallbackQuery")
    assert answer.params["text"] == "nothing changed"
    await telegram.push_text(ANN, "after")
    await telegram.wait_for("sendMessage", lambda p: p["text"].startswith("echo: after"))
    assert len(telegram.calls_of("sendMessage")) == 2  # "not modified" is no reason to send a copy


async def test_expired_button_press_still_gets_its_edit(runtime, telegram: FakeTelegram) -> None:
    message_id = await telegram.bot_reply_to(ANN, "mugs")
    telegram.fail("answerCallbackQuery", 400, "Bad Request: query is too old and response timeout expired")

    await telegram.press(ANN, message_id, "add:mug")

    await telegram.wait_for("editMessageText")
    assert telegram.message(ANN, message_id)["text"] == "added add:mug"


async def test_button_alert_is_shown_as_a_modal(runtime, telegram: FakeTelegram) -> None:
    message_id = await telegram.bot_reply_to(ANN, "mugs")

    await telegram.press(ANN, message_id, "alert")

    answer = await telegram.wait_for("answerCallbackQuery")
    assert answer.params["text"] == "Sold out"
    assert answer.params["show_alert"] is True


async def test_command_arrives_without_slash_and_with_its_arguments(
    runtime, telegram: FakeTelegram, shop
) -> None:
    await telegram.push_text(ANN, "/start@test_shop_bot promo42")

    sent = await telegram.wait_for("sendMessage")

    assert sent.params["text"] == "command start args='promo42'"
    assert shop.events[0].update_id is not None


async def test_contact_share_passes_the_phone_and_drops_the_keyboard(
    runtime, telegram: FakeTelegram, shop
) -> None:
    await telegram.share_contact(ANN, "+15550001234")

    sent = await telegram.wait_for("sendMessage")

    assert sent.params["text"] == "phone ending 1234"
    assert sent.params["reply_markup"] == {"remove_keyboard": True}
    assert (shop.events[0].kind, shop.events[0].contact_user_id) == ("contact", ANN)


async def test_contact_button_becomes_a_reply_keyboard(runtime, telegram: FakeTelegram) -> None:
    await telegram.push_text(ANN, "phone")

    sent = await telegram.wait_for("sendMessage")

    markup = sent.params["reply_markup"]
    assert markup["keyboard"] == [[{"text": "Share phone", "request_contact": True}]]
    assert markup["one_time_keyboard"] is True


async def test_sticker_is_an_event_the_bot_does_not_take(runtime, telegram: FakeTelegram, shop) -> None:
    await telegram.send_sticker(ANN)

    sent = await telegram.wait_for("sendMessage")

    assert sent.params["text"] == "I can only read text and buttons."
    assert shop.events[0].kind == "other"


async def test_photo_from_a_url_is_sent_as_a_photo_with_caption(runtime, telegram: FakeTelegram) -> None:
    await telegram.push_text(ANN, "photo")

    sent = await telegram.wait_for("sendPhoto")

    assert sent.params["photo"] == PHOTO_URL
    assert sent.params["caption"] == "A mug"


async def test_a_button_under_a_photo_is_answered_anew_without_a_refused_text_edit(
    runtime, telegram: FakeTelegram
) -> None:
    await telegram.push_text(ANN, "photo card")
    card = await telegram.wait_for("sendPhoto")

    await telegram.press(ANN, card.result["message_id"], "add:mug")

    sent = await telegram.wait_for("sendMessage", lambda p: p["chat_id"] == ANN)
    assert sent.params["text"] == "added add:mug"
    assert telegram.calls_of("editMessageText") == []  # Telegram refuses to edit a photo's text
    assert telegram.message(ANN, card.result["message_id"])["caption"] == "A mug"


async def test_a_text_past_telegrams_limit_keeps_its_start_and_its_total(
    runtime, telegram: FakeTelegram
) -> None:
    await telegram.push_text(ANN, "long")

    sent = await telegram.wait_for("sendMessage", lambda p: p["chat_id"] == ANN)

    text = sent.params["text"]
    assert len(text) <= 4096
    assert text.startswith(f"Your cart:\n{LONG_LINES[0]}\n") and text.endswith(
        f"{LONG_LINES[-1]}\nTotal: $9,999.00"
    )
    assert "\n…\n" in text


async def test_a_caption_past_telegrams_limit_is_shortened_not_refused(
    runtime, telegram: FakeTelegram
) -> None:
    await telegram.push_text(ANN, "long photo")

    sent = await telegram.wait_for("sendPhoto")

    assert sent.params["caption"].startswith("A mug\nGlazed by hand.") and len(sent.params["caption"]) <= 1024


async def test_photo_from_a_local_file_is_uploaded(runtime, telegram: FakeTelegram) -> None:
    await telegram.push_text(ANN, "local photo")

    sent = await telegram.wait_for("sendPhoto")

    assert isinstance(sent.params["photo"], UploadedFile)
    assert sent.params["photo"].content.startswith(b"\xff\xd8")


async def test_photo_by_telegram_file_id_is_sent_by_reference(runtime, telegram: FakeTelegram) -> None:
    await telegram.push_text(ANN, "known photo")

    sent = await telegram.wait_for("sendPhoto")

    assert sent.params["photo"] == FILE_ID


async def test_image_made_on_the_fly_is_uploaded_as_a_photo(runtime, telegram: FakeTelegram) -> None:
    await telegram.push_text(ANN, "chart")

    sent = await telegram.wait_for("sendPhoto")

    assert isinstance(sent.params["photo"], UploadedFile)
    assert sent.params["photo"].content == CHART_PNG
    assert sent.params["caption"] == "Last 7 days"


async def test_reply_can_edit_a_card_in_another_chat(runtime, telegram: FakeTelegram) -> None:
    card = await telegram.bot_reply_to(ANN, "tell merchant")

    await telegram.push_text(ANN, f"shipped {card}")

    edit = await telegram.wait_for("editMessageText")
    assert (edit.params["chat_id"], edit.params["message_id"]) == (MERCHANT_CHAT, card)
    assert telegram.message(MERCHANT_CHAT, card)["text"] == "Order 7: shipped"


async def test_invoice_carries_prices_in_minor_units(runtime, telegram: FakeTelegram) -> None:
    await telegram.push_text(ANN, "invoice")

    sent = await telegram.wait_for("sendInvoice")

    assert sent.params["prices"] == [{"label": "Mugs", "amount": 2400}]
    assert (sent.params["currency"], sent.params["payload"]) == ("EUR", "order-7")
    assert sent.params["provider_token"] == "provider-token"


async def test_document_is_uploaded_with_its_name(runtime, telegram: FakeTelegram) -> None:
    await telegram.push_text(ANN, "report")

    sent = await telegram.wait_for("sendDocument")

    assert sent.params["document"] == UploadedFile("report.csv", b"sku,qty\nmug,2\n")
    assert sent.params["caption"] == "Today"


async def test_reply_to_another_chat_goes_there(runtime, telegram: FakeTelegram) -> None:
    await telegram.push_text(ANN, "tell merchant")

    sent = await telegram.wait_for("sendMessage")

    assert sent.params["chat_id"] == MERCHANT_CHAT


async def test_pre_checkout_is_approved(runtime, telegram: FakeTelegram) -> None:
    query_id = await telegram.pre_checkout(ANN, "order-7", "EUR", 2400)

    answer = await telegram.wait_for("answerPreCheckoutQuery")

    assert answer.params["pre_checkout_query_id"] == query_id
    assert answer.params["ok"] is True


async def test_pre_checkout_is_refused_with_the_reason(runtime, telegram: FakeTelegram) -> None:
    await telegram.pre_checkout(ANN, "order-8", "EUR", 2400)

    answer = await telegram.wait_for("answerPreCheckoutQuery")

    assert answer.params["ok"] is False
    assert answer.params["error_message"] == "Sorry, the last mug was just sold."
    assert answer.status == 200


async def test_successful_payment_arrives_with_charge_ids(runtime, telegram: FakeTelegram, shop) -> None:
    await telegram.pay(ANN, "order-7", "EUR", 2400, telegram_charge_id="tg-77", provider_charge_id="pr-77")

    sent = await telegram.wait_for("sendMessage")

    assert sent.params["text"] == "paid 2400 EUR for order-7"
    payment = shop.events[0].payment
    assert (payment.telegram_charge_id, payment.provider_charge_id) == ("tg-77", "pr-77")


async def test_chinese_language_code_reaches_the_handler(runtime, telegram: FakeTelegram) -> None:
    await telegram.push_text(ANN, "你好", language_code="zh-hans")

    sent = await telegram.wait_for("sendMessage")

    assert sent.params["text"] == "echo: 你好 [zh-hans]"


async def test_a_refused_reply_does_not_stop_the_next_one(runtime, telegram: FakeTelegram) -> None:
    await telegram.push_text(ANN, "boom")

    sent = await telegram.wait_for("sendMessage", lambda p: p.get("text") == "still here")

    assert sent.status == 200
