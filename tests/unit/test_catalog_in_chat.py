"""Staff run the catalog from the chat: /products, the staff card, edits with history, /newproduct."""

from __future__ import annotations

import pytest

from domain.money import Money
from handlers.actions.catalog import DeleteProduct, ToggleProduct
from handlers.actions.customer import pack
from handlers.app import ShopApp
from jobs.staff_prompts import EndStalePrompts
from tests.shops.merchant import ANN, StaffChat, desk_for
from tests.unit.chat import Chat, check_out, place_order

PHOTO = "AgACAgIAAxkBAAIBYmZlargest"


@pytest.fixture
def app(shop, clock, config) -> ShopApp:
    return ShopApp(shop, clock, config, merchant=desk_for())


@pytest.fixture
def ann(app) -> StaffChat:
    return StaffChat(app, ANN, "Ann", chat_id=ANN)  # staff, in a private chat with the bot


@pytest.fixture
def carol(app) -> Chat:
    return Chat(app, 333, name="Carol")


async def staff_card(ann: StaffChat, name: str) -> None:
    await ann.command("products", name)
    await ann.press(name)


async def test_a_product_made_in_chat_is_bought_by_a_customer(shop, ann, carol):
    await ann.command("newproduct")
    await ann.send("Jasmine pearls")
    await ann.press("Skip")  # the SKU is made from the name
    await ann.send("Flower tea")  # a new category
    await ann.send("18.40")
    await ann.send("7")
    await ann.press("Skip")  # safety stock 0
    await ann.send("Hand-rolled green tea scented with jasmine.")
    assert "JASMINE-PEARLS" not in shop.state.products  # nothing exists before the last step
    await ann.photo(PHOTO)
    assert "Create this product?" in ann.text and "$18.40" in ann.text
    assert "JASMINE-PEARLS" not in shop.state.products
    await ann.press("Create")
    product = shop.state.products["JASMINE-PEARLS"]
    assert (product.name, product.category, product.price, product.photo) == (
        "Jasmine pearls",
        "flower-tea",
        Money(1840, "USD"),
        PHOTO,
    )
    assert shop.state.stocks["JASMINE-PEARLS"].on_hand == 7
    assert "History:" in ann.text and "Ann: created" in ann.text
    assert ann.last.replies[0].photo == PHOTO

    await carol.command("catalog")
    await carol.press("Flower tea")
    await carol.press("Jasmine pearls")
    assert carol.last.replies[0].photo == PHOTO
    await carol.press("Add 1 to cart")
    number = await place_order(carol, shop, {})
    order = shop.state.orders[number]
    assert [(line.sku, line.unit_price) for line in order.lines] == [("JASMINE-PEARLS", Money(1840, "USD"))]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("abc", "“abc” is not a price"),
        ("-1", "cannot be negative"),
        ("1000000000000", "please check the price"),
    ],
)
async def test_a_bad_price_is_refused_and_changes_nothing(shop, ann, typed, said):
    await staff_card(ann, "Green tea")
    await ann.press("✏ Price")
    await ann.send(typed)
    assert said in ann.text
    assert shop.state.products["TEA-GREEN"].price == Money(1250, "USD")
    assert shop.state.product_changes == []
    await ann.send("13.00")  # the prompt is still open: a good price is then taken
    assert shop.state.products["TEA-GREEN"].price == Money(1300, "USD")


async def test_a_5000_character_name_is_refused(shop, ann):
    await staff_card(ann, "Green tea")
    await ann.press("✏ Name")
    await ann.send("x" * 5000)
    assert "at most 120 characters; that one has 5000" in ann.text
    assert shop.state.products["TEA-GREEN"].name == "Green tea"
    await ann.command("newproduct")
    await ann.send("y" * 5000)
    assert "at most 120 characters" in ann.text and "(1/8)" in ann.text  # still asking for the name


async def test_a_duplicate_sku_is_refused(shop, ann):
    await ann.command("newproduct")
    await ann.send("Another green tea")
    await ann.send("TEA-GREEN")
    assert "SKU TEA-GREEN is already used by “Green tea”" in ann.text
    assert "(2/8)" in ann.text
    assert shop.state.products["TEA-GREEN"].name == "Green tea"


async def test_a_sticker_where_a_photo_is_expected_is_refused(shop, ann):
    await staff_card(ann, "Green tea")
    await ann.press("Add photo")
    await ann.sticker()
    assert "That is a sticker, not a photo" in ann.text
    assert shop.state.products["TEA-GREEN"].photos == ()
    await ann.photo(PHOTO)
    assert shop.state.products["TEA-GREEN"].photos == (PHOTO,)


async def test_back_and_cancel_at_every_step_create_nothing(shop, ann):
    await ann.command("newproduct")
    await ann.send("Pu-erh cake")
    await ann.send("PUERH-1")
    await ann.press("Back")
    assert "(2/8)" in ann.text
    await ann.press("Back")
    assert "(1/8)" in ann.text
    await ann.send("Pu-erh brick")
    await ann.send("PUERH-1")
    await ann.press("Tea")  # an existing category
    assert "(4/8)" in ann.text
    await ann.press("Cancel")
    assert "No product was created" in ann.text
    assert "PUERH-1" not in shop.state.products
    assert shop.state.dialogs.get(ANN) is None


