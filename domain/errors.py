"""Domain errors. `handlers/kernel/error_replies.py` maps each to what the user sees."""

from __future__ import annotations

from typing import Any

__all__ = [
    "DomainError",
    "InvalidInput",
    "CurrencyMismatch",
    "IllegalTransition",
    "OutOfStock",
    "CartLimitExceeded",
    "NotFound",
    "NotAllowed",
    "RecipientBlocked",
    "RetryLater",
    "DeliveryFailed",
    "PaymentUnavailable",
    "PaymentRefused",
    "ConcurrentUpdate",
    "OrderNumberTaken",
]


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class InvalidInput(DomainError, ValueError):
    """A value from outside failed validation; `field` names what was wrong when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CurrencyMismatch(DomainError, ValueError):
    pass


class IllegalTransition(DomainError):
    def __init__(self, order_number: str, current: str, target: str) -> None:
        super().__init__(f"order {order_number} cannot go from {current} to {target}")
        self.order_number = order_number
        self.current = current
        self.target = target


class OutOfStock(DomainError):
    def __init__(self, sku: str, requested: int, available: int) -> None:
        super().__init__(f"{sku}: requested {requested}, only {available} available")
        self.sku = sku
        self.requested = requested
        self.available = available


class CartLimitExceeded(DomainError):
    pass


class NotFound(DomainError, LookupError):
    pass


class NotAllowed(DomainError, PermissionError):
    """The acting user may not touch this object."""


class RecipientBlocked(DomainError):
    """The chat cannot be reached any more (the user blocked the bot): do not retry."""


class RetryLater(DomainError):
    """The platform asked to slow down (HTTP 429); retry after `seconds`.

    `whole_bot`: the limit is on the bot as a whole, not just this chat (pause every chat).
    `unsent`: set when a payload shown as several messages failed after its first ones went out (an
    invoice's text): the payload left to send, which the retry sends instead of the whole."""

    def __init__(self, seconds: float, *, whole_bot: bool = False) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds
        self.whole_bot = whole_bot
        self.unsent: dict[str, Any] | None = None


class DeliveryFailed(DomainError):
    """A transient failure (5xx, timeout, connection): retry with backoff; `permanent` gives up now.
    `unsent`: as `RetryLater.unsent`, the payload left to send when part of it went out."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.unsent: dict[str, Any] | None = None


class PaymentUnavailable(DomainError):
    """The payment provider refused or could not be reached; nothing was charged or refunded."""


class PaymentRefused(PaymentUnavailable):
    """The provider refused the request for good (an invalid request: a charge already refunded, more than
    was charged, no such charge): asking again cannot help. `reason` is the provider's own words."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"refused: {reason}")
        self.reason = reason


class ConcurrentUpdate(DomainError):
    """Someone else changed the same record since it was read: reload and try again."""


class OrderNumberTaken(DomainError):
    """The drawn order number already exists: place the order again in a fresh unit of work."""

    def __init__(self, number: str) -> None:
        super().__init__(f"order number {number} is taken")
        self.number = number
