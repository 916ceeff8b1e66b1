"""`shopbot demo`: the scripted story end to end, and the interactive terminal through a pseudo-terminal.

Both run the real shop (handlers, SQLite storage migrated by Alembic, outbox relay, tracking job) with the
sandbox payment provider and the simulated carrier.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pexpect
import pytest
import structlog
from click.testing import CliRunner

from bot.cli import app

ROOT = Path(__file__).resolve().parents[2]
STORY = ROOT / "examples" / "demo_script.txt"


@pytest.fixture(autouse=True)
def _restore_logging():
    """`shopbot demo` configures logging for its process; put the test process's back afterwards."""
    yield
    structlog.reset_defaults()
    logging.basicConfig(handlers=[logging.NullHandler()], force=True)


def _demo(*args: str):
    return CliRunner().invoke(app, ["demo", *args], catch_exceptions=False)


def _in_order(transcript: str, *parts: str) -> None:
    position = 0
    for part in parts:
        found = transcript.find(part, position)
        assert found >= 0, f"{part!r} missing after position {position}"
        position = found + len(part)


def test_the_scripted_story_goes_from_browsing_to_a_delivered_parcel() -> None:
    result = _demo("--script", str(STORY))
    assert result.exit_code == 0, result.output
    _in_order(
        result.output,
        "Added to cart: Longjing Green Tea 100 g × 2",
        "SANDBOX — no real money",
        "Payment received, thank you!",
        "you are now the merchant",
        "🧾 Order",  # the merchant's order card
        "— Paid",
        "merchant> [Accept]",
        "✅ Accepted by Bob",
        "Tracking: DHL JD014600003828",
        "you are now the customer",
        "is on its way with DHL",
        "is out for delivery today",  # a tracking update reaches the customer
        "customer> where is my parcel?",
        "Out for delivery",
        "was delivered",
        "Created TEA10: 10% off.",  # the shop makes a promo code
        "you are now the wang",  # a customer whose Telegram is in Chinese
        "茉莉龙珠 50 克 · US$12.90",  # found by its Chinese name
        "• 茉莉龙珠 50 克 × 1 = US$12.90",
        "优惠（TEA10）：−US$1.29",
        "付款方式：取货时付现金——请备好 US$11.61。",
        "Discount (TEA10): −$1.29",  # on the merchant's card
        "TEA10: 1 order, $1.29 discount given, $11.61 revenue.",
        "merchant> /newproduct",  # Bob builds the catalog in the chat
        "“abc” is not a price",
        "Created. Customers can buy it now.",
        "Bob (shop owner): price $9.80 → $10.20",
        "customer> [Contact the shop]",  # Alice asks, Bob replies, the answer is signed by the shop
        "💬 Alice (no order):",
        "Sent to the customer",
        "✉ shopbot demo answered:",
    )
    assert "EXPECTED" not in result.output
    # each /tick runs every scheduled job (the daily report among them): none may fail
    assert "job_failed" not in result.output and "Traceback" not in result.output
    # the jobs `shopbot run` schedules, refunds owed and the prune of settled work rows among them
    ran = next(line for line in result.output.splitlines() if "scheduled jobs ran:" in line)
    jobs = set(ran.split(": ", 1)[1].split(", "))
    assert {"retry_refunds", "prune", "poll_tracking", "daily_report"} <= jobs


def test_a_script_whose_expectation_is_not_met_fails(tmp_path: Path) -> None:
    script = tmp_path / "story.txt"
    script.write_text("/start\n/expect Welcome to shopbot demo\n/expect a free pony\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--script", str(script)])
    assert result.exit_code == 1
    assert "EXPECTED 'a free pony' but it did not appear" in result.output


def test_a_kept_database_remembers_the_cart_between_runs(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    add = tmp_path / "add.txt"
    add.write_text("/start\n[Catalog]\n[Tea]\n[Jasmine]\n[Add 1 to cart]\n", encoding="utf-8")
    look = tmp_path / "look.txt"
    look.write_text("/cart\n/expect Jasmine Pearls 50 g × 1\n", encoding="utf-8")
    assert _demo("--db", str(db), "--script", str(add)).exit_code == 0
    second = _demo("--db", str(db), "--script", str(look))
    assert second.exit_code == 0, second.output


def test_the_interactive_demo_answers_typed_lines_and_switches_persona(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-c", "from bot.cli import app; app()", "demo", "--no-jobs"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=30,
    )
    try:
        child.expect_exact("customer> ")
        child.sendline("/start")
        child.expect_exact("Welcome to shopbot demo")
        child.expect_exact("customer> ")
        child.sendline("1")
        child.expect_exact("Choose a category")
        child.expect_exact("customer> ")
        child.sendline("/as merchant")
        child.expect_exact("you are now the merchant")
        child.expect_exact("merchant> ")
        child.sendline("/orders")
        child.expect_exact("merchant> ")
        child.sendline("/quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_a_database_in_a_missing_folder_is_reported_and_nothing_starts(tmp_path: Path) -> None:
    result = _demo("--db", str(tmp_path / "nowhere" / "shop.db"), "--script", str(STORY))
    assert result.exit_code == 2
    assert "no folder" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_a_missing_catalog_is_reported_and_nothing_starts(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--catalog", str(tmp_path / "nope.csv"), "--script", str(STORY)]
    )
    assert result.exit_code == 2
    assert "no catalog at" in result.output


def test_ctrl_c_at_the_prompt_ends_the_demo_and_its_scheduler_at_once(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = pexpect.spawn(
        sys.executable,
        ["-c", "from bot.cli import app; app()", "demo"],  # the scheduler and relay run too
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=30,
    )
    try:
        child.expect_exact("customer> ")
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130


def test_the_interactive_demo_prints_the_mini_app_url_with_a_marked_demo_identity(tmp_path: Path) -> None:
    import json
    import urllib.request
    from urllib.parse import unquote

    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-c", "from bot.cli import app; app()", "demo", "--no-jobs"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 1000),  # the URL on one line
    )
    try:
        child.expect_exact("DEMO identity")
        child.expect(r"as Alice \(customer\): (http://127\.0\.0\.1:\d+/app/)#tgWebAppData=(\S+)")
        base, init_data = child.match.group(1), unquote(child.match.group(2))
        child.expect_exact("customer> ")
        with urllib.request.urlopen(base) as page:  # noqa: S310 - loopback
            assert 'data-demo="1"' in page.read().decode()  # the page shows the demo banner
        request = urllib.request.Request(base + "api/me", headers={"Authorization": f"tma {init_data}"})
        with urllib.request.urlopen(request) as answer:  # noqa: S310 - loopback
            me = json.loads(answer.read())
        assert (me["id"], me["name"], me["staff"]) == (1001, "Alice", False)
        assert "DEMO identity" in me["texts"]["demo"]
        child.sendline("/quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
