"""A staff prompt takes only the answer meant for it (issue 15): the reproductions, timeouts, two staff."""

from __future__ import annotations

import pytest

from domain.order_status import OrderStatus
from handlers.actions.customer import pack
from handlers.actions.merchant import AcceptOrder, OpenOrder, PackOrder, RejectOrder, ShipOrder
from handlers.app import ShopApp
from handlers.kernel.incoming import Kind
from handlers.kernel.reply import Reply
from handlers.merchant.stats.handler import MerchantStats
from jobs.staff_prompts import EndStalePrompts
from tests.fakes.payment_shop import FakeGateway
from tests.shops.merchant import (
    ANN,
    BEN,
    CARD_MESSAGE,
    CAROL,
    MERCHANT_CHAT,
    FakeTracking,
    StaffChat,
    desk_for,
)
from tests.shops.merchant import paid_order as paid
from tests.unit.analytics.sample import sample_figures

S = OrderStatus


class NoFigures:
    async def figures(self, window):
        return sample_figures(len(window.day_starts), orders=False)

    async def order_rows(self, window):
        return []


@pytest.fixture
def desk():
    return desk_for(tracking=FakeTracking(), gateway=FakeGateway())


@pytest.fixture
def app(shop, clock, config, desk) -> ShopApp:
    stats = MerchantStats(NoFigures(), is_staff=desk.is_staff, clock=clock, render_chart=lambda f: b"")
    return ShopApp(shop, clock, config, merchant=desk, stats=stats)


@pytest.fixture
def ann(app) -> StaffChat:
    return StaffChat(app, ANN, "Ann")


@pytest.fixture
def ben(app) -> StaffChat:
    return StaffChat(app, BEN, "Ben")


async def packed_order(shop, clock, desk, staff: StaffChat, card_message: int = CARD_MESSAGE) -> str:
    order = await paid(shop, clock, desk, **{"TEA-BLACK": 1})
    await staff.press_data(pack(AcceptOrder(order.number)), card_message)
    await staff.press_data(pack(PackOrder(order.number)), card_message)
    return order.number


def customer_texts(shop, number: str) -> list[str]:
    texts = [m.payload["text"] for m in shop.state.outbox if m.chat_id == CAROL]
    return [text for text in texts if number in text]


def prompt_of(outcome) -> Reply:
    [prompt] = [r for r in outcome.replies if r.force_reply]
    return prompt


async def test_a_command_between_ship_and_a_lunch_message_ends_the_prompt_and_nothing_ships(
    shop, clock, desk, ann
):
    number = await packed_order(shop, clock, desk, ann)
    await ann.press_data(pack(ShipOrder(number)))
    assert prompt_of(ann.last).text.startswith("✍")

    await ann.command("stock")
    [ended] = [r for r in ann.last.replies if r.edit_message_id == CARD_MESSAGE]
    assert "/stock came first" in ended.text and any("Ship" in b.label for row in ended.buttons for b in row)
    assert "Stock" in ann.text  # the command itself still answered

    await ann.send("lunch order for table 123456")
    order = shop.state.orders[number]
    assert (order.status, order.carrier, order.tracking_number) == (S.PACKED, None, None)
    assert not any("on its way" in text for text in customer_texts(shop, number))
    assert ann.last.replies == []  # staff chatter in the group: no answer


async def test_stats_between_reject_other_and_a_goodbye_ends_the_prompt_and_nothing_is_rejected(
    shop, clock, desk, ann
):
    order = await paid(shop, clock, desk, **{"TEA-BLACK": 1})
    await ann.press_data(pack(RejectOrder(order.number)))
    await ann.press_data(pack(RejectOrder(order.number, "other")))
    assert prompt_of(ann.last).force_reply

    await ann.command("stats")
    [ended] = [r for r in ann.last.replies if r.edit_message_id == CARD_MESSAGE]
    assert "/stats came first" in ended.text

    await ann.send("ok see you all tomorrow")
    assert shop.state.orders[order.number].status is S.PAID
    assert not any("see you all tomorrow" in text for text in customer_texts(shop, order.number))


