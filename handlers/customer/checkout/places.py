"""Countries and phone numbers as people type them, checked with kept libraries (pycountry, phonenumbers).

`country_code("中国") == "CN"`: ISO codes in any case, English names, and the Chinese names pycountry ships
(simplified and traditional). Phones are parsed against a country (the address's, or the one the customer
used before) and kept in E.164 (+8613800138000); a number no country could dial is refused, with an
example of a valid one. The domain keeps its own stdlib checks; these come first, at the conversation.
"""

from __future__ import annotations

import gettext
import json
import os
from functools import cache

import phonenumbers
import pycountry

__all__ = ["country_code", "phone_e164", "example_phone"]

_CHINESE = ("zh_CN", "zh_TW", "zh_HK")
_ALIASES = {"uk": "GB", "usa": "US", "u.s.": "US", "u.s.a.": "US", "america": "US", "prc": "CN"}


@cache
def _names() -> dict[str, str]:
    """Every name a country goes by (casefolded) -> its alpha-2 code. Only this table stays in memory:
    pycountry's country objects and the gettext catalogs it is made from are let go (about 0.5 MiB that
    `pycountry.countries` and `gettext.translation`'s cache would keep for the life of the process)."""
    names: dict[str, str] = dict(_ALIASES)
    books = [_catalog(lang) for lang in _CHINESE]
    for country in _countries():
        english = [country["name"], country.get("official_name", ""), country.get("common_name", "")]
        for name in filter(None, english):
            names[name.casefold()] = country["alpha_2"]
            for book in books:
                names[book.gettext(name).casefold()] = country["alpha_2"]
        names[country["alpha_3"].casefold()] = country["alpha_2"]
        names[country["alpha_2"].casefold()] = country["alpha_2"]
    return names


def _countries() -> list[dict[str, str]]:
    """ISO 3166-1 as pycountry ships it (the iso-codes JSON that `pycountry.countries` reads)."""
    with open(os.path.join(pycountry.DATABASE_DIR, "iso3166-1.json"), encoding="utf-8") as file:
        countries: list[dict[str, str]] = json.load(file)["3166-1"]
    return countries


def _catalog(language: str) -> gettext.GNUTranslations:
    """pycountry's country names in `language`, read for this once (not into gettext's process-wide
    cache)."""
    path = gettext.find("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    if path is None:
        raise FileNotFoundError(f"pycountry has no iso3166-1 catalog for {language}")
    with open(path, "rb") as file:
        return gettext.GNUTranslations(file)


def country_code(text: str) -> str | None:
    """The ISO 3166 alpha-2 code `text` names ("cn", "China", "中国", "中國", "CHN"), or None."""
    key = " ".join(text.split()).casefold()
    return _names().get(key) if 0 < len(key) <= 60 else None


def phone_e164(text: str, country: str | None) -> str | None:
    """`text` as an E.164 number when it is a valid one (read against `country` when it has no +country
    prefix); None when it cannot be a real number."""
    raw = text.strip()[:40]
    try:
        number = phonenumbers.parse(raw, country if not raw.startswith("+") else None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def example_phone(country: str | None) -> str:
    """A valid number to show as an example, for `country` (or the US)."""
    number = phonenumbers.example_number(country or "US") or phonenumbers.example_number("US")
    if number is None:  # pragma: no cover - the library ships an example for the US
        return "+1 201-555-0123"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
