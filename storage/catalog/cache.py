"""`CatalogCache`: the category list and category pages as last read, kept for a few seconds.

Browsing reads them on nearly every step and they change only when staff edit the catalog. A unit of work
that wrote a category or product clears the cache when it commits, so this process shows its own edits at
once; an edit made by another process (`shopbot catalog import`, a second web process) shows within
`seconds`. Only display reads are cached: `Products.get` (what carts, orders and staff edits use) always
reads the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["CatalogCache"]

_MAX_ENTRIES = 4096  # pages of every category a shop has; past it, start over


class CatalogCache:
    def __init__(self, seconds: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable) -> Any | None:
        """The value stored under `key` if it is younger than `seconds`, else None."""
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def put(self, key: Hashable, value: Any) -> None:
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (self._clock() + self._seconds, value)

    def clear(self) -> None:
        self._entries.clear()
