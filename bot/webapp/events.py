"""The app's changes are chat events: a button press or a command from the validated user, fed to the same
`ShopApp` the Telegram runtimes call. The shop's rules (stock, staff checks, the order state machine,
notices) therefore apply unchanged; the outcome's toast or last reply is what the app shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.webapp.init_data import WebAppUser
from handlers.actions.codec import Action, pack
from handlers.kernel.incoming import AppOrigin, EventHandler, Incoming, Kind
from handlers.kernel.reply import Outcome, Reply

__all__ = ["Said", "incoming", "press", "command", "message"]


@dataclass(frozen=True, slots=True)
class Said:
    ok: bool  # False: the shop refused (an alert in the chat)
    message: str  # the toast, or the last reply's text
    screen: Reply | None = None  # the last reply: what the chat would show now (text and buttons)

    def json(self) -> dict[str, object]:
        body: dict[str, object] = {"ok": self.ok, "message": self.message}
        if self.screen is not None:
            body["text"] = self.screen.text
            body["buttons"] = [
                [{"label": b.label, "action": b.action} for b in row if b.action]
                for row in self.screen.buttons
            ]
        return body


def _said(outcome: Outcome) -> Said:
    screen = outcome.replies[-1] if outcome.replies else None
    if outcome.answer:
        return Said(not outcome.alert, outcome.answer, screen)
    return Said(True, screen.text if screen else "", screen)


def incoming(user: WebAppUser, kind: Kind, origin: AppOrigin = AppOrigin.QUIET, **fields: object) -> Incoming:
    """The event the chat would get from this user in their private chat with the bot."""
    return Incoming(
        kind=kind,
        user_id=user.id,
        chat_id=user.id,  # the user's private chat with the bot: where the chat version would answer
        language_code=user.language_code,
        user_name=user.first_name,
        app=origin,
        **fields,  # type: ignore[arg-type]
    )


async def press(
    handler: EventHandler, user: WebAppUser, action: Action, origin: AppOrigin = AppOrigin.QUIET
) -> Said:
    return _said(await handler(incoming(user, Kind.BUTTON, origin, action=pack(action))))


async def command(
    handler: EventHandler, user: WebAppUser, name: str, args: str, origin: AppOrigin = AppOrigin.QUIET
) -> Said:
    return _said(await handler(incoming(user, Kind.COMMAND, origin, text=name, args=args)))


async def message(
    handler: EventHandler, user: WebAppUser, text: str, origin: AppOrigin = AppOrigin.QUIET
) -> Said:
    """A plain text message from the user, as typed in the chat (the answer to an open prompt)."""
    return _said(await handler(incoming(user, Kind.TEXT, origin, text=text)))
