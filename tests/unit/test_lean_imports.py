"""A bot process loads only what it runs: one Telegram framework, no chart library until a chart is drawn,
no Stripe SDK unless Stripe is configured; and httpcore finds sniffio instead of failing to import it on
every request."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("telegram", "aiogram", "matplotlib", "numpy", "stripe")


def _loaded_after(*modules: str) -> set[str]:
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules)
    code += f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize(("runtime", "other"), [("aiogram", "telegram"), ("ptb", "aiogram")])
def test_running_one_runtime_loads_neither_the_other_framework_nor_charts_nor_stripe(
    runtime: str, other: str
) -> None:
    loaded = _loaded_after("bot.cli", "bot.processes.web", "bot.wiring.bootstrap", f"bot.telegram.{runtime}")

    assert other not in loaded
    assert not loaded & {"matplotlib", "numpy", "stripe"}


def test_httpcore_can_import_sniffio() -> None:
    assert importlib.util.find_spec("sniffio") is not None  # else httpcore retries the import per request
