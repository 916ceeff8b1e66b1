"""Every `shopbot` command as a new operator meets it: in a fresh directory before `shopbot db upgrade`,
and with one bad setting. Each answers with one clear line and exit status 2, never a traceback, and
leaves no database file behind."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import app
from tests.integration.databases import POSTGRES_URL, temporary_database
from tests.operator.processes import SHOPBOT

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog.csv"
SCRIPT = EXAMPLE.with_name("demo_script.txt")
NOT_SET_UP = "the database at sqlite+aiosqlite:///shopbot.db is not set up; run `shopbot db upgrade`"
TOKEN = "123456:TEST-operator-token"
BAD_CATALOG = (
    "sku,name,category,price,stock,safety_stock,description,photo\n"
    "TEA-1,Green tea,Tea,4.50,10,2,,\n"
    "TEA-2,,Tea,abc,1,0,,\n"
    "TEA-3,Black tea,Tea,3.00,-4,0,,\n"
)


def _commands() -> set[tuple[str, ...]]:
    def walk(command, path: tuple[str, ...] = ()):  # noqa: ANN001, ANN202
        subcommands = getattr(command, "commands", None)
        if not subcommands:
            yield path
            return
        for name, sub in subcommands.items():
            yield from walk(sub, (*path, name))

    return set(walk(app))


# Each command with the arguments an operator would give it.
EVERY_COMMAND = {
    ("run",): ["run"],
    ("worker",): ["worker"],
    ("doctor",): ["doctor"],
    ("report",): ["report", "--days", "7"],
    ("demo",): ["demo", "--script", str(SCRIPT)],
    ("db", "upgrade"): ["db", "upgrade"],
    ("catalog", "import"): ["catalog", "import", str(EXAMPLE)],
    ("catalog", "export"): ["catalog", "export", "out.csv"],
    ("config", "check"): ["config", "check"],
    ("webhook", "info"): ["webhook", "info"],
    ("webhook", "delete"): ["webhook", "delete"],
}
# Before `db upgrade`: what each command that needs the shop's database says (with a token where one is
# needed first). `run` with its jobs migrates the database itself (README); `db upgrade` creates it;
# `demo` keeps its own throwaway shop; `config check` reports and exits 0 (below); `webhook` needs no
# database.
NEEDS_THE_DATABASE = [
    ["doctor"],
    ["report", "--days", "7"],
    ["catalog", "import", str(EXAMPLE)],
    ["catalog", "export", "out.csv"],
]


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty working directory and no SHOPBOT_ variable, as on a new machine."""
    for name in list(os.environ):
        if name.startswith("SHOPBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _invoke(args: list[str]) -> Result:
    return CliRunner().invoke(app, args)


def _one_clear_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an error escaping
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_the_lists_here_name_every_command_the_cli_has():
    assert set(EVERY_COMMAND) == _commands()


@pytest.mark.parametrize("args", NEEDS_THE_DATABASE, ids=" ".join)
def test_before_db_upgrade_each_command_says_so_in_one_line_and_creates_no_file(
    fresh: Path, args, monkeypatch
):
    monkeypatch.setenv("SHOPBOT_TELEGRAM_TOKEN", TOKEN)
    assert _one_clear_line(_invoke(args)) == NOT_SET_UP
    assert list(fresh.iterdir()) == []


@pytest.mark.parametrize("args", [["run", "--no-jobs"], ["worker"]], ids=" ".join)
async def test_before_db_upgrade_the_long_running_processes_refuse_to_start(fresh: Path, args):
    """Run as the installed console script: a regression would start serving, not hang the suite."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPBOT_")} | {
        "SHOPBOT_TELEGRAM_TOKEN": TOKEN
    }
    process = await asyncio.create_subprocess_exec(
        SHOPBOT, *args, cwd=fresh, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 2 and out == b""
    assert err.decode().splitlines() == [NOT_SET_UP]
    assert os.listdir(fresh) == []


@pytest.mark.parametrize(
    "args", [["run"], ["worker"], ["webhook", "info"], ["webhook", "delete"]], ids=" ".join
)
def test_without_a_token_the_commands_that_need_telegram_say_which_setting_is_missing(fresh: Path, args):
    assert "SHOPBOT_TELEGRAM_TOKEN is not set" in _one_clear_line(_invoke(args))
    assert list(fresh.iterdir()) == []


def test_config_check_on_a_fresh_machine_reports_and_creates_nothing(fresh: Path):
    result = _invoke(["config", "check"])
    assert result.exit_code == 0, result.output
    assert "settings: all valid" in result.output
    assert f"database: {NOT_SET_UP}" in result.output
    assert list(fresh.iterdir()) == []


@pytest.mark.parametrize("command", sorted(EVERY_COMMAND), ids=" ".join)
def test_one_bad_setting_is_one_line_naming_it_for_every_command(fresh: Path, command, monkeypatch):
    monkeypatch.setenv("SHOPBOT_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("SHOPBOT_TIMEZONE", "Mars/Olympus")
    line = _one_clear_line(_invoke(EVERY_COMMAND[command]))
    assert line == (
        "bad setting SHOPBOT_TIMEZONE=Mars/Olympus: must be a time zone name such as UTC or Europe/Berlin"
    )
    assert list(fresh.iterdir()) == []


@pytest.mark.parametrize(
    ("variable", "value", "rule"),
    [
        ("SHOPBOT_TRACKING_POLL_SECONDS", "2", "greater than or equal to 5"),
        ("SHOPBOT_MERCHANT_USER_IDS", "abc", "must be Telegram user ids separated by commas"),
        (
            "SHOPBOT_DELIVERY_OPTIONS",
            '[{"code": "std", "label": "Std", "price": "5.00"',
            "must be a JSON list",
        ),
        ("SHOPBOT_TIMEZONE", "Mars/Olympus", "must be a time zone name"),
        ("SHOPBOT_CURRENCY", "DOLLARS", "must be an ISO 4217 currency code"),
        ("SHOPBOT_DAILY_REPORT_HOUR", "24", "less than or equal to 23"),
        (
            "SHOPBOT_UPDATE_RETENTION_DAYS",
            "1",
            "must be at least 2 (days): Telegram may deliver an update again for 24 hours",
        ),
        ("SHOPBOT_OUTBOX_RETENTION_DAYS", "a month", "valid integer"),
        ("SHOPBOT_HTTP_PORT", "eighty", "valid integer"),
        ("SHOPBOT_LOG_FORMAT", "xml", "'console' or 'json'"),
        ("SHOPBOT_DATABASE_URL", "mysql://shop:hunter2@db/shop", "must be sqlite+aiosqlite"),
        ("SHOPBOT_PUBLIC_URL", "shop.example", "must be an http:// or https:// address"),
    ],
)
def test_a_malformed_setting_names_the_variable_its_value_and_the_rule(
    fresh, monkeypatch, variable, value, rule
):
    monkeypatch.setenv(variable, value)
    line = _one_clear_line(_invoke(["config", "check"]))
    shown = value.replace("hunter2", "***")
    assert line.startswith(f"bad setting {variable}={shown}: ") and rule in line
    assert "hunter2" not in line


def test_every_bad_setting_gets_its_own_line_and_secrets_are_never_shown(fresh: Path, monkeypatch):
    monkeypatch.setenv("SHOPBOT_STRIPE_SECRET_KEY", "sk_live_do_not_print")
    monkeypatch.setenv("SHOPBOT_TRACKING_POLL_SECONDS", "2")
    monkeypatch.setenv("SHOPBOT_MERCHANT_USER_IDS", "abc")
    monkeypatch.setenv("SHOPBOT_TELEGRAM_WEBHOOK_SECRET", "")
    result = _invoke(["doctor"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert sorted(result.output.strip().splitlines()) == [
        "bad setting SHOPBOT_MERCHANT_USER_IDS=abc: must be Telegram user ids separated by commas, "
        "e.g. 1,2 or [1, 2]",
        "bad setting SHOPBOT_TRACKING_POLL_SECONDS=2: input should be greater than or equal to 5",
    ]
    assert "sk_live_do_not_print" not in result.output


def test_a_delivery_price_the_currency_cannot_hold_is_named(fresh: Path, monkeypatch):
    monkeypatch.setenv("SHOPBOT_CURRENCY", "JPY")
    monkeypatch.setenv("SHOPBOT_DELIVERY_OPTIONS", '[{"code": "std", "label": "Std", "price": "5.50"}]')
    assert _one_clear_line(_invoke(["report"])) == (
        "bad setting: SHOPBOT_DELIVERY_OPTIONS: the price of 'std' is not a JPY amount "
        "('5.50' has more than 0 decimals for JPY)"
    )


def test_config_check_says_which_integrations_are_on_without_printing_a_secret(fresh: Path, monkeypatch):
    secrets = {
        "SHOPBOT_TELEGRAM_TOKEN": TOKEN,
        "SHOPBOT_STRIPE_SECRET_KEY": "sk_test_config_check",
        "SHOPBOT_STRIPE_WEBHOOK_SECRET": "whsec_config_check",
        "SHOPBOT_TRACKING_API_KEY": "17track-config-check",
        "SHOPBOT_TELEGRAM_WEBHOOK_SECRET": "hook-config-check",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SHOPBOT_MERCHANT_CHAT_ID", "-100500")
    monkeypatch.setenv("SHOPBOT_MERCHANT_USER_IDS", "900,901")
    result = _invoke(["config", "check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for on in (
        "Telegram: on",
        "Stripe card payments: on",
        "17TRACK parcel tracking: on",
        "Telegram webhook: on",
    ):
        assert any(line.startswith(on) for line in lines), on
    assert "merchant chat: on — chat -100500, 2 staff id(s)" in lines
    assert any(line.startswith("Telegram payments: off") for line in lines)
    assert not [s for s in secrets.values() if s in result.output or s.split(":")[-1] in result.output]


def test_demo_with_a_bad_catalog_lists_its_lines_as_catalog_import_does(fresh: Path):
    bad = fresh / "bad.csv"
    bad.write_text(BAD_CATALOG, encoding="utf-8")
    demo = _invoke(["demo", "--catalog", str(bad), "--script", str(EXAMPLE)])
    imported = _invoke(["catalog", "import", str(bad)])
    assert demo.exit_code == imported.exit_code == 1
    assert isinstance(demo.exception, SystemExit) and "Traceback" not in demo.output
    assert "line 3:" in demo.output and "line 4:" in demo.output
    assert demo.output == imported.output


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL")
async def test_a_postgresql_database_never_migrated_is_not_set_up(fresh: Path, monkeypatch):
    async with temporary_database("postgres", fresh, tables=False) as url:
        monkeypatch.setenv("SHOPBOT_DATABASE_URL", url)
        line = _one_clear_line(await asyncio.to_thread(_invoke, ["doctor"]))  # it runs its own loop
    assert line.startswith("the database at postgresql+asyncpg://") and line.endswith(
        "is not set up; run `shopbot db upgrade`"
    )
