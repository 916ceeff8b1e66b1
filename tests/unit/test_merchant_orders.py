"""Staff work orders from the card in the merchant chat; customers cannot."""

from __future__ import annotations

import asyncio
import logging

import pytest

from domain.order_status import OrderStatus
from domain.payments.refunds import MAX_REFUND_ATTEMPTS, RefundState
from handlers.actions.aftercare import RefundOrder
from handlers.actions.customer import CancelOrder, pack
from handlers.actions.merchant import (
    AcceptOrder,
    CancelByShop,
    MarkDelivery,
    OpenOrder,
    OrderQueue,
    OrderQueues,
    PackOrder,
    RejectOrder,
    ShipOrder,
    StockPage,
    StopAsking,
)
from handlers.app import ShopApp
from handlers.kernel.reply import Reply
from handlers.payments.methods import confirm_cash_order
from handlers.payments.notices import PaymentNotices
from jobs.retry_refunds import RetryRefunds
from tests.fakes.payment_shop import FakeGateway, card_edits
from tests.shops.merchant import (
    ANN,
    BEN,
    CARD_MESSAGE,
    CAROL,
    MERCHANT_CHAT,
    FakeTracking,
    StaffChat,
    desk_for,
    paid_order,
)
from tests.unit.chat import Chat, place_order


@pytest.fixture
def tracking() -> FakeTracking:
    return FakeTracking()


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def desk(tracking, gateway):
    return desk_for(tracking=tracking, gateway=gateway)


@pytest.fixture
def app(shop, clock, config, desk) -> ShopApp:
    return ShopApp(shop, clock, config, merchant=desk)


@pytest.fixture
def ann(app) -> StaffChat:
    return StaffChat(app, ANN, "Ann")


@pytest.fixture
def ben(app) -> StaffChat:
    return StaffChat(app, BEN, "Ben")


@pytest.fixture
def carol(app) -> Chat:
    return Chat(app, CAROL, name="Carol")


def card(factory, number: str) -> Reply:
    [message] = [m for m in factory.state.outbox if m.dedupe_key == f"order:{number}:card"]
    assert message.chat_id == MERCHANT_CHAT
    return Reply.from_payload(message.payload)


def told(factory, chat_id: int) -> list[str]:
    return [m.payload["text"] for m in factory.state.outbox if m.chat_id == chat_id]


def labels(reply: Reply) -> list[str]:
    return [b.label for row in reply.buttons for b in row]


async def test_a_paid_order_arrives_in_the_merchant_chat_as_a_card_with_accept_and_reject(shop, clock, desk):
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 2})
    shown = card(shop, order.number)
    for detail in (order.number, "2 × Black tea", "$23.00", "Carol Chen", "+15550100", "12 Main St", "paid"):
        assert detail in shown.text
    assert any("Accept" in label for label in labels(shown))
    assert any("Reject" in label for label in labels(shown))
    assert not any("Ship" in label for label in labels(shown))


async def test_accept_pack_ship_updates_the_card_in_place_and_tells_the_customer(
    shop, clock, desk, ann, tracking
):
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 2})
    await ann.press_on(card(shop, order.number), "Accept")
    [edited] = ann.last.replies
    assert edited.edit and "Accepted by Ann" in edited.text
    assert [label for label in labels(edited) if "Accept" in label] == []
    assert "accepted your order" in told(shop, CAROL)[-1]
    assert shop.state.orders[order.number].merchant_message_id == CARD_MESSAGE

    await ann.press_on(edited, "Packed")
    await ann.press_on(ann.last.replies[0], "Ship")
    assert "tracking number" in ann.last.replies[0].text

    await ann.send("DHL ab")  # too short to be a tracking number
    assert "does not look right" in ann.text
    assert shop.state.orders[order.number].status is OrderStatus.PACKED

    await ann.send("DHL JD014600003828")
    card_edit = next(r for r in ann.last.replies if r.edit_message_id == CARD_MESSAGE)
    assert card_edit.chat_id == MERCHANT_CHAT
    assert "Shipped by Ann" in card_edit.text and "JD014600003828" in card_edit.text
    stored = shop.state.orders[order.number]
    assert (stored.status, stored.carrier, stored.tracking_number) == (
        OrderStatus.SHIPPED,
        "DHL",
        "JD014600003828",
    )
    assert tracking.registered == [("JD014600003828", "DHL")]
    assert not any("Delivered" in label for label in labels(card_edit))  # the tracking provider reports it
    notice = next(
        m for m in shop.state.outbox if (m.dedupe_key or "").startswith(f"order:{order.number}:shipped")
    )
    assert "JD014600003828" in notice.payload["text"]
    assert "17track" in notice.payload["buttons"][0][0]["url"]
    assert shop.state.stocks["TEA-BLACK"].on_hand == 48  # the parcel left the warehouse


