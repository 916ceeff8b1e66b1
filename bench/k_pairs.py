"""Does throughput fall as K grows? Paired ratios from `bench/load.py` rows measured alternately.

    PYTHONPATH=. python bench/load.py --databases sqlite --journeys browse,checkout \
        --customers 50,200,200,50,50,200,200,50 --seconds 8 > rows.md
    python bench/k_pairs.py rows.md

A shared VM's speed drifts over minutes, by more than the effect sought, so rows at two K are compared
only with their neighbour: the load driver's rows of one runtime, mode, database and journey are taken in
the order measured, two by two, and each pair gives the ratio of updates per second at the larger K to
that at the smaller. Ordered ABBA (50, 200, 200, 50, ...), a drift that is steady over a few rows favours
neither K. Printed per configuration and over all pairs: each ratio, how many pairs the larger K led, and
the geometric mean ratio with a 95 % interval (mean of the log ratios ± 1.96 standard errors).
"""

from __future__ import annotations

import math
import statistics
import sys
from collections.abc import Iterable
from pathlib import Path

Pair = tuple[float, int, int]  # ratio (larger K / smaller K), smaller K, larger K
_COLUMNS = 16  # bench/load.py's table
_K, _PER_SECOND = 4, 6


def rows(lines: Iterable[str]) -> dict[tuple[str, ...], list[tuple[int, float]]]:
    """(runtime, mode, database, journey) -> [(K, updates/s)] in the order the rows were measured."""
    measured: dict[tuple[str, ...], list[tuple[int, float]]] = {}
    for line in lines:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != _COLUMNS or not cells[_K].isdigit():
            continue  # a header, a separator, a note
        measured.setdefault(tuple(cells[:_K]), []).append((int(cells[_K]), float(cells[_PER_SECOND])))
    return measured


def pairs(measured: list[tuple[int, float]]) -> list[Pair]:
    """Rows two by two; a pair of equal K, or a row left alone, is not a comparison and is dropped."""
    found: list[Pair] = []
    for (k1, rate1), (k2, rate2) in zip(measured[0::2], measured[1::2], strict=False):
        if k1 != k2:
            (small, slow), (large, fast) = sorted([(k1, rate1), (k2, rate2)])
            found.append((fast / slow, small, large))
    return found


def summary(ratios: list[float]) -> str:
    logs = [math.log(r) for r in ratios]
    mean = statistics.fmean(logs)
    half = 1.96 * statistics.stdev(logs) / math.sqrt(len(logs)) if len(logs) > 1 else math.inf
    ahead = sum(r > 1 for r in ratios)
    return (
        f"{len(ratios)} pairs, larger K ahead in {ahead}; geometric mean {math.exp(mean):.3f} "
        f"(95 % interval {math.exp(mean - half):.3f}-{math.exp(mean + half):.3f})"
    )


def report(lines: Iterable[str]) -> str:
    out: list[str] = []
    everything: list[float] = []
    for config, measured in rows(lines).items():
        found = pairs(measured)
        if not found:
            continue
        ratios = [ratio for ratio, _, _ in found]
        everything += ratios
        ks = sorted({(small, large) for _, small, large in found})
        listed = ", ".join(f"{r:.3f}" for r in ratios)
        out.append(f"{' '.join(config)} K {ks}: {listed}; {summary(ratios)}")
    if everything:
        out.append(f"all: {summary(everything)}")
    return "\n".join(out)


if __name__ == "__main__":
    source = Path(sys.argv[1]).read_text().splitlines() if len(sys.argv) > 1 else sys.stdin
    print(report(source))
