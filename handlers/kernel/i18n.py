"""Translations from the gettext catalogs in ./locale, compiled in memory at first use (no build step).

After adding or changing a user-facing string:

    pybabel extract --no-wrap -o /tmp/shopbot.pot handlers jobs
    pybabel update --no-wrap -i /tmp/shopbot.pot -d handlers/kernel/locale -D shopbot

then translate the new zh entries and check the ones pybabel marked `#, fuzzy` (its guesses, which gettext
ignores) — tests/unit/test_translations.py fails until every entry is translated and none is fuzzy.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from domain.ports import UnitOfWork

__all__ = [
    "LOCALE_DIR",
    "DOMAIN",
    "LANGUAGES",
    "MERCHANT_LANGUAGE",
    "translations",
    "language_for",
    "customer_language",
    "N_",
]

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "shopbot"
LANGUAGES = ("en", "zh")
MERCHANT_LANGUAGE = "en"  # order cards, alerts and reports in the merchant chat


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return message


def _po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> NullTranslations:
    """The catalog of `language` ("en" or "zh"); English msgids are the fallback."""
    path = _po_path(language if language in LANGUAGES else "en")
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=path.parent.parent.name, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def language_for(language_code: str | None) -> str:
    """Telegram's language_code to one of ours: zh, zh-hans, zh-TW → zh; anything else → en."""
    return "zh" if (language_code or "").lower().startswith("zh") else "en"


async def customer_language(uow: UnitOfWork, customer_id: int, fallback: str = "en") -> str:
    """The language a customer chose or Telegram reported when they first wrote; `fallback` if unknown."""
    customer = await uow.customers.get(customer_id)
    return customer.language if customer is not None else fallback
