"""Greeting, main menu, help and language: the conversation every other one returns to."""

from __future__ import annotations

from handlers.actions.contact import ContactShop
from handlers.actions.customer import (
    CartReminders,
    Categories,
    ChooseLanguage,
    Help,
    Menu,
    MyOrders,
    SetLanguage,
    ShowCart,
)
from handlers.customer import catalog
from handlers.kernel.reply import Button, Outcome
from handlers.kernel.turn import Rows, Turn

__all__ = ["COMMANDS", "ROUTES", "main_menu", "show_menu", "on_unexpected"]

_LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def main_menu(turn: Turn) -> Rows:
    _ = turn._
    return [
        [turn.button(_("🛍 Catalog"), Categories()), turn.button(_("🛒 Cart"), ShowCart())],
        [turn.button(_("📦 My orders"), MyOrders()), turn.button(_("❓ Help"), Help())],
        [turn.button(_("🌐 Language"), ChooseLanguage())],
    ]


async def on_start(turn: Turn) -> Outcome:
    payload = turn.event.args.strip()
    if payload.startswith("p_"):
        return await catalog.open_product(turn, payload[2:])
    text = turn._("Welcome to {shop}! Browse the catalog, fill your cart and order right here.").format(
        shop=turn.config.shop_name
    )
    rows = main_menu(turn)
    if turn.config.webapp_url:  # the Mini App: the same shop, cart and orders as this chat
        rows.insert(0, [Button(turn._("🛍 Open shop"), web_app=turn.config.webapp_url)])
    return turn.say(text, rows)


async def show_menu(turn: Turn, _action: object = None) -> Outcome:
    return turn.say(turn._("What would you like to do?"), main_menu(turn))


async def on_help(turn: Turn, _action: object = None) -> Outcome:
    _ = turn._
    lines = [
        _("Here is what I can do:"),
        _("/catalog – browse products, or just type a word to search"),
        _("/cart – your cart and checkout"),
        _("/orders – your orders, cancel or buy again"),
        _("/track – where is my parcel?"),
        _("/language – English or Chinese"),
        _("/reminders – cart reminders on or off"),
        _("/addresses – your saved addresses"),
        _("/cancel – stop what you are filling in"),
    ]
    lines.append(_("/contact – write to the shop"))
    if turn.config.support_contact:
        lines.append(_("Questions? Write to {contact}.").format(contact=turn.config.support_contact))
    rows = [[turn.button(_("💬 Contact the shop"), ContactShop())], [turn.button(_("⬅ Menu"), Menu())]]
    return turn.say("\n".join(lines), rows)


async def choose_language(turn: Turn, _action: object = None) -> Outcome:
    rows = [[turn.button(name, SetLanguage(code)) for code, name in _LANGUAGE_NAMES.items()]]
    rows.append([turn.button(turn._("⬅ Menu"), Menu())])
    return turn.say(turn._("Choose your language:"), rows)


async def set_language(turn: Turn, action: SetLanguage) -> Outcome:
    turn.customer.set_language(action.code)
    await turn.uow.customers.update(turn.customer, "language")
    return turn.say(turn._("Language set to English."), main_menu(turn))


async def on_unexpected(turn: Turn) -> Outcome:
    """A sticker, photo, voice or an unknown command outside any form."""
    text = turn._("Sorry, I only understand text and buttons. Type a product name to search, or pick:")
    return turn.say(text, main_menu(turn))


async def reminders(turn: Turn, action: CartReminders | None = None) -> Outcome:
    """`/reminders` shows the setting; the buttons (also under each cart reminder) change it."""
    if action is not None:
        turn.customer.cart_reminders = bool(action.on)
        await turn.uow.customers.update(turn.customer, "cart_reminders")
    if turn.customer.cart_reminders:
        text = turn._("I remind you once of a cart you left for a while.")
        button = turn.button(turn._("🔕 Stop cart reminders"), CartReminders(0))
    else:
        text = turn._("Cart reminders are off.")
        button = turn.button(turn._("🔔 Remind me of my cart"), CartReminders(1))
    return turn.say(text, [[button], [turn.button(turn._("⬅ Menu"), Menu())]])


COMMANDS = {
    "start": on_start,
    "menu": show_menu,
    "help": on_help,
    "language": choose_language,
    "reminders": reminders,
}

ROUTES = {
    Menu: show_menu,
    Help: on_help,
    ChooseLanguage: choose_language,
    SetLanguage: set_language,
    CartReminders: reminders,
}
