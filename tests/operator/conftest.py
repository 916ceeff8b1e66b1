"""The operator tier: shopbot used as an operator uses it (README's commands, real processes, every
integration configured against the loopback fakes). Every test here carries the `operator` marker:
`python -m pytest -m operator` runs the tier alone; plain `python -m pytest` runs it with the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.operator)
