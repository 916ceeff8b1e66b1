"""`in_sql(value)`: a constant written into a statement's SQL instead of being sent as a parameter.

For the state a queue's claim selects (`state = 'pending'`). A statement prepared once may be planned
once for all its executions (PostgreSQL's generic plan, chosen after a few runs); a plan made without the
value neither knows that few rows match it nor can use a partial index over those rows, and walks every
settled row the table keeps instead: an inbox claim read all of a day's handled updates, every time.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, String, literal_column

__all__ = ["in_sql"]

_PLAIN = re.compile(r"[a-z_]+")


def in_sql(value: str) -> ColumnElement[str]:
    if not _PLAIN.fullmatch(value):  # never a value from outside: a state name of our own
        raise ValueError(f"not a plain state name: {value!r}")
    return literal_column(f"'{value}'", String())
