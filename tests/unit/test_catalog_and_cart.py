"""Browsing, searching and the cart: stock limits, stale buttons, odd input."""

from __future__ import annotations

import dataclasses

from domain.catalog.products import Product
from domain.catalog.stock import StockLevel
from domain.money import Money
from handlers.actions.customer import AddToCart, CartStep, CategoryPage, ShowProduct, pack
from tests.unit.chat import Chat, check_out, fill_cart


async def test_sold_out_product_shows_sold_out_and_offers_no_add_button(alice: Chat):
    await alice.press_data(pack(CategoryPage("cups", 0)))
    await alice.press("Clay cup")
    assert "Sold out" in alice.text
    assert alice.last.replies[0].photo == "https://img.example/cup.jpg"
    assert not [label for label in alice.labels() if "Add" in label]


async def test_adding_more_than_stock_is_refused_with_the_number_still_available(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-GREEN": 2})
    await alice.press_data(pack(AddToCart("TEA-GREEN", 2)))
    assert "only 1 more available" in alice.text and "you have 2 in your cart" in alice.text
    assert alice.last.alert
    async with shop() as uow:
        assert (await uow.carts.get(alice.user_id)).lines == {"TEA-GREEN": 2}


async def test_second_buyer_of_last_unit_is_told_it_sold_out(alice: Chat, bob: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-GREEN": 3})
    await fill_cart(shop, bob.user_id, {"TEA-GREEN": 1})
    await check_out(alice)
    await alice.press("Cash on delivery")
    await check_out(bob)
    await bob.press("Cash on delivery")
    assert "Green tea just sold out" in bob.text
    async with shop() as uow:
        assert await uow.orders.list_for_customer(bob.user_id) == []
        assert (await uow.carts.get(bob.user_id)).lines == {"TEA-GREEN": 1}  # nothing changed
        assert (await uow.stocks.get("TEA-GREEN")).reserved == 3


async def test_cart_plus_stops_at_stock_and_minus_removes_the_last_unit(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-GREEN": 3})
    await alice.command("cart")
    await alice.press_data(pack(CartStep("TEA-GREEN", 1)))
    assert "Sorry, it is sold out: the last 3 are in your cart." in alice.text
    assert "only 0 more" not in alice.text
    for _ in range(3):
        await alice.press_data(pack(CartStep("TEA-GREEN", -1)))
    assert "Your cart is empty." in alice.text
    await alice.press_data(pack(CartStep("TEA-GREEN", -1)))  # an old message: shows the cart, no crash
    assert "Your cart is empty." in alice.text


async def test_clear_and_remove_empty_the_cart(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-GREEN": 1, "TEA-BLACK": 2})
    await alice.command("cart")
    await alice.press("✕")
    assert "Green tea" not in alice.text and "Black tea × 2" in alice.text
    await alice.press("Clear cart")
    async with shop() as uow:
        assert (await uow.carts.get(alice.user_id)).is_empty


async def test_stale_product_button_of_a_disabled_product_answers_politely(alice: Chat, shop):
    await alice.press_data(pack(ShowProduct("TEA-BLACK", 1)))
    add = alice.find("Add 1 to cart").action
    async with shop() as uow:
        product = await uow.products.get("TEA-BLACK")
        product.active = False
        await uow.products.add(product)
        await uow.commit()
    await alice.press_data(add)
    assert "no longer available" in alice.text
    await alice.press_data(pack(ShowProduct("NO-SUCH", 1)))
    assert "no longer available" in alice.text
    async with shop() as uow:
        assert (await uow.carts.get(alice.user_id)).is_empty


async def test_cart_drops_products_no_longer_sold_and_shows_current_prices(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1, "TEA-OOLONG": 1})
    async with shop() as uow:
        black = await uow.products.get("TEA-BLACK")
        await uow.products.add(dataclasses.replace(black, active=False))
        oolong = await uow.products.get("TEA-OOLONG")
        await uow.products.add(dataclasses.replace(oolong, price=Money(1800, "USD")))
        await uow.commit()
    await alice.command("cart")
    assert "No longer sold, removed from your cart: Black tea" in alice.text
    assert "Subtotal: $18.00" in alice.text


async def test_typing_a_word_searches_products_by_name(alice: Chat):
    await alice.send("oolong")
    assert "Found for “oolong”" in alice.text and any("Oolong tea" in label for label in alice.labels())
    await alice.send("coffee")
    assert "Nothing found for “coffee”" in alice.text


async def test_emoji_only_and_huge_text_get_a_short_hint(alice: Chat):
    await alice.send("🍵🍵")
    assert "Type a word of a product name" in alice.text
    await alice.send("x" * 5000)
    assert "too long to search" in alice.text


async def test_sticker_outside_a_form_gets_the_menu(alice: Chat):
    await alice.sticker()
    assert "only understand text and buttons" in alice.text and "🛍 Catalog" in alice.labels()


async def test_unknown_command_gets_the_menu(alice: Chat):
    await alice.command("frobnicate")
    assert "only understand" in alice.text


async def test_category_pages_and_a_stale_page_number(alice: Chat):
    await alice.press_data(pack(CategoryPage("tea", 1)))
    assert "Page 2 of 2" in alice.text and any("Oolong" in label for label in alice.labels())
    await alice.press_data(pack(CategoryPage("tea", 40)))
    assert "Page 1 of 2" in alice.text


async def test_a_long_product_name_is_shortened_on_whole_words_in_the_cart_buttons(alice: Chat, shop):
    async with shop() as uow:
        await uow.products.add(Product("TEA-LJ", "Longjing Green Tea 100 g", "tea", Money(1850, "USD")))
        await uow.stocks.add(StockLevel("TEA-LJ", on_hand=5))
        await uow.commit()
    await fill_cart(shop, alice.user_id, {"TEA-LJ": 2})
    await alice.command("cart")
    assert "Longjing Green Tea… × 2" in alice.labels()
    assert "• Longjing Green Tea 100 g × 2 = $37.00" in alice.text
