"""Who caused a transition: a customer, a staff member, the system or a carrier."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Actor", "ActorKind"]


class ActorKind(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    SYSTEM = "system"
    CARRIER = "carrier"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    ref: str = ""  # telegram id for people, carrier name for carriers, job name for the system

    @classmethod
    def customer(cls, telegram_id: int) -> Actor:
        return cls(ActorKind.CUSTOMER, str(telegram_id))

    @classmethod
    def staff(cls, telegram_id: int) -> Actor:
        return cls(ActorKind.STAFF, str(telegram_id))

    @classmethod
    def system(cls, what: str = "") -> Actor:
        return cls(ActorKind.SYSTEM, what)

    @classmethod
    def carrier(cls, name: str) -> Actor:
        return cls(ActorKind.CARRIER, name)

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}" if self.ref else str(self.kind)

    @classmethod
    def parse(cls, text: str) -> Actor:
        kind, _, ref = text.partition(":")
        return cls(ActorKind(kind), ref)
