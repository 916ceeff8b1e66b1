"""Every repository stores and returns what the domain gave it, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from domain.actor import Actor
from domain.cart import Cart
from domain.catalog.products import Category, Product
from domain.catalog.stock import StockLevel
from domain.customer import Customer
from domain.errors import InvalidInput
from domain.money import Money
from domain.order_status import OrderStatus, PaymentMethod
from domain.outbox import OutboxMessage
from domain.payments.attempts import PaymentAttempt
from domain.payments.refunds import REFUSED, PendingRefund, RefundState
from domain.services import change_status
from storage.database.engine import count_statements
from tests.shops.storage import ADDRESS, NOW, checkout, fill_cart, place, stock_product, stocked


async def test_products_and_categories_round_trip_and_are_found_by_category_and_name(uow_factory):
    async with uow_factory() as uow:
        await uow.categories.add(Category("teaware", "Teaware", position=2))
        await uow.categories.add(Category("tea", "Tea", position=1))
        for sku, name, active in [("T-1", "Oolong", True), ("T-2", "Green Tea", True), ("T-3", "Old", False)]:
            await uow.products.add(Product(sku, name, "tea", Money(1250, "USD"), "desc", None, active))
        await uow.products.add(
            Product("W-1", "Gaiwan", "teaware", Money(1400, "USD"), photo="https://x.example/g.jpg")
        )
        await uow.commit()

    async with uow_factory(write=False) as uow:
        assert [c.slug for c in await uow.categories.list()] == ["tea", "teaware"]
        page, total = await uow.products.list_by_category("tea", offset=0, limit=1)
        assert total == 2 and [p.name for p in page] == ["Green Tea"]
        assert [p.sku for p in await uow.products.search("TEA")] == ["T-2"]
        assert [p.sku for p in await uow.products.search("50%_")] == []
        assert await uow.products.get("W-1") == Product(
            "W-1", "Gaiwan", "teaware", Money(1400, "USD"), photo="https://x.example/g.jpg"
        )
        assert [p.sku for p in await uow.products.list_all()] == ["T-1", "T-2", "T-3", "W-1"]


async def test_a_product_is_read_with_its_stock_level_in_one_statement(uow_factory):
    await stocked(uow_factory, ("TEA-1", 7, 2))
    async with uow_factory() as uow:
        await uow.products.add(Product("W-1", "Gaiwan", "tea", Money(1400, "USD")))  # no stock kept yet
        await uow.commit()
    counted: list[object] = []
    stop = count_statements(uow_factory.engine, lambda: counted.append(1))
    try:
        async with uow_factory(write=False) as uow:
            product, level = await uow.products.get_with_stock("TEA-1")
            read = len(counted)
            assert await uow.products.get("TEA-1") == product  # known now: not read again
            assert len(counted) == read
            assert await uow.products.get_with_stock("W-1") == (await uow.products.get("W-1"), None)
            assert await uow.products.get_with_stock("NOPE") == (None, None)
    finally:
        stop()
    assert product is not None and product.sku == "TEA-1"
    assert level == StockLevel("TEA-1", on_hand=7, reserved=0, safety=2, low_alert_armed=True)
    assert read == (2 if uow_factory.engine.dialect.name == "sqlite" else 1)  # SQLite: BEGIN too


async def test_customer_with_saved_addresses_and_cart_round_trip(uow_factory):
    customer = Customer(42, "Ada", "zh", "+442079460958", [ADDRESS], cart_reminders=False)
    async with uow_factory() as uow:
        await uow.customers.add(customer)
        await uow.carts.save(Cart(42, {"B-2": 3, "A-1": 1}), now=NOW)
        await uow.commit()
    async with uow_factory(write=False) as uow:
        assert await uow.customers.get(42) == customer
        cart = await uow.carts.get(42)
        assert list(cart.lines.items()) == [("B-2", 3), ("A-1", 1)]
        assert (await uow.carts.get(43)).is_empty
        assert await uow.customers.get(43) is None


async def test_the_last_recipient_and_delivery_choice_are_kept_for_the_next_checkout(uow_factory):
    """What the review saves by a partial update (`recipient` is stored as `last_recipient`) reads back."""
    async with uow_factory() as uow:
        await uow.customers.add(Customer(42, "Ada", "en"))
        await uow.commit()
    async with uow_factory() as uow:
        customer = await uow.customers.get(42)
        customer.phone, customer.recipient, customer.last_delivery = "+12025550123", "Ada L.", "express"
        await uow.customers.update(customer, "phone", "recipient", "last_delivery")
        await uow.commit()
    async with uow_factory(write=False) as uow:
        again = await uow.customers.get(42)
        assert (again.phone, again.recipient, again.last_delivery) == ("+12025550123", "Ada L.", "express")
        assert (await uow.customers.get_in_dialog(42))[0] == again


async def test_outbox_keeps_one_message_per_dedupe_key(uow_factory):
    first = OutboxMessage(7, {"text": "Shipped"}, NOW, dedupe_key="order:A:shipped")
    again = OutboxMessage(7, {"text": "Shipped"}, NOW, dedupe_key="order:A:shipped")
    async with uow_factory() as uow:
        await uow.outbox.add(first)
        await uow.outbox.add(again)
        await uow.outbox.add(OutboxMessage(7, {"text": "no key"}, NOW))
        await uow.outbox.add(OutboxMessage(7, {"text": "no key"}, NOW))
        await uow.commit()
    assert first.id is not None and again.id is None
    async with uow_factory(write=False) as uow:
        from storage.tables import OutboxRow

        rows = (await uow.session.scalars(OutboxRow.__table__.select())).all()
    assert len(rows) == 3


async def test_a_redelivered_telegram_update_is_recognised(uow_factory):
    async with uow_factory() as uow:
        assert await uow.updates.first_time(1001, NOW) is True
        assert await uow.updates.first_time(1001, NOW) is False
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.updates.first_time(1001, NOW) is False
        assert await uow.updates.first_time(1002, NOW) is True


async def test_dialog_state_is_kept_replaced_and_cleared(uow_factory):
    async with uow_factory() as uow:
        await uow.dialogs.set(5, "checkout:address", {"city": "London"})
        await uow.dialogs.set(5, "checkout:phone", {"city": "London", "n": 2})
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.dialogs.get(5) == ("checkout:phone", {"city": "London", "n": 2})
        await uow.dialogs.clear(5)
        await uow.commit()
    async with uow_factory(write=False) as uow:
        assert await uow.dialogs.get(5) is None


async def test_open_staff_prompts_are_listed_by_state(uow_factory):
    async with uow_factory() as uow:
        await uow.dialogs.set(7, "merchant.ship", {"number": "AB-1", "at": "2026-01-01T12:00:00+00:00"})
        await uow.dialogs.set(8, "checkout:phone", {"n": 1})
        await uow.dialogs.set(9, "merchant.reject", {"number": "AB-2"})
        await uow.commit()
    async with uow_factory(write=False) as uow:
        found = await uow.dialogs.in_states(("merchant.ship", "merchant.reject"))
    assert sorted(found) == [
        (7, "merchant.ship", {"number": "AB-1", "at": "2026-01-01T12:00:00+00:00"}),
        (9, "merchant.reject", {"number": "AB-2"}),
    ]


async def test_order_round_trips_with_lines_address_timeline_and_every_field(uow_factory):
    async with uow_factory() as uow:
        await stock_product(uow, "TEA-1")
        await stock_product(uow, "TEA-2", price=999)
        await uow.commit()
    placed = await place(uow_factory, 7, {"TEA-1": 2, "TEA-2": 1})

    async with uow_factory() as uow:
        order = await uow.orders.get_for_update(placed.number)
        order.mark_paid(Actor.system("stripe"), NOW + timedelta(minutes=3), "cs_test_1", "ch_1")
        order.merchant_message_id = 9001
        await uow.orders.save(order)
        await uow.commit()
    async with uow_factory() as uow:
        order = await uow.orders.get_for_update(placed.number)
        order.transition(OrderStatus.ACCEPTED, Actor.staff(1), NOW + timedelta(minutes=4))
        order.transition(OrderStatus.PACKED, Actor.staff(1), NOW + timedelta(minutes=5))
        order.ship("DHL", "jd 0141 2345", Actor.staff(1), NOW + timedelta(minutes=6))
        await uow.orders.save(order)
        await uow.commit()

    async with uow_factory(write=False) as uow:
        stored = await uow.orders.get(placed.number)
    assert stored == order
    assert stored.total == Money(2 * 1850 + 999 + 500, "USD")
    assert [t.new for t in stored.timeline] == ["placed", "paid", "accepted", "packed", "shipped"]
    assert stored.address == ADDRESS and stored.tracking_number == "JD01412345"
    assert (stored.payment_ref, stored.provider_charge_id, stored.merchant_message_id) == (
        "cs_test_1",
        "ch_1",
        9001,
    )


async def test_units_that_came_back_are_kept_per_line_and_never_exceed_what_was_sold(uow_factory):
    async with uow_factory() as uow:
        await stock_product(uow, "TEA-1")
        await stock_product(uow, "TEA-2", price=999)
        await uow.commit()
    placed = await place(uow_factory, 7, {"TEA-1": 2, "TEA-2": 1})
    for line, quantity in ((0, 1), (1, 1), (0, 1)):
        async with uow_factory() as uow:
            order = await uow.orders.get_for_update(placed.number)
            order.record_return(line, quantity)
            await uow.orders.save(order)
            await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.orders.get_for_update(placed.number)
        assert [(line.returned, line.left) for line in stored.lines] == [(2, 0), (1, 0)]
        assert stored.all_returned
        with pytest.raises(InvalidInput):
            stored.record_return(0, 1)  # both units of the line came back already


async def test_order_queries_by_customer_status_and_expiry(uow_factory):
    await stocked(uow_factory, ("TEA-1", 50, 0))
    first = await place(uow_factory, 7, {"TEA-1": 1})
    async with uow_factory() as uow:
        await fill_cart(uow, 7, {"TEA-1": 1})
        cash = await checkout(uow, 7, payment_method=PaymentMethod.CASH)
        await uow.commit()
    async with uow_factory(write=False) as uow:
        assert [o.number for o in await uow.orders.list_for_customer(7)] in (
            [cash.number, first.number],
            [first.number, cash.number],  # same placed_at
        )
        orders, total = await uow.orders.list_by_status([OrderStatus.PLACED], limit=1)
        assert total == 2 and len(orders) == 1
        assert await uow.orders.expired_unpaid(NOW + timedelta(minutes=29)) == []
        assert [o.number for o in await uow.orders.expired_unpaid(NOW + timedelta(minutes=30))] == [
            first.number
        ]


async def test_work_left_without_commit_is_rolled_back(uow_factory):
    await stocked(uow_factory, ("TEA-1", 5, 0))
    async with uow_factory() as uow:
        await fill_cart(uow, 7, {"TEA-1": 2})
        await checkout(uow, 7)
        await uow.dialogs.set(7, "x", {})
    with pytest.raises(RuntimeError):
        async with uow_factory() as uow:
            await uow.customers.add(Customer(7))
            raise RuntimeError("handler crashed")
    async with uow_factory(write=False) as uow:
        assert (await uow.stocks.get("TEA-1")).reserved == 0
        assert await uow.orders.list_for_customer(7) == []
        assert (await uow.carts.get(7)).is_empty
        assert await uow.dialogs.get(7) is None
        assert await uow.customers.get(7) is None


async def test_change_status_cancel_gives_the_units_back(uow_factory):
    await stocked(uow_factory, ("TEA-1", 5, 0))
    placed = await place(uow_factory, 7, {"TEA-1": 2})
    async with uow_factory() as uow:
        order = await uow.orders.get_for_update(placed.number)
        await change_status(uow, order, OrderStatus.CANCELLED, Actor.customer(7), NOW)
        await uow.commit()
    async with uow_factory(write=False) as uow:
        assert (await uow.stocks.get("TEA-1")).available == 5
        assert (await uow.orders.get(placed.number)).status is OrderStatus.CANCELLED


async def test_payment_attempts_and_webhook_events_are_part_of_the_unit_of_work(uow_factory):
    attempt = PaymentAttempt("AAA-0001", PaymentMethod.STRIPE, Money(2350, "USD"), NOW, provider_ref="cs_1")
    async with uow_factory() as uow:
        await uow.payment_attempts.add(attempt)
        assert await uow.webhook_events.first_time("stripe", "evt_1", NOW)
    async with uow_factory() as uow:  # the first was left without commit: nothing kept
        assert await uow.payment_attempts.latest("AAA-0001") is None
        await uow.payment_attempts.add(attempt)
        assert await uow.webhook_events.first_time("stripe", "evt_1", NOW)
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.payment_attempts.find("cs_1")).amount == Money(2350, "USD")
        assert not await uow.webhook_events.first_time("stripe", "evt_1", NOW)


async def test_a_customer_is_read_with_their_open_dialog_in_one_go(uow_factory):
    async with uow_factory() as uow:
        await uow.customers.add(Customer(42, "Ada", "zh"))
        await uow.customers.add(Customer(43, "Bob", "en"))
        await uow.dialogs.set(42, "checkout_phone", {"name": "Ada"})
        await uow.dialogs.set(44, "checkout_name", {})  # a dialog of someone not stored as a customer
        await uow.commit()
    async with uow_factory(write=False) as uow:
        assert await uow.customers.get_in_dialog(42) == (
            Customer(42, "Ada", "zh"),
            ("checkout_phone", {"name": "Ada"}),
        )
        assert await uow.customers.get_in_dialog(43) == (Customer(43, "Bob", "en"), None)
        assert await uow.customers.get_in_dialog(44) == (None, ("checkout_name", {}))
        assert await uow.customers.get_in_dialog(45) == (None, None)


async def test_a_refund_before_its_payment_is_kept_raised_and_taken_once(uow_factory):
    async with uow_factory() as uow:
        await uow.early_refunds.keep("pi_1", 300, NOW)
        await uow.early_refunds.keep("pi_1", 200, NOW)  # an older report arriving late: the total stays
        await uow.early_refunds.keep("pi_1", 500, NOW)
        await uow.early_refunds.keep("pi_2", None, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.early_refunds.take("pi_1") == (True, 500)
        assert await uow.early_refunds.take("pi_2") == (True, None)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.early_refunds.take("pi_1") == (False, None)


async def test_an_orders_refunds_are_listed_with_their_states_oldest_first(uow_factory):
    async with uow_factory() as uow:
        for order_number, amount in (("A-1", 500), ("A-1", 700), ("B-2", 900)):
            await uow.refunds.add(PendingRefund(order_number, "pi_1", Money(amount, "USD"), NOW))
        await uow.commit()
    async with uow_factory() as uow:
        first, second, other = [await uow.refunds.get(n) for n in (1, 2, 3)]
        for refund in (first, other):
            refund.state, refund.attempts, refund.last_error = (
                RefundState.FAILED,
                1,
                REFUSED + "No such charge",
            )
            await uow.refunds.save(refund)
        await uow.commit()
    async with uow_factory() as uow:
        stuck, owed = await uow.refunds.for_order("A-1")
        assert (stuck.id, stuck.amount, stuck.refusal) == (first.id, Money(500, "USD"), "No such charge")
        assert (stuck.state, owed.state, owed.amount) == (
            RefundState.FAILED,
            RefundState.PENDING,
            second.amount,
        )
        stuck.state = RefundState.BY_HAND
        await uow.refunds.save(stuck)
        await uow.commit()
    async with uow_factory(write=False) as uow:
        assert [r.state for r in await uow.refunds.for_order("A-1")] == [
            RefundState.BY_HAND,
            RefundState.PENDING,
        ]
        assert [r.order_number for r in await uow.refunds.for_order("B-2")] == ["B-2"]
        assert await uow.refunds.for_order("C-3") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite plans without statistics
async def test_an_orders_refunds_are_found_through_the_index_of_their_order_number(uow_factory):
    """Every order card drawn asks for its order's refunds."""
    sent: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        sent.append((statement, parameters))

    engine = uow_factory.engine.sync_engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        async with uow_factory(write=False) as uow:
            assert await uow.refunds.for_order("A-1") == []
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    [(statement, parameters)] = [(s, p) for s, p in sent if "FROM refunds" in s]
    async with uow_factory.engine.connect() as conn:
        steps = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        plan = " ".join(str(row[-1]) for row in steps)
    assert "ix_refunds_order_number" in plan, plan
