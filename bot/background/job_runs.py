"""The job runs in progress (kept apart from `bot.background.scheduler`, so that a process without jobs
does not load APScheduler)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

__all__ = ["JobRuns"]


@dataclass
class JobRuns:
    """The job runs in progress, so that a stopping process lets them finish: APScheduler's asyncio
    executor would cancel them mid-transaction and log each as an error."""

    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    async def finish(self, timeout: float) -> None:  # noqa: ASYNC109 - a stop's grace period
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)
