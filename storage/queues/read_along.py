"""What a customer's turn reads first, read along with the store that took its update (PostgreSQL).

A lone update whose private chat has nothing pending is stored already leased to this process's processor,
which starts it at once (`storage.queues.inbox`). Nothing of that chat is in hand anywhere then: its
earlier updates are settled, and with them every write of their turns. So the statement that stores it
also reads the customer, their dialog and their cart (`IN_DIALOG_COLUMNS`), and the turn takes that row
(`take`) instead of reading them again: one round trip fewer per update. The row is as fresh as a read
made when the turn starts; it is kept for a second at most, and only for the first attempt to take it (a
retry, a turn started late, reads afresh).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Final
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["keep", "take", "FRESH_SECONDS"]

FRESH_SECONDS: Final = 1.0
_KEPT: Final = 1024  # rows no turn took (a staff member's private chat): the oldest are dropped past this
_ROWS: WeakKeyDictionary[Engine, OrderedDict[int, tuple[int, Any, float]]] = WeakKeyDictionary()


def keep(
    engine: Engine, update_id: int, chat_id: int, row: Any, clock: Callable[[], float] = time.monotonic
) -> None:
    """`row` (of `IN_DIALOG_COLUMNS`) was read for the private chat `chat_id` as `update_id` was taken."""
    rows = _ROWS.get(engine)
    if rows is None:
        rows = _ROWS[engine] = OrderedDict()
    rows[update_id] = (chat_id, row, clock())
    while len(rows) > _KEPT:
        rows.popitem(last=False)


def take(
    session: AsyncSession, update_id: int, telegram_id: int, clock: Callable[[], float] = time.monotonic
) -> Any | None:
    """The row kept for `update_id` of `telegram_id`'s chat, if it is still fresh; it is taken only once."""
    rows = _ROWS.get(session.get_bind())  # type: ignore[arg-type]
    kept = rows.pop(update_id, None) if rows else None
    if kept is None:
        return None
    chat_id, row, at = kept
    return row if chat_id == telegram_id and clock() - at <= FRESH_SECONDS else None