async def test_a_customer_pressing_a_forged_accept_is_refused_and_nothing_changes(
    shop, clock, desk, carol, caplog
):
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    sent_before = len(shop.state.outbox)
    with caplog.at_level(logging.WARNING, logger="shopbot.merchant"):
        await carol.press_data(pack(AcceptOrder(order.number)))
    assert "shop staff only" in carol.text
    assert shop.state.orders[order.number].status is OrderStatus.PAID
    assert len(shop.state.outbox) == sent_before
    refusals = [r.getMessage() for r in caplog.records if "merchant_access_refused" in r.getMessage()]
    assert refusals and all(str(CAROL) not in text for text in refusals)


FORGED_STAFF_BUTTONS = [
    lambda n: RejectOrder(n),
    lambda n: RejectOrder(n, "stock"),
    PackOrder,
    ShipOrder,
    CancelByShop,
    lambda n: CancelByShop(n, confirmed=True),
    lambda n: MarkDelivery(n, "delivered"),
    OpenOrder,
    StopAsking,
    lambda _: OrderQueues(),
    lambda _: OrderQueue("new"),
    lambda _: StockPage(),
]


@pytest.mark.parametrize("forge", FORGED_STAFF_BUTTONS)
async def test_a_customer_pressing_any_forged_staff_button_on_her_own_order_changes_nothing(
    shop, clock, desk, carol, gateway, forge
):
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    sent_before, stock_before = len(shop.state.outbox), shop.state.stocks["TEA-BLACK"]
    await carol.press_data(pack(forge(order.number)))
    assert carol.text == "This button is for shop staff only." and carol.last.alert
    assert shop.state.orders[order.number].status is OrderStatus.PAID
    assert shop.state.stocks["TEA-BLACK"] == stock_before
    assert len(shop.state.outbox) == sent_before
    assert CAROL not in shop.state.dialogs
    assert not gateway.refunds


async def test_a_customer_typing_merchant_commands_is_refused(shop, carol):
    await carol.command("restock", "TEA-BLACK 100")
    assert "shop staff only" in carol.text
    assert shop.state.stocks["TEA-BLACK"].on_hand == 50
    await carol.command("orders")  # the customer's own /orders still works
    assert "no orders yet" in carol.text


async def test_second_staff_pressing_a_stale_accept_is_told_who_accepted(shop, clock, desk, ann, ben):
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    shown = card(shop, order.number)
    await asyncio.gather(ann.press_on(shown, "Accept"), ben.press_on(shown, "Accept"))
    accepted = [step for step in shop.state.orders[order.number].timeline if step.new is OrderStatus.ACCEPTED]
    assert len(accepted) == 1
    assert "Already accepted by Ann" in ben.last.answer
    assert len([m for m in shop.state.outbox if m.dedupe_key == f"order:{order.number}:accepted"]) == 1


async def test_rejecting_a_paid_order_releases_stock_refunds_and_tells_why(shop, clock, desk, ann, gateway):
    order = await paid_order(shop, clock, desk, **{"TEA-GREEN": 2})
    assert shop.state.stocks["TEA-GREEN"].reserved == 2
    await ann.press_on(card(shop, order.number), "Reject")
    await ann.press_on(ann.last.replies[0], "cannot deliver")
    stored = shop.state.orders[order.number]
    assert stored.status is OrderStatus.REJECTED
    assert shop.state.stocks["TEA-GREEN"].reserved == 0
    assert list(gateway.refunds) == [f"{order.number}-pi_1-{stored.total.amount_minor}"]
    assert "cannot deliver to this address" in told(shop, CAROL)[-1]
    assert "refunded" in told(shop, CAROL)[-1]
    assert "Rejected by Ann" in ann.last.replies[0].text


