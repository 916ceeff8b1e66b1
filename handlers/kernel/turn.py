"""One event being handled: the unit of work, who is talking, in which language, and reply helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from babel.support import NullTranslations

from domain.customer import Customer
from domain.events import DomainEvent
from domain.money import Money
from domain.order_status import PaymentMethod
from domain.ports import PaymentGateway, UnitOfWork
from handlers.actions.customer import Action, pack
from handlers.kernel.config import ShopConfig
from handlers.kernel.i18n import translations
from handlers.kernel.incoming import Incoming, Kind
from handlers.kernel.money_text import money_text
from handlers.kernel.reply import Button, Outcome, Reply

__all__ = ["Turn", "Rows", "Finish", "AfterCommit"]

Rows = list[list[Button]]
Finish = Callable[["Turn"], Awaitable[Outcome]]  # runs in a unit of work of its own, as an event does
AfterCommit = Callable[
    [], Awaitable[Finish]
]  # outside any transaction; must not raise: it returns the Finish


@dataclass(slots=True)
class Turn:
    event: Incoming
    uow: UnitOfWork
    customer: Customer
    config: ShopConfig
    now: datetime
    dialog: tuple[str, dict[str, Any]] | None = None
    events: list[DomainEvent] = field(default_factory=list)  # for the outbox, written before commit
    payments: Mapping[PaymentMethod, Any] = field(default_factory=dict)  # prepaid method -> PaymentStarter
    gateway: PaymentGateway | None = None  # refunds of paid orders the customer cancels
    deferred: list[AfterCommit] = field(default_factory=list)  # see `after_commit`

    @property
    def user_id(self) -> int:
        return self.event.user_id

    @property
    def language(self) -> str:
        return self.customer.language

    @property
    def catalog(self) -> NullTranslations:
        return translations(self.customer.language)

    def after_commit(self, step: AfterCommit) -> None:
        """Run `step` once this turn's unit of work is committed, with no transaction open: the place for
        calls to other services (a Stripe checkout session), which must never hold the database's write lock.
        The `Finish` it returns then runs in a short unit of work of its own; its outcome follows this turn's.
        """
        self.deferred.append(step)

    def _(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def money(self, amount: Money) -> str:
        """`amount` as this user reads it ("$12.50"; "US$12.50" in Chinese)."""
        return money_text(amount, self.language)

    def button(self, label: str, action: Action) -> Button:
        return Button(label, pack(action))

    def reply(self, text: str, rows: Rows | None = None, *, photo: str | None = None) -> Reply:
        """A reply that replaces the pressed message when the event is a button press."""
        return Reply(
            text=text,
            buttons=tuple(tuple(row) for row in rows or () if row),
            photo=photo,
            edit=self.event.kind is Kind.BUTTON,
        )

    def say(
        self, text: str, rows: Rows | None = None, *, photo: str | None = None, toast: str | None = None
    ) -> Outcome:
        return Outcome(replies=[self.reply(text, rows, photo=photo)], answer=toast)

    def toast(self, text: str, *, alert: bool = False) -> Outcome:
        """Only a popup on the pressed button; the message stays as it is."""
        return Outcome(answer=text, alert=alert)
