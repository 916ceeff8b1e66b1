"""Group commit for small writes that come one per update or per reply: `Coalesced`.

Each caller awaits its own result, but the items that arrive while one batch is being written (waiting for
SQLite's write lock behind the turns, or for the database) are written together in the next batch, in one
transaction. The first item goes at once, so nothing waits on a timer; under load many share a commit.

marks = Coalesced(write_batch)        # write_batch(items) -> one result per item, in order
result = await marks(item)            # raises what write_batch raised for its batch
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["Coalesced"]

Item = TypeVar("Item")
Result = TypeVar("Result")


class Coalesced(Generic[Item, Result]):
    def __init__(self, write: Callable[[list[Item]], Awaitable[Sequence[Result]]]) -> None:
        self._write = write
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def __call__(self, item: Item) -> Result:
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._drain())
        return await asyncio.shield(done)  # a cancelled caller leaves its batch to be written all the same

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                results = await self._write([item for item, _ in batch])
            except Exception as error:  # every caller of the batch sees the failure
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            for (_, done), result in zip(batch, results, strict=True):
                if not done.done():
                    done.set_result(result)
