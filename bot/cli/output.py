"""What the commands print: marks, problems and tables in plain text (colour only on a terminal).

Plain click, not rich: `shopbot run` imports the whole CLI to register it, and structlog imports rich
whenever it is installed, ~3 MiB of every bot process for output the bot never shows (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import click

__all__ = ["Table", "done", "problem", "fail"]


def done(text: str, *, err: bool = False) -> None:
    """A line that says something worked: `✓ text`."""
    click.echo(f"{click.style('✓', fg='green')} {text}", err=err)


def problem(text: str, *, err: bool = False) -> None:
    """One problem among others: `✗ text`."""
    click.echo(f"{click.style('✗', fg='red')} {text}", err=err)


def fail(text: str, code: int = 2) -> SystemExit:
    """Print `text` on stderr; the exit to raise (`raise fail(...) from None`)."""
    click.echo(text, err=True)
    return SystemExit(code)


@dataclass
class Table:
    """A titled table of text: columns left-aligned unless named in `right`; a rule under the header."""

    title: str
    columns: Sequence[str]
    right: frozenset[str] = frozenset()
    header: bool = True
    rows: list[tuple[str, ...]] = field(default_factory=list)

    def add_row(self, *cells: str) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{self.title}: {len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(cells)

    def lines(self) -> list[str]:
        shown = [tuple(self.columns), *self.rows] if self.header else list(self.rows)
        widths = [max((len(row[n]) for row in shown), default=0) for n in range(len(self.columns))]

        def line(row: Sequence[str]) -> str:
            cells = (
                cell.rjust(width) if name in self.right else cell.ljust(width)
                for cell, width, name in zip(row, widths, self.columns, strict=True)
            )
            return "  ".join(cells).rstrip()

        out = [click.style(self.title, bold=True)]
        if self.header:
            out += [line(self.columns), "  ".join("-" * width for width in widths)]
        out += [line(row) for row in self.rows]
        if not self.rows:
            out.append("(none)")
        return out

    def echo(self) -> None:
        click.echo("\n".join(self.lines()) + "\n")
