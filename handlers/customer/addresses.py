"""Saved delivery addresses: `/addresses` lists them (the first is the default), and each can be made the
default or deleted. Checkout saves the address an order used, once per place (`Customer.remember_address`).
"""

from __future__ import annotations

from handlers.actions.customer import AddressDefault, Addresses, AddressForget, Menu
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Rows, Turn

__all__ = ["COMMANDS", "ROUTES", "show_addresses"]


async def show_addresses(turn: Turn, _action: object = None, *, note: str = "") -> Outcome:
    _ = turn._
    saved = turn.customer.addresses
    menu = [turn.button(_("⬅ Menu"), Menu())]
    if not saved:
        text = _("No saved addresses yet: the address of your next order is saved here.")
        return turn.say("\n".join(filter(None, [note, text])), [menu])
    lines = [note] if note else []
    lines.append(_("Your saved addresses:"))
    rows: Rows = []
    for index, address in enumerate(saved):
        mark = _(" (default)") if index == 0 else ""
        lines.append(f"{index + 1}. {address.one_line()}{mark}")
        row = [turn.button(_("🗑 Delete {n}").format(n=index + 1), AddressForget(index))]
        if index:
            row.insert(0, turn.button(_("⭐ Make {n} default").format(n=index + 1), AddressDefault(index)))
        rows.append(row)
    rows.append(menu)
    return turn.say("\n".join(lines), rows)


async def make_default(turn: Turn, action: AddressDefault) -> Outcome:
    if action.index >= len(turn.customer.addresses):
        return await show_addresses(turn, note=turn._("That address is no longer saved."))
    turn.customer.make_default(action.index)
    await turn.uow.customers.add(turn.customer)
    return await show_addresses(turn, note=turn._("Default address changed."))


async def forget(turn: Turn, action: AddressForget) -> Outcome:
    if action.index >= len(turn.customer.addresses):
        return await show_addresses(turn, note=turn._("That address is no longer saved."))
    turn.customer.forget_address(action.index)
    await turn.uow.customers.add(turn.customer)
    return await show_addresses(turn, note=turn._("Address deleted."))


COMMANDS = {"addresses": show_addresses}
ROUTES = {Addresses: show_addresses, AddressDefault: make_default, AddressForget: forget}
