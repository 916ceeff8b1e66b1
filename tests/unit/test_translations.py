"""Every string the customer can see has a Chinese translation, and placeholders survive translation."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from domain.order_status import OrderStatus, PaymentMethod
from domain.tracking.statuses import CarrierStatus, outcome_for
from handlers.kernel.i18n import LOCALE_DIR, language_for, translations
from handlers.kernel.status_text import method_label, status_label

KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}  # as pybabel extract
HANDLERS = LOCALE_DIR.parent.parent
SPEAKING = (HANDLERS, HANDLERS.parent / "jobs", HANDLERS.parent / "bot" / "webapp")  # what people read


def _catalog(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "shopbot.po").open("rb") as po:
        return read_po(po, locale=language)


def _msgids_in_code() -> set[str]:
    return {
        message[0] if isinstance(message, tuple) else message
        for package in SPEAKING
        for _f, _l, message, _c, _x in extract_from_dir(
            str(package), method_map=[("**.py", "python")], keywords=KEYWORDS
        )
    }


def test_every_string_in_the_code_is_in_the_catalogs():
    for language in ("en", "zh"):
        ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalog(language) if m.id}
        assert _msgids_in_code() - ids == set(), language


def test_every_string_in_the_catalogs_is_used_by_the_code():
    """A string no code asks for is a stale translation: nobody keeps it right, and it hides what is used."""
    for language in ("en", "zh"):
        ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalog(language) if m.id}
        assert ids - _msgids_in_code() == set(), language


def test_the_catalogs_are_well_formed():
    for language in ("en", "zh"):
        with (LOCALE_DIR / language / "LC_MESSAGES" / "shopbot.po").open("rb") as po:
            read_po(po, locale=language, abort_invalid=True)  # raises on an entry without its msgstr


@pytest.mark.parametrize(
    "module",
    [
        "app.py",
        "payments/methods.py",
        "payments/notices.py",
        "payments/settlement.py",
        "customer/checkout/review.py",
    ],
)
def test_payment_messages_come_from_the_catalogs(module):
    """Payment modules speak through gettext, so the checks below cover their strings too."""
    found = extract_from_dir(str(HANDLERS), method_map=[(module, "python")], keywords=KEYWORDS)
    assert list(found), f"handlers/{module} has no translatable strings"


def test_no_translation_is_fuzzy():
    """gettext ignores fuzzy entries: a customer would silently read English (or a stale guess)."""
    for language in ("en", "zh"):
        assert [m.id for m in _catalog(language) if m.id and m.fuzzy] == [], language


def test_every_msgid_has_a_chinese_translation_with_the_same_placeholders():
    for message in _catalog("zh"):
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"no zh translation for {msgid!r}"
        for string in strings:
            assert set(re.findall(r"{\w+}", string)) == set(re.findall(r"{\w+}", msgid)), msgid


@pytest.mark.parametrize("status", list(OrderStatus))
def test_every_status_reads_in_both_languages(status):
    english, chinese = status_label(status, "en"), status_label(status, "zh")
    assert english and chinese and english != chinese


def test_payment_methods_read_in_both_languages():
    assert method_label(PaymentMethod.CASH, "zh") == "货到付款"
    assert method_label(PaymentMethod.CASH, "en") == "Cash on delivery"


@pytest.mark.parametrize("carrier_status", list(CarrierStatus))
def test_every_delivery_problem_a_customer_is_told_of_reads_in_chinese(carrier_status):
    """domain/tracking keeps its problem notes in English; jobs.notices marks them for the catalogs."""
    outcome = outcome_for(carrier_status, OrderStatus.SHIPPED)
    if outcome is not None and outcome.is_problem:
        assert translations("zh").gettext(outcome.note) != outcome.note


@pytest.mark.parametrize(
    ("code", "language"), [("zh-hans", "zh"), ("zh-TW", "zh"), ("en-GB", "en"), (None, "en")]
)
def test_telegram_language_code_picks_the_catalog(code, language):
    assert language_for(code) == language


def test_unknown_language_falls_back_to_english():
    assert translations("fr").gettext("Sold out") == "Sold out"
