import logging

import pytest
import structlog

from bot.logging_setup import configure_logging, scrub

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