async def test_the_next_plain_message_answers_and_a_reply_to_the_prompt_answers_too(shop, clock, desk, ann):
    first = await packed_order(shop, clock, desk, ann)
    await ann.press_data(pack(ShipOrder(first)))
    await ann.send("DHL JD014600003828")
    assert shop.state.orders[first].status is S.SHIPPED

    second = await packed_order(shop, clock, desk, ann, card_message=778)
    await ann.press_data(pack(ShipOrder(second)), 778)
    prompt = prompt_of(ann.last)
    await ann.reply(prompt, "UPS 1Z999AA10123456784", message_id=9001)
    stored = shop.state.orders[second]
    assert (stored.status, stored.carrier, stored.tracking_number) == (S.SHIPPED, "UPS", "1Z999AA10123456784")


async def test_a_prompt_left_longer_than_five_minutes_times_out_and_says_so(shop, clock, desk, ann):
    number = await packed_order(shop, clock, desk, ann)
    await ann.press_data(pack(ShipOrder(number)))
    clock.advance(minutes=6)
    await ann.send("DHL JD014600003828")
    assert shop.state.orders[number].status is S.PACKED
    assert "timed out" in ann.text
    [ended] = [r for r in ann.last.replies if r.edit_message_id == CARD_MESSAGE]
    assert "timed out" in ended.text


async def test_another_button_ends_the_prompt_and_the_toast_says_so(shop, clock, desk, ann):
    number = await packed_order(shop, clock, desk, ann)
    await ann.press_data(pack(ShipOrder(number)))
    await ann.press_data(pack(OpenOrder(number)))
    assert "another button" in (ann.last.answer or "")
    await ann.send("DHL JD014600003828")
    assert shop.state.orders[number].status is S.PACKED


async def test_cancel_stops_the_prompt(shop, clock, desk, ann):
    number = await packed_order(shop, clock, desk, ann)
    await ann.press_data(pack(ShipOrder(number)))
    await ann.command("cancel")
    assert "stopped with /cancel" in ann.text
    await ann.send("DHL JD014600003828")
    assert shop.state.orders[number].status is S.PACKED


async def test_two_staff_prompts_never_take_each_others_answers(shop, clock, desk, ann, ben):
    first = await packed_order(shop, clock, desk, ann, card_message=801)
    second = await packed_order(shop, clock, desk, ben, card_message=802)
    await ann.press_data(pack(ShipOrder(first)), 801)
    anns_prompt = prompt_of(ann.last)
    await ben.press_data(pack(ShipOrder(second)), 802)

    await ben.send("UPS 1Z999AA10123456784")
    await ann.send("DHL JD014600003828")
    assert (shop.state.orders[first].carrier, shop.state.orders[first].tracking_number) == (
        "DHL",
        "JD014600003828",
    )
    assert shop.state.orders[second].tracking_number == "1Z999AA10123456784"

    third = await packed_order(shop, clock, desk, ben, card_message=803)
    await ben.press_data(pack(ShipOrder(third)), 803)
    await ben.reply(anns_prompt, "FedEx 612345678901", message_id=9002)  # Ann's old prompt, not his
    assert shop.state.orders[third].status is S.PACKED
    assert "another message came first" in ben.text


async def test_a_customer_message_is_never_taken_as_a_staff_answer(shop, clock, desk, ann, app):
    number = await packed_order(shop, clock, desk, ann)
    await ann.press_data(pack(ShipOrder(number)))
    carol = StaffChat(app, CAROL, "Carol", chat_id=MERCHANT_CHAT)
    await carol._send(Kind.TEXT, text="DHL JD014600003828")
    assert shop.state.orders[number].status is S.PACKED


async def test_the_sweep_ends_a_forgotten_prompt_and_edits_its_card_without_waiting_for_a_message(
    shop, clock, desk, ann, ben
):
    number = await packed_order(shop, clock, desk, ann)
    await ann.press_data(pack(ShipOrder(number)))
    other = await packed_order(shop, clock, desk, ben, card_message=779)
    clock.advance(minutes=4)
    await ben.press_data(pack(ShipOrder(other)), 779)  # Ben's prompt is younger: it stays
    sweep = EndStalePrompts(shop, clock, manual_delivery=False)
    assert await sweep.run() == 0
    clock.advance(minutes=2)
    assert await sweep.run() == 1
    [edit] = [m for m in shop.state.outbox if m.payload.get("edit_message_id") == CARD_MESSAGE][-1:]
    assert edit.chat_id == MERCHANT_CHAT and "timed out" in edit.payload["text"]
    assert any("Ship" in b["label"] for row in edit.payload["buttons"] for b in row)
    assert ANN not in shop.state.dialogs and BEN in shop.state.dialogs
    await ann.send("DHL JD014600003828")
    assert shop.state.orders[number].status is S.PACKED
