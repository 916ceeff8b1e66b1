"""Names, phones, countries and addresses as customers type them: impossible ones refused with a way
forward, any way of naming a country understood, and saved addresses kept once each and manageable."""

from __future__ import annotations

import dataclasses

import pytest

from domain.customer import Address, Customer
from domain.errors import InvalidInput
from domain.order_status import PaymentMethod
from handlers.app import ShopApp
from tests.unit.chat import Chat, check_out, fill_cart


@pytest.fixture
async def at_phone(alice: Chat, shop) -> Chat:
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await alice.command("checkout")
    await alice.send("Alice Smith")
    return alice


@pytest.fixture
async def at_address(at_phone: Chat) -> Chat:
    await at_phone.contact("+1 202 555 0100")
    await at_phone.press("Standard")
    return at_phone


@pytest.mark.parametrize("phone", ["00000000", "+1 555 0100", "+86 123", "12345678901234"])
async def test_a_phone_no_one_could_call_is_refused_with_an_example_of_a_valid_one(at_phone: Chat, phone):
    await at_phone.send(phone)
    assert "That is not a phone number that can be called" in at_phone.text
    assert "for example +1 201-555-0123" in at_phone.text
    assert "Your phone number for the courier" in at_phone.text


async def test_a_chinese_customer_may_type_a_mobile_number_without_the_country_code(app, shop):
    wang = Chat(app, 333, language_code="zh")
    await fill_cart(shop, wang.user_id, {"TEA-BLACK": 1})
    await wang.command("checkout")
    await wang.send("王小明")
    await wang.send("00000000")
    assert "例如 +86 10 1234 5678" in wang.text
    await wang.send("138 0013 8000")
    await wang.press("Pickup")
    assert "收件人：王小明，+8613800138000" in wang.text


@pytest.mark.parametrize("name", ["\u3164", "\u200b\u200b", "\u3164 \u3164", "\u2800"])
async def test_a_name_that_shows_as_nothing_is_refused(alice: Chat, shop, name):
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await alice.command("checkout")
    await alice.send(name)
    assert "The name must have letters" in alice.text and "Who will receive the order?" in alice.text


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("x, y, ZZ", "I do not know the country “ZZ”"),
        ("12 Main St, Springfield, Narnia", "I do not know the country “Narnia”"),
        ("x, Springfield, US", "The street and the city look too short"),
    ],
)
async def test_an_address_that_cannot_be_delivered_to_is_refused(at_address: Chat, typed, refusal):
    await at_address.send(typed)
    assert refusal in at_address.text and "The delivery address" in at_address.text


@pytest.mark.parametrize("country", ["CN", "cn", "China", "中国", "中國", "CHN"])
async def test_a_country_is_understood_by_code_or_name_in_english_or_chinese(at_address: Chat, country):
    await at_address.send(f"1 Jianguomenwai Ave, Beijing, 100022, {country}")
    assert "Address: 1 Jianguomenwai Ave, Beijing, 100022, CN" in at_address.text


def _address(street: str, city: str = "Springfield", recipient: str = "Alice") -> Address:
    return Address(recipient, "+12025550100", "US", city, street, "12345")


def test_the_same_place_is_saved_once_and_a_new_one_does_not_take_the_default():
    customer = Customer(1)
    customer.remember_address(_address("12 Main St"))
    customer.remember_address(_address("9 Elm St"))
    customer.remember_address(_address("12 MAIN ST", recipient="Bob"))  # same place, another recipient
    assert [a.line1 for a in customer.addresses] == ["12 MAIN ST", "9 Elm St"]
    assert customer.default_address.recipient == "Bob"
    customer.make_default(1)
    assert customer.default_address.line1 == "9 Elm St"
    customer.forget_address(0)
    assert [a.line1 for a in customer.addresses] == ["12 MAIN ST"]
    with pytest.raises(InvalidInput):
        customer.forget_address(3)


async def test_saved_addresses_are_listed_made_default_and_deleted(alice: Chat, shop):
    await alice.command("addresses")
    assert "No saved addresses yet" in alice.text
    for street in ("12 Main St", "9 Elm St"):
        await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
        await check_out(alice)
        await alice.press("✏ Address")
        await alice.send(f"{street}, Springfield, 12345, US")
        await alice.press("Cash on delivery")
    await alice.command("addresses")
    assert "1. 12 Main St, Springfield, 12345, US (default)" in alice.text
    assert "2. 9 Elm St, Springfield, 12345, US" in alice.text
    await alice.press("Make 2 default")
    assert (
        "Default address changed." in alice.text
        and "1. 9 Elm St, Springfield, 12345, US (default)" in alice.text
    )
    await alice.press("Delete 2")
    assert "Address deleted." in alice.text and "12 Main St" not in alice.text
    async with shop() as uow:
        stored = await uow.customers.get(alice.user_id)
    assert [a.line1 for a in stored.addresses] == ["9 Elm St"]
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await alice.command("checkout")
    assert "Address: 9 Elm St, Springfield, 12345, US" in alice.text


class TapCounter:
    """Counts what a person does: every button press and every message sent."""

    def __init__(self, chat: Chat) -> None:
        self.chat, self.taps = chat, 0

    async def press(self, label: str) -> None:
        self.taps += 1
        await self.chat.press(label)


@pytest.mark.parametrize("pay", ["Cash on delivery", "Card (online)"])
async def test_a_returning_customer_pays_within_four_taps_of_a_product_card(app, shop, config, pay):
    every_way = dataclasses.replace(config, payment_methods=(PaymentMethod.CASH, PaymentMethod.STRIPE))
    alice = Chat(ShopApp(shop, app._clock, every_way, payments=app._payments), 111)
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await check_out(alice)
    await alice.press("Cash on delivery")  # the first order: name, phone, delivery and address remembered
    await alice.command("start", "p_TEA-OOLONG")
    assert "Oolong tea" in alice.text
    person = TapCounter(alice)
    await person.press("Buy now")
    assert "Recipient: Alice Smith, +12025550100" in alice.text and "Address: 12 Main St" in alice.text
    await person.press(pay)
    assert person.taps <= 4
    if pay == "Cash on delivery":
        assert "is placed!" in alice.text
    else:
        assert alice.link("Pay $20.00")
