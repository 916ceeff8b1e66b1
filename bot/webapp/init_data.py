"""Telegram Mini App `initData`: validated as Telegram documents it, signed only for tests and the demo.

secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token); the hash is
HMAC_SHA256(key=secret_key, msg=data_check_string), where the data-check-string is every received field
but `hash`, as `key=value` lines sorted by key. The compare is constant-time, `auth_date` must be no older
than `max_age`, and the user is read from the validated fields only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

__all__ = ["WebAppUser", "InvalidInitData", "validate_init_data", "sign_init_data"]

_MAX_LENGTH = 4096


class InvalidInitData(Exception):
    """The initData is missing, malformed, forged or too old: the request is refused (401)."""


@dataclass(frozen=True, slots=True)
class WebAppUser:
    id: int
    first_name: str = ""
    language_code: str | None = None


def _secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _hash(fields: dict[str, str], bot_token: str) -> str:
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    return hmac.new(_secret_key(bot_token), check.encode(), hashlib.sha256).hexdigest()


def validate_init_data(raw: str, bot_token: str, *, now: datetime, max_age_seconds: int) -> WebAppUser:
    if not raw or len(raw) > _MAX_LENGTH:
        raise InvalidInitData("missing or too long")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InvalidInitData("not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InvalidInitData("a field appears twice")
    received = fields.pop("hash", "")
    if not hmac.compare_digest(_hash(fields, bot_token).encode(), received.encode()):
        raise InvalidInitData("hash does not match")
    try:
        auth_date = int(fields["auth_date"])
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError):
        raise InvalidInitData("auth_date or user missing") from None
    age = now.timestamp() - auth_date
    if age > max_age_seconds or age < -60:  # a minute of clock skew the other way
        raise InvalidInitData("too old")
    language = user.get("language_code")
    return WebAppUser(
        user_id, str(user.get("first_name", ""))[:64], language if isinstance(language, str) else None
    )


def sign_init_data(user: WebAppUser, bot_token: str, *, auth_date: datetime) -> str:
    """initData as Telegram would make it for `user`: for tests and the demo's own token only."""
    body = {"id": user.id, "first_name": user.first_name}
    if user.language_code:
        body["language_code"] = user.language_code
    fields = {
        "auth_date": str(int(auth_date.timestamp())),
        "query_id": "demo",
        "user": json.dumps(body, separators=(",", ":"), ensure_ascii=False),
    }
    return urlencode({**fields, "hash": _hash(fields, bot_token)})