async def test_every_edit_is_recorded_and_a_placed_order_keeps_its_price(shop, ann, carol):
    number = await place_order(carol, shop, {"TEA-GREEN": 1})
    await staff_card(ann, "Green tea")
    await ann.press("✏ Price")
    await ann.send("14.00")
    await ann.press("✏ Stock")
    await ann.send("9")
    await ann.press("Disable")
    assert "Ann: price $12.50 → $14.00" in ann.text
    assert "Ann: stock on hand 3 → 9" in ann.text
    assert "Ann: on sale on → off" in ann.text
    assert shop.state.orders[number].lines[0].unit_price == Money(1250, "USD")
    assert [(c.field, c.old, c.new) for c in shop.state.product_changes] == [
        ("price", "$12.50", "$14.00"),
        ("stock", "3", "9"),
        ("active", "on", "off"),
    ]


async def test_a_product_on_an_order_is_disabled_not_deleted(shop, ann, carol):
    await place_order(carol, shop, {"TEA-BLACK": 1})
    await staff_card(ann, "Black tea")
    await ann.press("Delete")
    assert "Orders reference TEA-BLACK, so it cannot be deleted" in ann.text
    assert "TEA-BLACK" in shop.state.products
    await staff_card(ann, "Oolong tea")
    await ann.press("Delete")
    await ann.press("Yes, delete it")
    assert "TEA-OOLONG" not in shop.state.products


async def test_customers_page_through_a_products_photos(shop, ann, carol):
    await staff_card(ann, "Green tea")
    for file_id in ("AgAC-first-photo", "AgAC-second-photo"):
        await ann.press("Add photo")
        await ann.photo(file_id)
    await carol.command("catalog")
    await carol.press("Tea")
    await carol.press("Green tea")
    assert carol.last.replies[0].photo == "AgAC-first-photo"
    assert "🖼 1/2" in carol.labels()
    await carol.press("▶")
    assert carol.last.replies[0].photo == "AgAC-second-photo"


async def test_staff_see_disabled_products_and_find_them_by_sku(shop, ann):
    await ann.command("products")
    await ann.press("Cups (2)")
    assert any("Old cup" in label and "🚫" in label for label in ann.labels())
    await ann.command("products", "cup-old")
    await ann.press("Old cup")
    assert "Disabled: hidden from customers" in ann.text


async def test_a_customer_cannot_use_the_staff_catalog(shop, carol):
    await carol.command("newproduct")
    assert "for shop staff only" in carol.text
    await carol.command("products")
    assert "for shop staff only" in carol.text
    assert shop.state.dialogs.get(333) is None


async def test_a_price_changed_after_adding_shows_the_new_price_at_review_with_a_note(shop, ann, carol):
    await carol.command("catalog")
    await carol.press("Tea")
    await carol.press("Green tea")
    await carol.press("Add 1 to cart")
    await staff_card(ann, "Green tea")
    await ann.press("✏ Price")
    await ann.send("14.00")
    await check_out(carol)
    assert "• Green tea × 1 = $14.00 (price changed: now $14.00 each, was $12.50)" in carol.text
    assert "Subtotal: $14.00" in carol.text


async def test_in_the_merchant_group_a_form_step_takes_a_reply_to_its_prompt_and_not_a_reply_elsewhere(
    shop, app
):
    in_group = StaffChat(app, ANN, "Ann")
    await in_group.command("newproduct")
    prompt = in_group.last.replies[-1]
    assert prompt.force_reply and prompt.text.startswith("✍ /newproduct — Ann, reply to this message.")
    await in_group.reply(prompt, "Pu-erh brick", message_id=71)
    assert "(2/8)" in in_group.text
    assert shop.state.dialogs[ANN][1]["data"] == {"name": "Pu-erh brick"}
    await in_group.reply_to(70, "PUERH-1")  # a reply to some other message: not the form's answer
    assert "The prompt ended: another message came first. Nothing changed." in in_group.text
    assert ANN not in shop.state.dialogs and "PUERH-1" not in shop.state.products


async def test_a_forged_staff_button_from_a_customer_changes_nothing(shop, carol):
    await carol.press_data(pack(ToggleProduct("TEA-GREEN")))
    assert "for shop staff only" in carol.text
    await carol.press_data(pack(DeleteProduct("TEA-OOLONG", True)))
    assert shop.state.products["TEA-GREEN"].active and "TEA-OOLONG" in shop.state.products
    assert shop.state.product_changes == []


async def test_a_command_ends_a_product_field_prompt_and_the_next_message_changes_nothing(shop, ann):
    """Reproduced in a private chat: ✏ Price, then /stock, then "3.50" set the price to $3.50."""
    await staff_card(ann, "Green tea")
    await ann.press("✏ Price")
    await ann.command("stock")
    assert "The prompt ended: /stock came first. Nothing changed." in ann.text
    await ann.send("3.50")
    assert shop.state.products["TEA-GREEN"].price == Money(1250, "USD")
    assert shop.state.product_changes == []


async def test_a_product_field_prompt_left_unanswered_times_out_and_says_so(shop, clock, ann):
    await staff_card(ann, "Green tea")
    await ann.press("✏ Price")
    clock.advance(minutes=6)
    assert await EndStalePrompts(shop, clock).run() == 1
    assert "timed out" in shop.state.outbox[-1].payload["text"] and shop.state.outbox[-1].chat_id == ANN
    await ann.send("3.50")  # too late: not taken
    assert shop.state.products["TEA-GREEN"].price == Money(1250, "USD")


async def test_a_new_product_form_ended_by_a_command_creates_nothing(shop, ann):
    await ann.command("newproduct")
    await ann.send("Jasmine pearls")
    await ann.command("products", "Green tea")  # a command first
    assert "The prompt ended: /products came first" in ann.text
    await ann.send("JASMINE-1")
    assert "JASMINE-1" not in shop.state.products and ANN not in shop.state.dialogs
