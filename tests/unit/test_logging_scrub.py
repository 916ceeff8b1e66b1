import json
import logging

import pytest
import structlog

from bot.observability.logs import configure_logging, scrub
from bot.observability.scrubbing import mask_in_logs

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_"


@pytest.fixture(autouse=True)
def _restore_logging():
    yield
    structlog.reset_defaults()
    logging.basicConfig(handlers=[logging.NullHandler()], force=True)


def test_tokens_keys_and_phones_are_scrubbed_from_free_text():
    line = f"GET https://api.telegram.org/bot{TOKEN}/getUpdates sk_test_abcdefgh1234 call +1 (555) 123-4567"
    cleaned = scrub(line)
    assert TOKEN not in cleaned
    assert "sk_test_abcdefgh1234" not in cleaned
    assert "555" not in cleaned
    assert "getUpdates" in cleaned


def test_structured_events_never_carry_personal_fields(capsys):
    configure_logging("INFO", "json")
    structlog.get_logger().info(
        "order_placed", order_id="K7M-2QXD", phone="+15551234567", address="1 Main St", note=f"token {TOKEN}"
    )
    logging.getLogger("httpx").warning("HTTP Request: POST https://x/bot%s/sendMessage", TOKEN)
    err = capsys.readouterr().err
    assert "K7M-2QXD" in err
    for secret in ("+15551234567", "1 Main St", TOKEN):
        assert secret not in err


SECRET_HALF = TOKEN.split(":")[1]


def test_the_secret_half_of_a_token_inside_a_bot_api_url_is_scrubbed():
    cleaned = scrub(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    assert SECRET_HALF not in cleaned
    assert cleaned == "POST https://api.telegram.org/bot[token]/sendMessage failed"


def _fail_with_secrets() -> None:
    address = "1 Main St"  # a local: tracebacks must not print locals
    raise RuntimeError(
        f"Client error for url https://api.telegram.org/bot{TOKEN}/sendMessage ({len(address)})"
    )


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_logged_tracebacks_keep_the_error_but_lose_tokens_and_locals(capsys, fmt):
    configure_logging("INFO", fmt)
    try:
        _fail_with_secrets()
    except RuntimeError:
        structlog.get_logger("shopbot.test").exception("event_failed", kind="callback")
        logging.getLogger("shopbot.test").warning("delivery_failed", exc_info=True)
    err = capsys.readouterr().err
    assert (
        err.count("RuntimeError: Client error for url https://api.telegram.org/bot[token]/sendMessage") == 2
    )
    assert SECRET_HALF not in err
    assert "1 Main St" not in err


def test_the_masked_token_stays_masked_in_tracebacks(capsys):
    handler = logging.StreamHandler()
    logging.basicConfig(handlers=[handler], force=True)
    mask_in_logs("s3cr3t-t0ken")
    try:
        raise RuntimeError("GET https://example.test/bots3cr3t-t0ken/getMe")
    except RuntimeError:
        logging.getLogger("telegram.ext").exception("network_error")
    err = capsys.readouterr().err
    assert "s3cr3t-t0ken" not in err
    assert "bot<secret>/getMe" in err


def test_names_and_typed_text_in_structured_events_are_redacted(capsys):
    configure_logging("INFO", "json")
    structlog.get_logger().info(
        "update_handled",
        kind="text",
        text="deliver to Flat 3, 1 Main St",
        first_name="Alice",
        customer_name="Alice Smith",
        username="alice_s",
        query="red tea for Alice",
        name="OrderPlaced",
    )
    err = capsys.readouterr().err
    assert "Alice" not in err and "Main St" not in err and "alice_s" not in err
    assert '"kind": "text"' in err and '"name": "OrderPlaced"' in err


def test_at_debug_every_stdlib_line_is_one_json_object_and_framework_chatter_stays_out(capsys):
    configure_logging("DEBUG", "json")
    logging.getLogger("telegram.ext.ExtBot").debug("Calling Bot API endpoint `sendMessage` with text=hi Bob")
    logging.getLogger("aiogram.event").debug("Update 7 text='my street is Elm Road 4'")
    logging.getLogger("sqlalchemy.engine.Engine").info("[generated] ('Alice', '1 Main St')")
    logging.getLogger("apscheduler.scheduler").info("Added job %r", "low_stock")
    structlog.get_logger("shopbot.test").debug("cart_viewed", items=2)
    try:
        raise ValueError("bad\nmultiline")
    except ValueError:
        logging.getLogger("stripe").exception("Request failed")
    lines = capsys.readouterr().err.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["event"] for r in records] == ["Added job 'low_stock'", "cart_viewed", "Request failed"]
    assert records[0]["logger"] == "apscheduler.scheduler" and records[0]["level"] == "info"
    assert "ValueError: bad\nmultiline" in records[2]["exception"]
