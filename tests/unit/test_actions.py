"""Button actions: packed ≤ 64 bytes, round-trip exactly, and anything tampered is refused as stale."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.actions import customer as a
from handlers.actions.customer import MAX_BYTES, StaleAction, pack, unpack

tokens = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,11}", fullmatch=True)
order_numbers = st.from_regex(r"[2-9A-Z]{3}-[2-9A-Z]{4}", fullmatch=True)
qty = st.integers(1, 99)

any_action = st.one_of(
    st.just(a.Menu()),
    st.just(a.ShowCart()),
    st.builds(a.SetLanguage, st.sampled_from(["en", "zh"])),
    st.builds(a.CategoryPage, tokens, st.integers(0, 9999)),
    st.builds(a.ShowProduct, tokens, qty),
    st.builds(a.AddToCart, tokens, qty),
    st.builds(a.CartStep, tokens, st.sampled_from([-1, 1])),
    st.builds(a.CartRemove, tokens),
    st.builds(a.FormPick, st.sampled_from(["checkout.name", "checkout.delivery"]), tokens),
    st.builds(a.FormBack, st.sampled_from(["checkout.address", "checkout.review"])),
    st.builds(a.PlaceOrder, st.sampled_from(["cash", "stripe", "telegram"])),
    st.builds(a.ShowOrder, order_numbers),
    st.builds(a.CancelOrder, order_numbers, st.booleans()),
    st.builds(a.BuyAgain, order_numbers),
    st.builds(a.TrackOrder, order_numbers),
)


@given(any_action)
def test_every_action_round_trips_within_64_bytes(action):
    data = pack(action)
    assert len(data.encode()) <= MAX_BYTES
    assert unpack(data) == action


def test_the_longest_sku_still_fits():
    assert len(pack(a.AddToCart("S" * 40, 99)).encode()) <= MAX_BYTES


@given(any_action, st.integers(0, 63), st.characters())
def test_a_tampered_action_is_refused_or_still_a_checked_action(action, position, char):
    data = pack(action)
    position %= len(data)
    tampered = data[:position] + char + data[position + 1 :]
    try:
        result = unpack(tampered)
    except StaleAction:
        return
    assert pack(result) == tampered  # whatever unpacks is a well-formed action that passed its checks


@pytest.mark.parametrize(
    "data",
    [
        "",
        "2mn",  # another version
        "1zz",  # unknown prefix
        "1pd|MUG",  # missing field
        "1pd|MUG|1|2",  # extra field
        "1pd|MUG|0",  # quantity out of range
        "1pd|MUG|abc",  # not a number
        "1pd|MUG|01",  # a second spelling of 1
        "1ct|tea|-0",
        "1cq|MUG|5",  # a step of five
        "1lg|fr",  # an unsupported language
        "1ox|K7M-2QXD|2",  # not a flag
        "1pd|MU G|1",  # a space in a token
        "1od|" + "A" * 61,  # too long
        "1pd|ÄÄ|1",
    ],
)
def test_malformed_callback_data_is_stale(data):
    with pytest.raises(StaleAction):
        unpack(data)


def test_packing_a_value_that_cannot_travel_is_refused():
    with pytest.raises(StaleAction):
        pack(a.ShowProduct("has space", 1))
    with pytest.raises(StaleAction):
        pack(dataclasses.replace(a.ShowProduct("MUG", 1), qty=500))


async def test_a_tampered_button_tells_the_user_it_is_out_of_date_and_changes_nothing(alice, shop):
    await alice.press_data("1ad|TEA-BLACK|500")
    assert alice.last.answer == "This button is out of date." and alice.last.alert
    await alice.press_data("1xx|whatever")
    assert alice.last.answer == "This button is out of date."
    async with shop() as uow:
        assert (await uow.carts.get(alice.user_id)).is_empty
