import pytest

from domain.customer import Address, Customer, normalize_phone
from domain.errors import InvalidInput


def address(**overrides) -> Address:
    fields = dict(
        recipient="Ada Lovelace",
        phone="+44 20 7946 0958",
        country_code="gb",
        city="London",
        line1="12 St James's Square",
        postal_code="SW1Y 4JH",
    )
    return Address(**{**fields, **overrides})


def test_an_address_is_normalised():
    addr = address()
    assert addr.country_code == "GB"
    assert addr.phone == "+442079460958"
    assert "London" in addr.one_line()


@pytest.mark.parametrize(
    "overrides",
    [
        {"recipient": "x" * 5000},
        {"recipient": "   "},
        {"recipient": "🙂🙂"},
        {"phone": "call me"},
        {"country_code": "United Kingdom"},
        {"city": ""},
        {"line1": "a\x00b"},
        {"postal_code": "!!!"},
    ],
)
def test_bad_address_fields_are_refused_with_the_field_named(overrides):
    with pytest.raises(InvalidInput) as err:
        address(**overrides)
    assert err.value.field in {"recipient", "phone", "country_code", "city", "street", "postal_code"}


def test_phone_numbers_accept_common_punctuation():
    assert normalize_phone("(555) 123-4567") == "5551234567"
    with pytest.raises(InvalidInput):
        normalize_phone("12")


def test_saved_addresses_keep_most_recent_first_without_duplicates():
    customer = Customer(1)
    home, work = address(), address(line1="1 Work Street")
    customer.remember_address(home)
    customer.remember_address(work)
    customer.remember_address(home)
    assert customer.addresses == [home, work]


def test_only_known_languages_are_accepted():
    customer = Customer(1)
    customer.set_language("zh")
    with pytest.raises(InvalidInput):
        customer.set_language("xx")
    assert customer.language == "zh"
