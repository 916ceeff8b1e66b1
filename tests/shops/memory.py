"""What a piece of work leaves in memory, measured in a fresh interpreter (nothing of this test process's
imports or caches counted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bytes_kept(setup: str, work: str) -> int:
    """Bytes Python still holds after `work`, counted from after `setup` (both Python source, run in a
    new interpreter in this checkout), once the cyclic garbage is collected."""
    code = f"import gc, tracemalloc\n{setup}\ntracemalloc.start()\n{work}\ngc.collect()\n"
    code += "print(tracemalloc.get_traced_memory()[0])\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(out.stdout)
