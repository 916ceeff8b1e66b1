"""The catalog made in chat and customer conversations, on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from domain.actor import Actor
from domain.clock import FixedClock
from domain.conversation import Direction, ShopMessage
from handlers.app import ShopApp
from handlers.kernel.config import ShopConfig
from storage.catalog.csv_format import format_catalog, parse_catalog
from storage.catalog.transfer import export_catalog, import_catalog
from tests.shops.merchant import ANN, StaffChat, desk_for
from tests.shops.storage import NOW, checkout, fill_cart, place, stocked


async def _export(uow_factory) -> str:
    async with uow_factory(write=False) as uow:
        return format_catalog(await export_catalog(uow))


async def test_a_product_made_in_chat_round_trips_through_the_catalog_file(uow_factory):
    app = ShopApp(uow_factory, FixedClock(NOW), ShopConfig("Tea House", "USD"), merchant=desk_for())
    ann = StaffChat(app, ANN, "Ann", chat_id=ANN)
    await ann.command("newproduct")
    for answer in ("Silver needle", "WHITE-1", "White tea", "31.00", "6", "1", "Downy buds."):
        await ann.send(answer)
    await ann.photo("AgACAgIAAxkBAAIBfirst")
    await ann.press("Create")
    await ann.press("Add photo")
    await ann.photo("AgACAgIAAxkBAAIBsecond")
    await ann.press("✏ Price")
    await ann.send("29.50")
    assert "Ann: price $31.00 → $29.50" in ann.text

    exported = await _export(uow_factory)
    [row] = [r for r in parse_catalog(exported, "USD") if r.sku == "WHITE-1"]
    assert row.photos == ("AgACAgIAAxkBAAIBfirst", "AgACAgIAAxkBAAIBsecond")
    assert (row.category, row.price.amount_minor, row.stock, row.safety_stock) == ("White tea", 2950, 6, 1)
    async with uow_factory() as uow:
        summary = await import_catalog(
            uow, parse_catalog(exported, "USD"), actor=Actor.system("test"), now=NOW
        )
        await uow.commit()
    assert (summary.created, summary.updated) == (0, 1)
    assert await _export(uow_factory) == exported
    async with uow_factory(write=False) as uow:
        product = await uow.products.get("WHITE-1")
        history = await uow.product_changes.latest("WHITE-1")
    assert product.photos == ("AgACAgIAAxkBAAIBfirst", "AgACAgIAAxkBAAIBsecond")
    assert [(c.field, c.old, c.new) for c in history] == [
        ("price", "$31.00", "$29.50"),
        ("photos", "1", "2"),
        ("created", "", "Silver needle"),
    ]


async def test_only_a_product_no_order_references_can_be_deleted(uow_factory):
    await stocked(uow_factory, ("SOLD-1", 5, 0), ("NEW-1", 5, 0))
    await place(uow_factory, 42, {"SOLD-1": 1})
    async with uow_factory() as uow:
        assert await uow.products.ordered("SOLD-1") is True
        assert await uow.products.ordered("NEW-1") is False
        await uow.products.delete("NEW-1")
        await uow.commit()
    async with uow_factory(write=False) as uow:
        assert await uow.products.get("NEW-1") is None and await uow.stocks.get("NEW-1") is None
        assert await uow.products.search("new-1", include_inactive=True) == []
        assert [p.sku for p in await uow.products.search("sold-1", include_inactive=True)] == ["SOLD-1"]


async def test_a_conversation_is_stored_with_its_order_and_relayed_message(uow_factory):
    async with uow_factory() as uow:
        for minutes in (0, 1, 2):
            at = NOW + timedelta(minutes=minutes)
            message = ShopMessage(7, Direction.FROM_CUSTOMER, f"q{minutes}", at, "A-1")
            await uow.shop_messages.add(message)
        await uow.shop_messages.add(ShopMessage(7, Direction.STAFF_NOTE, "vip", NOW, "A-1", staff_id=ANN))
        await uow.shop_messages.remember_relay(message.id, 9001)
        await uow.commit()
    async with uow_factory(write=False) as uow:
        assert (await uow.shop_messages.relayed_as(9001)).text == "q2"
        assert await uow.shop_messages.count_for_order("A-1") == 3  # the note is not counted
        assert [m.text for m in await uow.shop_messages.for_order("A-1")] == ["q0", "q1", "q2", "vip"]
        since = NOW + timedelta(seconds=30)
        assert await uow.shop_messages.sent_by_customer_since(7, since) == 2


async def test_an_orders_delivery_note_is_stored(uow_factory):
    await stocked(uow_factory, ("NOTE-1", 5, 0))
    async with uow_factory() as uow:
        await fill_cart(uow, 43, {"NOTE-1": 1})
        order = await checkout(uow, 43, delivery_note="Leave it at the door")
        await uow.commit()
    async with uow_factory(write=False) as uow:
        assert (await uow.orders.get(order.number)).delivery_note == "Leave it at the door"
