"""The terminal runtime: typed lines in, chat messages out, for two personas sharing one terminal.

A line becomes an `Incoming` (text, `/command`, a numbered or `[labelled]` button press,
a shared contact) for the persona in front of the terminal; the `Outcome` and every outbox message
(through `TerminalNotifier`) are drawn as chat messages. Messages for the other persona's chat wait,
unread, until `/as` switches to it. No framework: this is the demo's transport, nothing more.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.demo.controls import DemoControls, NoControls
from bot.demo.personas import Persona
from bot.demo.terminal.input import DEMO_HELP, Line, LineKind, parse_line
from bot.demo.terminal.invoice import pay_invoice
from bot.demo.terminal.notifier import TerminalNotifier
from bot.demo.terminal.render import render_message, render_page, render_toast
from bot.demo.terminal.screen import ChatScreen, Key
from handlers.kernel.incoming import EventHandler, Incoming, Kind, Payment
from handlers.kernel.reply import Button, Invoice, Outcome, Reply

__all__ = ["TerminalRuntime"]

log = logging.getLogger("shopbot.demo")

Write = Callable[[str], None]


async def _not_connected(event: Incoming) -> Outcome:
    return Outcome([Reply("(the shop is not connected yet)")])


class TerminalRuntime:
    def __init__(
        self,
        handler: EventHandler | None,
        personas: Sequence[Persona],
        *,
        write: Write = print,
        controls: DemoControls | None = None,
    ) -> None:
        if not personas:
            raise ValueError("at least one persona")
        self._handler: EventHandler = handler or _not_connected
        self._write = write
        self._controls: DemoControls = controls or NoControls()
        self._screens = {p.name: ChatScreen(p) for p in personas}
        self._current = self._screens[personas[0].name]
        self._message_ids = itertools.count(1)
        self.notifier = TerminalNotifier(self)

    def connect(self, handler: EventHandler, controls: DemoControls) -> None:
        """Attach the shop once it is built (the shop needs this runtime's notifier first)."""
        self._handler = handler
        self._controls = controls

    @property
    def persona(self) -> Persona:
        return self._current.persona

    @property
    def prompt(self) -> str:
        return f"{self.persona.name}> "

    # -- input -----------------------------------------------------------------------------------
    async def submit(self, text: str) -> bool:
        """Handle one typed line; False when the user asked to quit."""
        line = parse_line(text)
        screen = self._current
        if line.kind is LineKind.QUIT:
            return False
        if line.kind is LineKind.EMPTY:
            await self._controls.settle()
            return True
        screen.fresh = True
        if line.kind is LineKind.SWITCH:
            self._switch(line.arg)
        elif line.kind is LineKind.TICK:
            await self._tick(line.count)
        elif line.kind is LineKind.HELP:
            self._system(*DEMO_HELP.splitlines())
        elif line.kind is LineKind.CONTACT:
            await self._send_contact(line.arg or self.persona.phone)
        elif line.kind is LineKind.PRESS:
            await self._press(screen, line)
        else:
            await self._send(self._typed(line))
        return True

    def _event(self, kind: Kind, persona: Persona | None = None, **fields: Any) -> Incoming:
        """An event from `persona` (the one at the terminal by default). No update id: the terminal never
        delivers an event twice, so there is nothing to deduplicate."""
        p = persona or self.persona
        return Incoming(
            kind,
            p.user_id,
            p.chat_id,
            language_code=p.language_code,
            user_name=p.display_name,
            private=p.private,
            **fields,
        )

    def _typed(self, line: Line) -> Incoming:
        if line.kind is LineKind.COMMAND:
            return self._event(Kind.COMMAND, text=line.command, args=line.arg)
        if self.persona.private:
            return self._event(Kind.TEXT, text=line.arg)
        # In a group the bot sees only replies to it: text typed there answers the bot's latest message,
        # as a reply to a prompt (or to a customer's relayed message) does in Telegram.
        screen = self._current
        return self._event(
            Kind.TEXT,
            text=line.arg,
            reply_to_message_id=screen.last_message_id,
            reply_to_text=screen.last_message_text,
        )

    async def _press(self, screen: ChatScreen, line: Line) -> None:
        key = self._find_key(screen, line)
        if key is None:
            if line.command == "number" and not screen.keys:
                await self._send(self._event(Kind.TEXT, text=line.arg))
                return
            self._system(f"no button {line.arg!r} here; type /demo for help")
            return
        self._write(f"{' ' * len(self.prompt)}(pressed “{key.label}”)")
        await key.press()

    @staticmethod
    def _find_key(screen: ChatScreen, line: Line) -> Key | None:
        if line.command == "number":
            return screen.by_number(int(line.arg))
        return screen.by_label(line.arg)

    async def _send_contact(self, phone: str, persona: Persona | None = None) -> None:
        p = persona or self.persona
        await self._send(self._event(Kind.CONTACT, p, phone=phone, contact_user_id=p.user_id))

    async def _send(self, event: Incoming) -> Outcome:
        try:
            outcome = await self._handler(event)
        except Exception:  # the bot must survive a handler bug, as the real runtimes do
            log.exception("demo_handler_failed kind=%s", event.kind)
            self._system("the bot failed to answer this (see the log); nothing was changed")
            return Outcome()
        self._show_outcome(outcome, event.message_id)
        await self._controls.settle()
        return outcome

    async def _tick(self, count: int) -> None:
        for _ in range(count):
            for line in await self._controls.tick():
                self._system(line)
        await self._controls.settle()

    def _switch(self, name: str) -> None:
        screen = self._screens.get(name.strip().lower())
        if screen is None:
            self._system(f"no persona {name!r}: try {' or '.join('/as ' + n for n in self._screens)}")
            return
        self._current = screen
        screen.fresh = True
        p = screen.persona
        self._system(f"you are now the {p.name}: {p.display_name} (chat {p.chat_id})")
        if screen.unread:
            self._system(f"{len(screen.unread)} new message(s) while you were away")
        pending, screen.unread = screen.unread, []
        for reply, message_id, edited in pending:
            self._draw(screen, reply, message_id, edited)

    # -- output ----------------------------------------------------------------------------------
    def _system(self, *lines: str) -> None:
        for line in lines:
            self._write(f"·· {line}")

    def _show_outcome(self, outcome: Outcome, pressed_message_id: int | None) -> None:
        if outcome.answer:
            for line in render_toast(outcome.answer, alert=outcome.alert):
                self._write(line)
        if outcome.precheckout_ok is False and outcome.precheckout_error:
            self._system(f"Telegram: payment refused: {outcome.precheckout_error}")
        for reply in outcome.replies:
            edit_of = reply.edit_message_id or (pressed_message_id if reply.edit else None)
            self.show(reply.chat_id or self.persona.chat_id, reply, edit_of=edit_of)

    def show(self, chat_id: int, reply: Reply, *, edit_of: int | None = None) -> int | None:
        """Draw `reply` in the chat of the persona it is for (later, if that persona is away)."""
        screen = self._screen_for(chat_id)
        if screen is None:
            self._system(f"(a message to chat {chat_id}, which is not part of this demo)")
            return None
        message_id = edit_of or next(self._message_ids)
        if screen is self._current:
            self._draw(screen, reply, message_id, edit_of is not None)
        else:
            screen.unread.append((reply, message_id, edit_of is not None))
            self._system(f"🔔 new message for the {screen.persona.name} (/as {screen.persona.name})")
        return message_id

    def _screen_for(self, chat_id: int) -> ChatScreen | None:
        for screen in self._screens.values():
            if chat_id in (screen.persona.chat_id, screen.persona.user_id):
                return screen
        return None

    def _draw(self, screen: ChatScreen, reply: Reply, message_id: int, edited: bool) -> None:
        keys = [self._key(screen, button, message_id) for row in reply.buttons for button in row]
        extra: list[Button] = []
        if reply.invoice is not None:
            extra.append(Button("Pay (SANDBOX — no real money)", action="invoice"))
            keys.append(Key(extra[0].label, self._invoice_payer(reply.invoice)))
        first = screen.add_keys(keys)
        screen.last_message_id, screen.last_message_text = message_id, reply.text
        lines = render_message(reply, sender="🤖 bot", first_number=first, extra_buttons=extra, edited=edited)
        for line in lines:
            self._write(line)

    def _key(self, screen: ChatScreen, button: Button, message_id: int) -> Key:
        persona = screen.persona
        if button.request_contact:
            return Key(button.label, lambda: self._send_contact(persona.phone, persona))
        if button.url:
            url = button.url
            return Key(button.label, lambda: self._open(url))
        action = button.action or ""
        event = self._event(Kind.BUTTON, persona, action=action, message_id=message_id)
        return Key(button.label, lambda: self._send(event))

    async def _open(self, url: str) -> None:
        page = await self._controls.open_link(url)
        if page is None:
            self._system(f"(the browser would open {url})")
            return
        screen = self._current
        screen.replace_keys([Key(a.label, self._page_action(a.run)) for a in page.actions])
        for line in render_page(page):
            self._write(line)

    def _page_action(self, run: Callable[[], Awaitable[str]]) -> Callable[[], Awaitable[None]]:
        async def press() -> None:
            self._system(await run())
            await self._controls.settle()

        return press

    def _invoice_payer(self, invoice: Invoice) -> Callable[[], Awaitable[None]]:
        async def send(kind: Kind, payment: Payment) -> Outcome:
            return await self._send(self._event(kind, payment=payment))

        async def pay() -> None:
            await pay_invoice(invoice, send)

        return pay
