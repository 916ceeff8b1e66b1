"""The country-name table checkout reads typed countries with: the same names pycountry's own API gives,
built without keeping pycountry's country objects or gettext's catalogs for the life of the process."""

from __future__ import annotations

import gettext

import pycountry

from handlers.customer.checkout import places
from tests.shops.memory import bytes_kept


def test_the_table_names_every_country_as_pycountry_does() -> None:
    books = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]) for lang in places._CHINESE
    ]
    expected = dict(places._ALIASES)
    for country in pycountry.countries:
        english = [country.name, getattr(country, "official_name", ""), getattr(country, "common_name", "")]
        for name in filter(None, english):
            expected[name.casefold()] = country.alpha_2
            for book in books:
                expected[book.gettext(name).casefold()] = country.alpha_2
        expected[country.alpha_3.casefold()] = country.alpha_2
        expected[country.alpha_2.casefold()] = country.alpha_2

    assert places._names() == expected
    assert places.country_code("中國") == places.country_code("china") == "CN"


def test_only_the_table_stays_in_memory() -> None:
    """pycountry's country objects and gettext's cached catalogs kept ~700 KiB; the table is ~160 KiB."""
    kept = bytes_kept("from handlers.customer.checkout import places", "places.country_code('China')")

    assert kept < 300 * 1024
