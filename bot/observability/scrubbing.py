"""Keep secrets and personal data out of logs.

HTTP client loggers print request URLs, and Bot API URLs carry the token; python-telegram-bot and aiogram
log every request's parameters (message texts, the webhook secret) at DEBUG; SQLAlchemy logs statements
with their parameters (a recipient's name and street) when its logger is enabled. So those loggers are
held at INFO or WARNING whatever level the shop runs at, and every line is cleaned before it is written:
the bot token, Stripe keys, phone numbers, the secrets registered with `mask_in_logs`, and the
`[parameters: ...]` SQLAlchemy appends to a failed statement's error message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

__all__ = ["quiet_framework_loggers", "quiet_http_loggers", "mask_in_logs", "mask_secrets", "scrub_record"]

MASK = "<secret>"
# Loggers that print URLs or request parameters at INFO: at most warnings from them.
_URL_LOGGERS = ("httpx", "httpcore", "aiohttp.client", "aiohttp.access", "hpack")
# Loggers whose DEBUG lines carry message texts, the webhook secret or SQL parameters: never below INFO.
_FRAMEWORK_FLOOR = {
    "telegram": logging.INFO,
    "aiogram": logging.INFO,
    "apscheduler": logging.INFO,
    "apscheduler.executors.default": logging.WARNING,  # "Running job ..." for every run
    "stripe": logging.INFO,
    "alembic": logging.INFO,
    "aiohttp": logging.INFO,
    "asyncio": logging.INFO,
    "sqlalchemy": logging.WARNING,  # INFO and DEBUG are the statements and their parameters
    "aiosqlite": logging.INFO,
    "asyncpg": logging.INFO,
}
# SQLAlchemy appends the statement's bound values to DBAPI errors ("[parameters: ('Alice', '1 Main St')]").
# `hide_parameters=True` on the engine replaces them; this catches any engine built without it.
# Everything from the marker up to SQLAlchemy's "(Background on this error ...)" line, or to the end.
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?(?=\(Background on this error|\Z)", re.S)
_secrets: set[str] = set()


def quiet_http_loggers() -> None:
    for name in _URL_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def quiet_framework_loggers(level: int) -> None:
    """Hold the frameworks' loggers at their floor when the shop logs below it (SHOPBOT_LOG_LEVEL=DEBUG)."""
    quiet_http_loggers()
    for name, floor in _FRAMEWORK_FLOOR.items():
        logging.getLogger(name).setLevel(max(level, floor))


def mask_secrets(text: str) -> str:
    """Registered secrets masked, and SQL parameters dropped from database errors."""
    for secret in _secrets:
        text = text.replace(secret, MASK)
    if "[parameters: " in text:
        text = _SQL_PARAMETERS.sub("[parameters hidden]\n", text)
    return text


def scrub_record(record: logging.LogRecord, clean: Callable[[str], str]) -> None:
    """Clean a stdlib record's message and its traceback text: exception messages embed what they were given
    (an HTTP error its URL, with the bot token; a parse error the customer's text). Records from structlog
    carry their event dict as the message; the processor chain cleans those."""
    if isinstance(record.msg, dict):
        return
    record.msg, record.args = clean(record.getMessage()), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = clean(record.exc_text)
    if record.stack_info:
        record.stack_info = clean(record.stack_info)


class _Mask(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record, lambda text: text.replace(self.secret, MASK))
        return True


def mask_in_logs(secret: str) -> None:
    """Mask `secret` in every line written: in the structured formatter's output (JSON and console), and in
    every record the root logger's handlers write (call after logging is set up)."""
    if not secret:
        return
    _secrets.add(secret)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _Mask) and f.secret == secret for f in handler.filters):
            handler.addFilter(_Mask(secret))
