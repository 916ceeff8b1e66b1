"""Ports: what the domain needs from the outside, as small Protocols, re-exported from their modules.

`storage/` implements the repositories and the unit of work; `bot/` implements gateways and the clock.
"""

from domain.clock import Clock
from domain.ports import gateways, repositories, unit_of_work, work_queues
from domain.ports.gateways import *  # noqa: F403
from domain.ports.repositories import *  # noqa: F403
from domain.ports.unit_of_work import *  # noqa: F403
from domain.ports.work_queues import *  # noqa: F403

__all__ = ["Clock", *gateways.__all__, *repositories.__all__, *unit_of_work.__all__, *work_queues.__all__]
