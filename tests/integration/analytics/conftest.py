"""The analytics handlers log with structlog; start each test from its defaults."""

from __future__ import annotations

import pytest
import structlog


@pytest.fixture(autouse=True)
def _default_logging():
    """Another test may configure structlog to print to a captured stream pytest has since closed."""
    structlog.reset_defaults()