async def test_a_typed_reject_reason_reaches_the_customer(shop, clock, desk, ann):
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    await ann.press_on(card(shop, order.number), "Reject")
    await ann.press_on(ann.last.replies[0], "Other")
    await ann.send("We are closed for holidays until March")
    assert shop.state.orders[order.number].status is OrderStatus.REJECTED
    assert "closed for holidays" in told(shop, CAROL)[-1]


async def test_without_a_tracking_provider_staff_set_delivery_states(shop, clock, config):
    desk = desk_for(tracking=None, gateway=FakeGateway())
    ann = StaffChat(ShopApp(shop, clock, config, merchant=desk), ANN, "Ann")
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    await ann.press_on(card(shop, order.number), "Accept")
    await ann.press_on(ann.last.replies[0], "Packed")
    await ann.command("ship", f"{order.number} China Post RR123456789CN")
    assert shop.state.orders[order.number].carrier == "China Post"
    shipped_card = next(r for r in ann.last.replies if r.edit_message_id == CARD_MESSAGE)
    assert ["In transit", "Out for delivery", "Delivered", "Problem"] == [
        label.split(" ", 1)[1] for label in labels(shipped_card)[:4]
    ]
    await ann.press_data(pack(MarkDelivery(order.number, "delivered")))
    assert shop.state.orders[order.number].status is OrderStatus.DELIVERED
    assert "was delivered" in told(shop, CAROL)[-1]
    await ann.press_data(pack(MarkDelivery(order.number, "in_transit")))  # stale: already delivered
    assert "nothing changed" in ann.last.answer


async def test_orders_shows_queue_counts_and_order_shows_the_timeline(shop, clock, desk, ann):
    first = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    await paid_order(shop, clock, desk, **{"TEA-OOLONG": 1})
    await ann.press_on(card(shop, first.number), "Accept")
    await ann.command("orders")
    assert any("New (1)" in label for label in ann.labels())
    assert any("To pack (1)" in label for label in ann.labels())
    await ann.press("To pack")
    assert first.number in ann.labels()[0]
    assert "To pack: 1 order, page 1 of 1." in ann.text  # not "1 orders"
    await ann.command("order", first.number.lower())
    text = ann.text
    assert "Timeline:" in text
    for status in ("Placed", "Paid", "Accepted · Ann"):
        assert status in text
    await ann.command("order", "NOPE-123")
    assert "not found" in ann.text


async def test_staff_see_the_card_in_their_own_language(shop, clock, desk, app):
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    li = StaffChat(app, BEN, "Li")
    li.language_code = "zh"
    await li.press_on(card(shop, order.number), "Accept")
    assert "Li 已接单" in li.last.replies[0].text
    assert "accepted your order" in told(shop, CAROL)[-1]  # the customer keeps English


async def test_a_refund_given_up_on_leaves_the_order_rejected_until_staff_refund_by_hand(
    shop, clock, desk, ann, gateway
):
    gateway.fail_refunds = True
    order = await paid_order(shop, clock, desk, **{"TEA-GREEN": 1})
    await ann.press_on(card(shop, order.number), "Reject")
    await ann.press_on(ann.last.replies[0], "out of stock")
    assert shop.state.orders[order.number].status is OrderStatus.REJECTED
    assert shop.state.stocks["TEA-GREEN"].reserved == 0
    job = RetryRefunds(shop, gateway, clock, MERCHANT_CHAT)
    for _ in range(MAX_REFUND_ATTEMPTS - 1):  # the provider stays away: retried, then given up
        clock.advance(hours=1)
        await job.run()
    assert sum("refund $17.50 by hand" in text for text in told(shop, MERCHANT_CHAT)) == 1
    [refund] = shop.state.refunds.values()
    assert refund.state is RefundState.FAILED

    await ann.press_data(pack(RefundOrder(order.number, True)))  # would ask for the refused one again
    assert ann.last.answer == (
        "The payment provider would not refund $17.50: refund it by hand, then press ✅."
    )
    assert shop.state.orders[order.number].status is OrderStatus.REJECTED
    assert "not made" in ann.last.replies[0].text

    await ann.press_on(ann.last.replies[0], "✅ Refunded by hand ($17.50)")
    stored = shop.state.orders[order.number]
    assert (stored.status, stored.refunded_minor) == (OrderStatus.REFUNDED, 1750)
    assert "Refunded" in ann.last.replies[0].text.splitlines()[0]
    assert "not made" not in ann.last.replies[0].text
    issued = f"Your refund of $17.50 for order {order.number} has been issued"
    assert sum(issued in text for text in told(shop, CAROL)) == 1


