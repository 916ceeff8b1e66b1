"""Names of the processes that hold leases (`leased_by`), and whether such a process is gone.

A name is `host:pid:random`, unique per process start. A process of this host that no longer runs
(killed, crashed) holds no lease any more: the next process frees its rows at start instead of waiting
for the lease to run out.
"""

from __future__ import annotations

import os
import socket
import uuid

__all__ = ["worker_name", "worker_gone"]


def worker_name() -> str:
    """Unique per process start: lease owner id."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def worker_gone(worker: str) -> bool:
    """True when `worker` (a `worker_name`) was a process on this host that no longer runs. Workers of
    other hosts, and a pid that runs again (reused), are not judged: their leases simply run out."""
    host, _, rest = worker.partition(":")
    pid, _, _ = rest.partition(":")
    if host != socket.gethostname()[:40] or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists (another user's process)
        return False
    return False
