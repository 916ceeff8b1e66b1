"""The checkout form's steps: what each asks and how it takes an answer (a problem string re-prompts)."""

from __future__ import annotations

import dataclasses
import re
from enum import StrEnum
from typing import Any

from domain.customer import Address, clean_text, normalize_phone, visible
from domain.errors import InvalidInput
from handlers.actions.customer import FormBack, FormCancel, FormPick
from handlers.customer.checkout.places import country_code, example_phone, phone_e164
from handlers.kernel.reply import Button, Reply
from handlers.kernel.turn import Rows, Turn

__all__ = ["Step", "Data", "nav_row", "ask_name", "take_name", "pick_name", "ask_phone", "take_phone"]
__all__ += ["ask_delivery", "pick_delivery", "ask_address", "take_address", "pick_address", "address_of"]

Data = dict[str, Any]
MAX_NAME = 100
_SPLIT_RE = re.compile(r"[\n,，]")


class Step(StrEnum):
    NAME = "checkout.name"
    PHONE = "checkout.phone"
    DELIVERY = "checkout.delivery"
    ADDRESS = "checkout.address"
    PROMO = "checkout.promo"  # asked only from the review ("Have a code?")
    REVIEW = "checkout.review"


def nav_row(turn: Turn, step: Step) -> list[Button]:
    return [turn.button(turn._("⬅ Back"), FormBack(step)), turn.button(turn._("✖ Cancel"), FormCancel())]


def _problem(turn: Turn, error: InvalidInput) -> str:
    _ = turn._
    messages = {
        "recipient": _("The name must have letters and at most {n} characters.").format(n=MAX_NAME),
        "phone": _("That is not a phone number: use 6 to 15 digits, optionally starting with +."),
        "country_code": _("The country must be a two-letter code such as US, GB or CN."),
        "city": _("The city is missing or too long."),
        "street": _("The street is missing or too long."),
        "street line 2": _("The second street line is too long."),
        "region": _("The region is too long."),
        "postal_code": _("The postal code must be 2 to 12 letters or digits."),
    }
    return messages.get(error.field or "", _("That does not look right. Please try again."))


# -- name ------------------------------------------------------------------------------------------
def ask_name(turn: Turn, data: Data) -> list[Reply]:
    rows: Rows = []
    own = turn.customer.display_name
    if own and len(own) <= MAX_NAME:
        rows.append([turn.button(turn._("Use “{name}”").format(name=own), FormPick(Step.NAME, "me"))])
    rows.append(nav_row(turn, Step.NAME))
    return [turn.reply(turn._("Checkout 1/4 · Who will receive the order? Type the full name."), rows)]


def take_name(turn: Turn, data: Data, text: str) -> str | None:
    if len(text) > MAX_NAME:
        return turn._("That name is too long: at most {n} characters.").format(n=MAX_NAME)
    try:
        data["name"] = clean_text(text, "recipient", max_len=MAX_NAME)
    except InvalidInput as error:
        return _problem(turn, error)
    return None


def pick_name(turn: Turn, data: Data, value: str) -> str | None:
    return take_name(turn, data, turn.customer.display_name)


# -- phone -----------------------------------------------------------------------------------------
def ask_phone(turn: Turn, data: Data) -> list[Reply]:
    share = Button(turn._("📱 Share my phone"), request_contact=True)
    text = turn._("Checkout 2/4 · Your phone number for the courier: tap “Share my phone” or type it.")
    rows = [nav_row(turn, Step.PHONE)]
    return [
        Reply(text, buttons=((share,),)),
        Reply(turn._("Or go back / cancel:"), buttons=tuple(tuple(r) for r in rows)),
    ]


def phone_country(turn: Turn, data: Data) -> str | None:
    """The country a phone typed without +country is read in: the order's address, the saved one, or
    China for a Chinese-speaking customer."""
    address = address_of(data) or turn.customer.default_address
    if address is not None:
        return address.country_code
    return "CN" if turn.language == "zh" else None


def take_phone(turn: Turn, data: Data, text: str) -> str | None:
    country = phone_country(turn, data)
    e164 = phone_e164(text, country)
    if e164 is None:
        return turn._(
            "That is not a phone number that can be called. Please include the country code, "
            "for example {example}."
        ).format(example=example_phone(country))
    try:
        data["phone"] = normalize_phone(e164)
    except InvalidInput as error:
        return _problem(turn, error)
    return None


# -- delivery --------------------------------------------------------------------------------------
def ask_delivery(turn: Turn, data: Data) -> list[Reply]:
    rows: Rows = [
        [turn.button(f"{d.label_for(turn.language)} · {turn.money(d.fee)}", FormPick(Step.DELIVERY, d.code))]
        for d in turn.config.delivery_options
    ]
    rows.append(nav_row(turn, Step.DELIVERY))
    return [turn.reply(turn._("Checkout 3/4 · How should we deliver?"), rows)]


def pick_delivery(turn: Turn, data: Data, value: str) -> str | None:
    option = turn.config.delivery(value)
    if option is None:
        return turn._("That delivery option is no longer offered. Please choose again.")
    data["delivery"] = option.code
    if not option.needs_address:
        data.pop("address", None)
    return None


# -- address ---------------------------------------------------------------------------------------
def address_of(data: Data) -> Address | None:
    raw = data.get("address")
    return Address(**raw) if raw else None


def ask_address(turn: Turn, data: Data) -> list[Reply]:
    rows: Rows = [
        [turn.button(saved.one_line()[:60], FormPick(Step.ADDRESS, str(index)))]
        for index, saved in enumerate(turn.customer.addresses)
    ]
    rows.append(nav_row(turn, Step.ADDRESS))
    text = turn._(
        "Checkout 4/4 · The delivery address, separated by commas:\n"
        "street, city, postal code, country code\n"
        "for example: 12 Main St, Springfield, 12345, US"
    )
    if turn.customer.addresses:
        text += "\n" + turn._("Or pick a saved address:")
    return [turn.reply(text, rows)]


def take_address(turn: Turn, data: Data, text: str) -> str | None:
    if len(text) > 500:
        return turn._("That address is too long.")
    parts = [p.strip() for p in _SPLIT_RE.split(text) if p.strip()]
    layouts = {3: ("line1", "city", "country_code"), 4: ("line1", "city", "postal_code", "country_code")}
    layouts[5] = ("line1", "line2", "city", "postal_code", "country_code")
    layout = layouts.get(len(parts))
    if layout is None:
        return turn._("Please write street, city, postal code and country code, separated by commas.")
    fields = dict(zip(layout, parts, strict=True))
    country = country_code(fields["country_code"])
    if country is None:
        return turn._(
            "I do not know the country “{country}”. Write its name or two-letter code, for example US, "
            "China or 中国."
        ).format(country=fields["country_code"][:40])
    if len(visible(fields["line1"]).strip()) < 3 or len(visible(fields["city"]).strip()) < 2:
        return turn._("The street and the city look too short. Please write the full address.")
    fields["country_code"] = country
    try:
        address = Address(recipient=data["name"], phone=data["phone"], **fields)
    except InvalidInput as error:
        return _problem(turn, error)
    data["address"] = dataclasses.asdict(address)
    return None


def pick_address(turn: Turn, data: Data, value: str) -> str | None:
    saved = turn.customer.addresses
    if not value.isdigit() or int(value) >= len(saved):
        return turn._("That saved address is gone. Please type the address.")
    chosen = saved[int(value)]
    address = dataclasses.replace(chosen, recipient=data["name"], phone=data["phone"])
    data["address"] = dataclasses.asdict(address)
    return None
