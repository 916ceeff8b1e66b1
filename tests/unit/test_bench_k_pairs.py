"""bench/k_pairs.py: rows at two K compared only with their neighbour, in the order measured."""

from bench.k_pairs import report

HEADER = [
    "# CPython 3.11.7, nproc=2, bot on core 1, 8 s per row",
    "| runtime | mode | db | journey | K | updates | upd/s | p50 ms | p95 ms | p99 ms | unanswered | refused "
    "| errors | CPU ms/upd | SQL/upd | peak RSS MiB |",
    "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def row(journey: str, k: int, per_second: int, runtime: str = "ptb") -> str:
    cells = [runtime, "polling", "sqlite", journey, k, 5600, per_second, 70, 90, 100, 0, 0, 0, 1.3, 6.4, 100]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def test_each_row_is_paired_with_its_neighbour_and_the_larger_k_is_the_numerator() -> None:
    lines = [*HEADER, row("browse", 50, 800), row("browse", 200, 720), row("browse", 200, 660)]
    lines += [row("browse", 50, 600), row("checkout", 50, 500), row("checkout", 200, 500)]

    printed = report(lines).splitlines()

    assert printed[0] == (
        "ptb polling sqlite browse K [(50, 200)]: 0.900, 1.100; 2 pairs, larger K ahead in 1; "
        "geometric mean 0.995 (95 % interval 0.817-1.211)"
    )
    assert printed[1].startswith(
        "ptb polling sqlite checkout K [(50, 200)]: 1.000; 1 pairs, larger K ahead in 0"
    )
    assert printed[2].startswith("all: 3 pairs, larger K ahead in 1; geometric mean 0.997")


def test_rows_of_one_k_side_by_side_or_a_row_alone_compare_nothing() -> None:
    lines = [*HEADER, row("browse", 50, 800), row("browse", 50, 700), row("browse", 200, 650)]
    lines += [row("browse", 50, 640, runtime="aiogram")]

    assert report(lines) == ""