async def test_the_card_asks_for_the_refund_by_hand_as_the_job_gives_up_on_it(
    shop, clock, desk, ann, gateway
):
    gateway.fail_refunds = True
    order = await paid_order(shop, clock, desk, **{"TEA-GREEN": 1})
    await ann.press_on(card(shop, order.number), "Reject")
    await ann.press_on(ann.last.replies[0], "out of stock")
    job = RetryRefunds(shop, gateway, clock, MERCHANT_CHAT, manual_delivery=desk.manual_delivery)
    for _ in range(MAX_REFUND_ATTEMPTS - 2):  # tried after commit, then by the job: still pending
        clock.advance(hours=1)
        await job.run()
    drawn = len(card_edits(shop, MERCHANT_CHAT, CARD_MESSAGE))
    assert not any("not made" in edit["text"] for edit in card_edits(shop, MERCHANT_CHAT, CARD_MESSAGE))
    clock.advance(hours=1)
    await job.run()  # the last try: given up

    [edit] = card_edits(shop, MERCHANT_CHAT, CARD_MESSAGE)[drawn:]  # redrawn by the job, once
    assert edit["text"].startswith(f"🧾 Order {order.number} — Rejected")
    assert "⚠ Refund $17.50 not made: the payment provider kept failing." in edit["text"]
    buttons = [b["label"] for row in edit["buttons"] for b in row]
    assert buttons[0] == "✅ Refunded by hand ($17.50)"
    assert "💸 Refund" not in buttons  # it would ask the provider for the refund it gave up on
    assert "refund $17.50 by hand" in told(shop, MERCHANT_CHAT)[-2]  # the alert, then the card


async def test_a_rejected_paid_order_says_its_refund_is_on_the_way_and_offers_no_second_one(
    shop, clock, desk, ann, gateway
):
    gateway.fail_refunds = True  # the provider is away for now: the refund stays owed, retried by the job
    order = await paid_order(shop, clock, desk, **{"TEA-GREEN": 1})
    await ann.press_on(card(shop, order.number), "Reject")
    await ann.press_on(ann.last.replies[0], "out of stock")
    drawn = ann.last.replies[0]
    assert "⏳ Refund $17.50 asked of the payment provider; not confirmed yet." in drawn.text
    assert "💸 Refund" not in " ".join(labels(drawn))

    await ann.press_data(pack(RefundOrder(order.number, True)))  # a card drawn before, pressed late
    assert ann.last.answer == "A refund of $17.50 is with the payment provider already."
    stored = shop.state.orders[order.number]
    assert (stored.status, stored.refunded_minor) == (OrderStatus.REJECTED, 0)
    assert len(shop.state.refunds) == 1
    assert not any("has been issued" in text for text in told(shop, CAROL))


async def test_a_customer_cancelling_redraws_the_card_without_staff_buttons(shop, clock, desk, carol):
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    shop.state.orders[order.number].merchant_message_id = CARD_MESSAGE  # reported by the relay
    await carol.press_data(pack(CancelOrder(order.number, True)))
    [edit] = [m for m in shop.state.outbox if m.payload.get("edit_message_id") == CARD_MESSAGE]
    assert edit.chat_id == MERCHANT_CHAT
    assert "Cancelled" in edit.payload["text"]
    assert "Accept" not in str(edit.payload["buttons"])


async def test_a_cash_order_reaches_the_merchant_as_a_card_and_accepting_it_keeps_its_stock(
    shop, clock, desk, ann, carol
):
    number = await place_order(carol, shop, {"TEA-GREEN": 1})
    async with shop() as uow:
        notices = PaymentNotices(MERCHANT_CHAT, order_card=desk.order_card)
        await confirm_cash_order(uow, notices, await uow.orders.get(number), clock.now())
        await uow.commit()
    shown = card(shop, number)
    assert "Cash on delivery · not paid yet" in shown.text
    await ann.command("orders")
    assert any("New (1)" in label for label in ann.labels())
    await ann.press_on(shown, "Accept")
    clock.advance(hours=2)  # an accepted cash order's stock no longer expires
    assert shop.state.orders[number].status is OrderStatus.ACCEPTED
    assert shop.state.stocks["TEA-GREEN"].reserved == 1
    assert "accepted your order" in told(shop, CAROL)[-1]
