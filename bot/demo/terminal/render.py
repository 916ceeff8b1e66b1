"""A handler's reply drawn as a chat message in a terminal: text, numbered buttons, photo and file lines.

Pure formatting: the caller decides which number each button gets (see `bot.demo.terminal.runtime`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from domain.money import Money
from handlers.kernel.reply import Button, Invoice, Reply

__all__ = ["render_message", "render_toast", "render_page", "invoice_total", "Page", "PageAction", "INDENT"]

INDENT = "      "
_WIDTH = 100


def invoice_total(invoice: Invoice) -> Money:
    return Money(sum(amount for _, amount in invoice.prices), invoice.currency)


def _button_label(button: Button, number: int) -> str:
    if button.request_contact:
        return f"[{number}] {button.label} (shares your phone)"
    if button.url:
        return f"[{number}] {button.label} ↗"
    return f"[{number}] {button.label}"


def _button_rows(rows: Sequence[Sequence[Button]], first_number: int) -> list[str]:
    lines: list[str] = []
    number = first_number
    for row in rows:
        cells: list[str] = []
        for button in row:
            cells.append(_button_label(button, number))
            number += 1
        line = ""
        for cell in cells:  # wrap long rows instead of letting the terminal break words
            if line and len(INDENT) + len(line) + 3 + len(cell) > _WIDTH:
                lines.append(INDENT + line)
                line = ""
            line = f"{line}   {cell}" if line else cell
        if line:
            lines.append(INDENT + line)
    return lines


def render_message(
    reply: Reply,
    *,
    sender: str,
    first_number: int = 1,
    extra_buttons: Sequence[Button] = (),
    edited: bool = False,
) -> list[str]:
    """The lines of one chat message; buttons are numbered from `first_number`, rows kept.

    `extra_buttons` (e.g. an invoice's pay button) are drawn as one more row after the reply's own.
    """
    head = f"{sender} ✎ (edited)" if edited else sender
    lines = [f"{head} ▸"]
    if reply.photo:
        lines.append(f"{INDENT}🖼  photo: {reply.photo}")
    for text_line in (reply.text or "").splitlines() or [""]:
        lines.append(f"{INDENT}{text_line}".rstrip())
    if reply.invoice is not None:
        invoice = reply.invoice
        lines.append(f"{INDENT}🧾 invoice: {invoice.title} — {invoice_total(invoice).format()}")
        for label, amount in invoice.prices:
            lines.append(f"{INDENT}   {label}: {Money(amount, invoice.currency).format()}")
    if reply.document is not None:
        doc = reply.document
        caption = f" — {doc.caption}" if doc.caption else ""
        lines.append(f"{INDENT}📎 file: {doc.filename} ({len(doc.content)} bytes){caption}")
    rows: list[Sequence[Button]] = [row for row in reply.buttons if row]
    if extra_buttons:
        rows.append(tuple(extra_buttons))
    lines.extend(_button_rows(rows, first_number))
    return lines


def render_toast(text: str, *, alert: bool) -> list[str]:
    return [f"{INDENT}{'⚠ alert' if alert else '💬'}: {text}"]


@dataclass(frozen=True, slots=True)
class PageAction:
    """A button on a web page the terminal opens in place of a browser; `run` returns what happened."""

    label: str
    run: Callable[[], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Page:
    """What a link (a payment page) shows when its button is pressed."""

    title: str
    text: str
    actions: tuple[PageAction, ...] = ()


def render_page(page: Page, *, first_number: int = 1) -> list[str]:
    lines = [f"🌐 {page.title} ▸"]
    lines.extend(f"{INDENT}{line}".rstrip() for line in page.text.splitlines())
    lines.extend(_button_rows([[Button(a.label, action="page") for a in page.actions]], first_number))
    return lines
