"""What every command checks before it does anything: the settings are valid, and (for commands that
read or write the shop) the database has been set up by `shopbot db upgrade`.

An operator's mistake is one line per problem on stderr and exit status 2, never a traceback; a SQLite
file that does not exist is not created by asking.
"""

from __future__ import annotations

import asyncio
from typing import Any

import click
from pydantic import SecretStr, ValidationError

from bot.cli.output import fail
from bot.settings import Settings
from storage.database.engine import create_engine, dispose
from storage.database.schema_status import (
    describe_schema,
    migration_heads,
    schema_status,
    shown_url,
    sqlite_file,
)

__all__ = ["load_settings", "settings_problems", "require_database", "database_problem", "shown_url"]


def _args(annotation: Any) -> tuple[Any, ...]:
    return (annotation, *getattr(annotation, "__args__", ()))


_SECRETS = {name for name, field in Settings.model_fields.items() if SecretStr in _args(field.annotation)}


def settings_problems(error: ValidationError) -> list[str]:
    """One line per bad setting: the variable, the value it had, and the rule it broke."""
    lines = []
    for problem in error.errors():
        rule = problem["msg"].removeprefix("Value error, ")
        if rule[:2].istitle():  # pydantic's "Input should be ...", read on after the value
            rule = rule[0].lower() + rule[1:]
        if not problem["loc"]:  # a rule across settings names its variables itself
            lines.append(f"bad setting: {rule}")
            continue
        name, *inner = problem["loc"]
        variable = f"SHOPBOT_{str(name).upper()}"
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in inner)
        if problem["type"] == "missing":
            lines.append(f"bad setting {variable}{where}: {rule}")
            continue
        value = problem.get("input")
        shown = "(hidden)" if name in _SECRETS else _shown_value(str(name), value)
        lines.append(f"bad setting {variable}{where}={shown}: {rule}")
    return lines


def _shown_value(name: str, value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    if name == "database_url":
        text = shown_url(text)
    return text if len(text) <= 120 else text[:117] + "..."


def load_settings() -> Settings:
    """The settings, or each bad one on its own line and exit status 2."""
    try:
        return Settings()
    except ValidationError as exc:
        for line in settings_problems(exc):
            click.echo(line, err=True)
        raise SystemExit(2) from None


def database_problem(url: str) -> str | None:
    """Why the shop's commands cannot use the database at `url` yet, or None when they can."""
    where = shown_url(url)
    path = sqlite_file(url)
    if path is not None and not path.is_file():  # connecting would create an empty file
        return f"the database at {where} is not set up; run `shopbot db upgrade`"
    return asyncio.run(_probe(url, where))


async def _probe(url: str, where: str) -> str | None:
    engine = create_engine(url)
    try:
        return describe_schema(await schema_status(engine, migration_heads()), where)
    finally:
        await dispose(engine)


def require_database(url: str) -> None:
    problem = database_problem(url)
    if problem is not None:
        raise fail(problem)
