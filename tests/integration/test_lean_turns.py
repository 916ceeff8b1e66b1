"""What a turn costs the database, and what it may overwrite: statement counts per browse update (counted
with the engine's statement listener, as bench/load.py counts them) and partial customer updates."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from domain.catalog.products import Category
from domain.customer import Customer
from domain.money import Money
from handlers.actions.customer import (
    AddToCart,
    CartClear,
    Categories,
    CategoryPage,
    FormPick,
    PlaceOrder,
    ShowCart,
    ShowProduct,
    StartCheckout,
    pack,
)
from handlers.app import ShopApp
from handlers.customer.checkout.steps import Step
from handlers.kernel.config import DeliveryOption, ShopConfig
from handlers.kernel.incoming import Incoming, Kind
from storage.catalog.cache import CatalogCache
from storage.database.engine import count_statements, create_engine, dispose, session_factory
from storage.queues.inbox import SqlAlchemyInbox
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.conftest import POSTGRES_ONLY
from tests.shops.storage import ADDRESS, logged_on_postgresql, stocked

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ANN = 501


class _Clock:
    def now(self) -> datetime:
        return NOW


async def test_a_reminder_setting_keeps_the_phone_and_address_saved_since_the_customer_was_read(uow_factory):
    async with uow_factory() as uow:
        await uow.customers.add(Customer(ANN, "Ann", "en"))
        await uow.commit()
    async with uow_factory(write=False) as uow:
        stale = await uow.customers.get(ANN)
    async with uow_factory() as uow:  # meanwhile, a checkout saves the phone and the address
        fresh = await uow.customers.get(ANN)
        fresh.phone = "+442079460958"
        fresh.remember_address(ADDRESS)
        await uow.customers.update(fresh, "phone", "addresses")
        await uow.commit()

    stale.cart_reminders = False
    stale.set_language("zh")
    async with uow_factory() as uow:
        await uow.customers.update(stale, "cart_reminders", "language")
        await uow.commit()

    async with uow_factory(write=False) as uow:
        stored = await uow.customers.get(ANN)
    assert (stored.language, stored.cart_reminders) == ("zh", False)
    assert (stored.phone, stored.addresses) == ("+442079460958", [ADDRESS])


async def test_browsing_costs_at_most_a_handful_of_statements_per_update(uow_factory):
    await stocked(uow_factory, ("TEA-1", 50, 0))
    app = ShopApp(uow_factory, _Clock(), ShopConfig(shop_name="Tea House", currency="USD"))
    ids = iter(range(1, 1000))

    inbox = SqlAlchemyInbox(session_factory(uow_factory.engine))

    async def cost(kind: Kind, **fields: str) -> int:
        update_id = next(ids)
        await inbox.store(update_id, ANN, {"update_id": update_id}, NOW)  # as every update comes in
        event = Incoming(kind, user_id=ANN, chat_id=ANN, update_id=update_id, language_code="en", **fields)
        counted: list[int] = []
        stop = count_statements(uow_factory.engine, lambda: counted.append(1))
        try:
            outcome = await app(event)
        finally:
            stop()
        assert outcome.replies, "every browse step is answered"
        return len(counted)

    await cost(Kind.COMMAND, text="start")  # the first contact also stores the customer
    costs = {
        "start": await cost(Kind.COMMAND, text="start"),
        "catalog": await cost(Kind.BUTTON, action=pack(Categories())),
        "category": await cost(Kind.BUTTON, action=pack(CategoryPage("tea", 0))),
        "product": await cost(Kind.BUTTON, action=pack(ShowProduct("TEA-1", 1))),
        "add": await cost(Kind.BUTTON, action=pack(AddToCart("TEA-1", 1))),
        "cart": await cost(Kind.BUTTON, action=pack(ShowCart())),
        "clear": await cost(Kind.BUTTON, action=pack(CartClear())),
    }

    # Per update: BEGIN (a statement on SQLite only), its inbox row settled (the record that it was
    # handled) and the customer read with their dialog and cart (one statement on PostgreSQL, where a
    # WITH query may write), the reply written to the outbox; then the step's own reads and writes,
    # nothing read twice. (Sending the reply and marking it sent come after, outside this count.)
    # On PostgreSQL the step's one-row writes (funnel, cart save) go with the reply too.
    sqlite = uow_factory.engine.dialect.name == "sqlite"
    fixed = 4 if sqlite else 2
    riding = 0 if sqlite else 1
    assert costs == {
        "start": fixed,
        "catalog": fixed + 1,  # categories
        "category": fixed + 1,  # one page with its count
        "product": fixed + 1,  # the product with its stock
        "add": fixed + 3 - 2 * riding,  # the product with its stock, funnel (first item), cart save
        "cart": fixed + 1,  # product per line
        "clear": fixed + 1 - riding,  # cart save
    }
    again = {  # the category list and pages are cached for a few seconds
        "catalog": await cost(Kind.BUTTON, action=pack(Categories())),
        "category": await cost(Kind.BUTTON, action=pack(CategoryPage("tea", 0))),
    }
    assert again == {"catalog": fixed, "category": fixed}
    # 60 on SQLite before: a dialog read of its own, and the card and the cart re-read what the step had
    # read; 49 while a processed-update row was written beside the inbox settle; 42 while the cart was
    # read on its own. PostgreSQL: 31 while the settle was a statement of its own, 24 while the funnel and
    # the cart were written on their own; 38 and 21 while a product and its stock were read on their own
    assert sum(costs.values()) == (36 if sqlite else 19)


class _LoggedTurns:
    """Updates fed to `app` as the pipeline feeds them (stored in the inbox first), with the BEGIN and
    COMMIT each one sent to PostgreSQL (`engine` made with a pool of one connection)."""

    def __init__(self, app: ShopApp, engine: Any, sent: list[str]) -> None:
        self.app, self.sent = app, sent
        self.inbox = SqlAlchemyInbox(session_factory(engine))
        self.ids = iter(range(1, 1000))

    async def __call__(self, kind: Kind, **fields: Any) -> tuple[tuple[int, int], str]:
        """((BEGINs, COMMITs), the last reply's text)."""
        update_id = next(self.ids)
        await self.inbox.store(update_id, ANN, {"update_id": update_id}, NOW)
        self.sent.clear()
        event = Incoming(kind, user_id=ANN, chat_id=ANN, update_id=update_id, language_code="en", **fields)
        outcome = await self.app(event)
        assert outcome.replies and all(reply.outbox_id for reply in outcome.replies)  # durable replies
        await asyncio.sleep(0)  # asyncpg calls its query loggers soon after
        return (self.sent.count("BEGIN;"), self.sent.count("COMMIT;")), outcome.replies[-1].text


@POSTGRES_ONLY
async def test_a_browse_step_that_only_reads_sends_no_begin_or_commit_to_postgresql(database_url):
    """Its reads go before any BEGIN, and its reply goes with its update's settle in one statement: two
    round trips fewer than a transaction. A step that writes begins one as before."""
    engine = create_engine(database_url, pool_size=1)
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    try:
        await stocked(factory, ("TEA-1", 50, 0))
        app = ShopApp(factory, _Clock(), ShopConfig(shop_name="Tea House", currency="USD"))
        turns = _LoggedTurns(app, engine, await logged_on_postgresql(engine))

        async def transactions(kind: Kind, **fields: Any) -> tuple[int, int]:
            return (await turns(kind, **fields))[0]

        await transactions(Kind.COMMAND, text="start")  # the first contact stores the customer
        steps = {
            "start": await transactions(Kind.COMMAND, text="start"),
            "catalog": await transactions(Kind.BUTTON, action=pack(Categories())),
            "category": await transactions(Kind.BUTTON, action=pack(CategoryPage("tea", 0))),
            "product": await transactions(Kind.BUTTON, action=pack(ShowProduct("TEA-1", 1))),
            "add": await transactions(Kind.BUTTON, action=pack(AddToCart("TEA-1", 1))),
            "cart": await transactions(Kind.BUTTON, action=pack(ShowCart())),
            "clear": await transactions(Kind.BUTTON, action=pack(CartClear())),
        }
        assert steps == {
            "start": (0, 0),
            "catalog": (0, 0),
            "category": (0, 0),
            "product": (0, 0),
            "add": (0, 0),  # the funnel step and the cart go with the reply
            "cart": (0, 0),
            "clear": (0, 0),
        }
        assert await turns.inbox.backlog() == 0  # every update settled
    finally:
        await dispose(engine)


@POSTGRES_ONLY
async def test_a_checkout_sends_no_begin_or_commit_to_postgresql_until_the_order_is_placed(database_url):
    """The form's steps write one row each (the dialog, the cart, a funnel step): on PostgreSQL they go with
    the step's reply and its update's settle in one statement, with nothing sent before BEGIN would be.
    Placing the order is a transaction, as before. What the steps wrote is there, as each later step reads
    it."""
    engine = create_engine(database_url, pool_size=1)
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    standard = DeliveryOption("standard", "Standard", Money.parse("5.00", "USD"))
    config = ShopConfig(shop_name="Tea House", currency="USD", delivery_options=(standard,))
    try:
        await stocked(factory, ("TEA-1", 50, 0))
        step = _LoggedTurns(ShopApp(factory, _Clock(), config), engine, await logged_on_postgresql(engine))
        walk = [
            await step(Kind.COMMAND, text="start"),  # a first contact: the customer is stored
            await step(Kind.BUTTON, action=pack(AddToCart("TEA-1", 1))),
            await step(Kind.BUTTON, action=pack(StartCheckout())),
            await step(Kind.TEXT, text="Ann Lee"),
            await step(Kind.CONTACT, phone="+442079460958", contact_user_id=ANN),
            await step(Kind.BUTTON, action=pack(FormPick(Step.DELIVERY, "standard"))),
            await step(Kind.TEXT, text="1 Tea Lane, London, E1 6AN, GB"),
        ]
        assert [cost for cost, _ in walk] == [(0, 0)] * 7
        assert "Checkout 1/4" in walk[2][1]
        assert "Total:" in walk[-1][1] and "Ann Lee" in walk[-1][1]  # every answer was kept
        async with factory(write=False) as uow:
            state, data = await uow.dialogs.get(ANN) or ("", {})
            assert (await uow.carts.get(ANN)).lines == {"TEA-1": 1}
            assert await uow.customers.get(ANN) is not None
        assert state == Step.REVIEW and data["phone"] == "+442079460958"

        placed = await step(Kind.BUTTON, action=pack(PlaceOrder("cash")))
        assert placed[0] == (1, 1) and "is placed!" in placed[1]
        async with factory(write=False) as uow:
            assert await uow.dialogs.get(ANN) is None
            assert (await uow.carts.get(ANN)).lines == {}
            assert len(await uow.orders.list_for_customer(ANN)) == 1
        assert await step.inbox.backlog() == 0
    finally:
        await dispose(engine)


@POSTGRES_ONLY
async def test_placing_an_order_on_postgresql_sends_what_it_does_not_wait_for_with_its_reply(database_url):
    """The stock is reserved and the order inserted on their own (each answers something: enough stock? a
    new number?); the reservations, the lines, the timeline, the emptied cart, the customer's saved phone
    and address and the cleared form go with the replies and the update's settle in one statement. The
    stock rows stay locked for three round trips (the reservation, the order, that statement), not ten."""
    engine = create_engine(database_url, pool_size=1)
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    standard = DeliveryOption("standard", "Standard", Money.parse("5.00", "USD"))
    config = ShopConfig(
        shop_name="Tea House", currency="USD", delivery_options=(standard,), merchant_chat_id=-100
    )
    try:
        await stocked(factory, ("TEA-1", 50, 0), ("TEA-2", 50, 0))
        step = _LoggedTurns(ShopApp(factory, _Clock(), config), engine, await logged_on_postgresql(engine))
        await step(Kind.COMMAND, text="start")
        await step(Kind.BUTTON, action=pack(AddToCart("TEA-1", 1)))
        await step(Kind.BUTTON, action=pack(AddToCart("TEA-2", 2)))
        await step(Kind.BUTTON, action=pack(StartCheckout()))
        await step(Kind.TEXT, text="Ann Lee")
        await step(Kind.CONTACT, phone="+442079460958", contact_user_id=ANN)
        await step(Kind.BUTTON, action=pack(FormPick(Step.DELIVERY, "standard")))
        await step(Kind.TEXT, text="1 Tea Lane, London, E1 6AN, GB")

        counted: list[int] = []
        stop = count_statements(engine, lambda: counted.append(1))
        try:
            placed = await step(Kind.BUTTON, action=pack(PlaceOrder("cash")))
        finally:
            stop()
        assert "is placed!" in placed[1]
        # the turn's read and the cart's two products (before BEGIN), BEGIN, the stock of each, the order,
        # the last statement; 14 before (the reservations, the lines, the timeline, the cart, the customer
        # and the form each a statement of its own)
        assert len(counted) == 8
        async with factory(write=False) as uow:
            [order] = await uow.orders.list_for_customer(ANN)
            assert [(line.sku, line.quantity) for line in order.lines] == [("TEA-1", 1), ("TEA-2", 2)]
            assert [entry.new.value for entry in order.timeline] == ["placed"]
            levels = {sku: await uow.stocks.get(sku) for sku in ("TEA-1", "TEA-2")}
            assert {sku: level.reserved for sku, level in levels.items()} == {"TEA-1": 1, "TEA-2": 2}
            customer = await uow.customers.get(ANN)
            assert customer.phone == "+442079460958" and customer.addresses[0].city == "London"
            assert (await uow.carts.get(ANN)).lines == {}
            assert await uow.dialogs.get(ANN) is None
        assert await step.inbox.backlog() == 0
    finally:
        await dispose(engine)


async def test_a_catalog_edit_shows_at_once_here_and_within_seconds_in_another_process(database_url):
    now = [0.0]
    here = SqlAlchemyUnitOfWorkFactory(
        create_engine(database_url), catalog_cache=CatalogCache(5, lambda: now[0])
    )
    elsewhere = SqlAlchemyUnitOfWorkFactory(
        create_engine(database_url), catalog_cache=CatalogCache(5, lambda: now[0])
    )
    try:
        await stocked(here, ("TEA-1", 5, 0))

        async def names(factory: SqlAlchemyUnitOfWorkFactory) -> list[str]:
            async with factory(write=False) as uow:
                page, _ = await uow.products.list_by_category("tea")
                return [p.name for p in page] + [c.name for c in await uow.categories.list()]

        assert await names(here) == await names(elsewhere) == ["Tea TEA-1", "Tea"]
        async with here() as uow:  # staff rename the product and the category
            product = await uow.products.get("TEA-1")
            await uow.products.add(replace(product, name="Sencha"))
            await uow.categories.add(Category("tea", "Green tea"))
            await uow.commit()

        assert await names(here) == ["Sencha", "Green tea"]
        assert await names(elsewhere) == ["Tea TEA-1", "Tea"]  # the other process's cache, still young
        now[0] += 5
        assert await names(elsewhere) == ["Sencha", "Green tea"]
    finally:
        await dispose(here.engine)
        await dispose(elsewhere.engine)


async def test_a_turn_reads_a_product_once_and_its_own_edit_or_a_later_transaction_afresh(uow_factory):
    await stocked(uow_factory, ("TEA-1", 5, 0))
    begin = 1 if uow_factory.engine.dialect.name == "sqlite" else 0  # a counted statement on SQLite
    counted: list[int] = []
    stop = count_statements(uow_factory.engine, lambda: counted.append(1))
    try:
        async with uow_factory() as uow:
            shown = await uow.products.get("TEA-1")  # the cart shown for review
            placed = await uow.products.get("TEA-1")  # the order placed from it
            assert placed == shown and len(counted) == begin + 1  # one read
            counted.clear()
            await uow.products.add(replace(shown, name="Sencha"))
            assert (await uow.products.get("TEA-1")).name == "Sencha"  # its own edit, read again
            assert len(counted) == 2
            await uow.commit()
            async with uow_factory() as staff:  # meanwhile staff rename it again
                await staff.products.add(replace(shown, name="Gyokuro"))
                await staff.commit()
            assert (await uow.products.get("TEA-1")).name == "Gyokuro"  # a new transaction reads afresh
    finally:
        stop()
