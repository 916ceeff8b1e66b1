"""The cyclic garbage collector of a long-running process, set for short pauses once it has started.

A bot process holds about a million objects from its imports (aiogram's pydantic models, SQLAlchemy's
mappers, the shop's modules), and CPython's collector walks all of them in every full collection: 55-170
ms with the event loop stopped, every few seconds under load, so a customer whose update was in flight
waits that much longer (ptb webhook browse at K = 50: p99 303 ms with the defaults, 77 ms after this;
docs/benchmarks.md). Once started, such a process frees almost everything by reference counting: the
young generation grows by a few hundred objects between the handler's temporary ones.

So, after start-up: what start-up left alive is collected once and moved out of the collector's sight
(`gc.freeze()`: it is never freed by a collection again, which is what module-level objects are anyway),
and a young collection waits for 10,000 new container objects instead of 700. Cyclic garbage is still
collected, in the same generations, only in larger and rarer steps.
"""

from __future__ import annotations

import gc
from typing import Final

__all__ = ["settle_collector", "YOUNG_THRESHOLD"]

YOUNG_THRESHOLD: Final = 10_000


def settle_collector() -> None:
    """Call once the process is ready to serve (its imports done, its caches warm)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
