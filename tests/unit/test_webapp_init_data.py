"""Telegram's initData check: only data signed with this bot's token, fresh, and unaltered is accepted;
and the "Open shop" buttons are offered only where Telegram can open them (https)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.settings import Settings
from bot.webapp.init_data import InvalidInitData, WebAppUser, sign_init_data, validate_init_data

TOKEN = "123456:TEST-token"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ALICE = WebAppUser(7001, "Alice", "zh-hans")


def check(raw: str, *, now: datetime = NOW, max_age: int = 86400) -> WebAppUser:
    return validate_init_data(raw, TOKEN, now=now, max_age_seconds=max_age)


def telegram_style(fields: dict[str, str], token: str = TOKEN) -> str:
    """Signed exactly as core.telegram.org describes, independently of the code under test."""
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    check_string = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    return urlencode({**fields, "hash": hmac.new(secret, check_string.encode(), hashlib.sha256).hexdigest()})


def test_data_signed_as_telegram_documents_is_accepted_with_the_user_it_names():
    raw = telegram_style(
        {
            "auth_date": str(int(NOW.timestamp()) - 60),
            "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
            "user": json.dumps({"id": 279058397, "first_name": "Vlad", "language_code": "ru"}),
            "signature": "ignored-by-the-hmac-check-but-signed-over",
        }
    )
    assert check(raw) == WebAppUser(279058397, "Vlad", "ru")
    assert check(sign_init_data(ALICE, TOKEN, auth_date=NOW)) == ALICE


@pytest.mark.parametrize(
    "forge",
    [
        lambda raw: raw.replace("hash=", "hash=0"),  # a wrong hash
        lambda raw: "&".join(p for p in raw.split("&") if not p.startswith("hash=")),  # no hash
        lambda raw: raw.replace("7001", "7002"),  # another user's id, the old hash
        lambda raw: raw + "&auth_date=9999999999",  # a second auth_date
        lambda raw: sign_init_data(ALICE, "999:another-bot", auth_date=NOW),  # another bot's token
        lambda raw: "",
        lambda raw: "x" * 5000,
        lambda raw: "%%%&&&==",
    ],
)
def test_forged_or_broken_init_data_is_refused(forge):
    raw = sign_init_data(ALICE, TOKEN, auth_date=NOW)
    with pytest.raises(InvalidInitData):
        check(forge(raw))


def test_init_data_older_than_the_window_is_refused():
    raw = sign_init_data(ALICE, TOKEN, auth_date=NOW - timedelta(hours=2))
    assert check(raw, max_age=3 * 3600) == ALICE
    with pytest.raises(InvalidInitData):
        check(raw, max_age=3600)
    with pytest.raises(InvalidInitData):  # from the future, past clock skew
        check(sign_init_data(ALICE, TOKEN, auth_date=NOW + timedelta(hours=1)))


def test_a_signed_payload_without_a_user_is_refused():
    fields = dict(parse_qsl(sign_init_data(ALICE, TOKEN, auth_date=NOW)))
    del fields["user"], fields["hash"]
    with pytest.raises(InvalidInitData):
        check(telegram_style(fields))


def test_open_shop_is_offered_over_https_or_when_the_setting_says_so():
    def url(**values) -> str | None:
        return Settings(_env_file=None, **values).webapp_url  # type: ignore[call-arg]

    assert url(public_url="https://shop.example/") == "https://shop.example/app/"
    assert url(public_url="http://127.0.0.1:8080") is None
    assert url(public_url="http://127.0.0.1:8080", webapp_button=True) == "http://127.0.0.1:8080/app/"
    assert url(public_url="https://shop.example", webapp_button=False) is None
