"""Keep bot tokens out of logs.

HTTP client loggers print request URLs, and Bot API URLs carry the token; python-telegram-bot also logs
its base URL at DEBUG. So the URL loggers are quieted, and every record reaching the root handlers has the
token masked, whatever level the shop runs at.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

__all__ = ["quiet_http_loggers", "mask_in_logs", "scrub_record"]

_URL_LOGGERS = ("httpx", "httpcore", "aiohttp.client")
MASK = "<secret>"


def quiet_http_loggers() -> None:
    for name in _URL_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def scrub_record(record: logging.LogRecord, clean: Callable[[str], str]) -> None:
    """Clean a stdlib record's message and its traceback text: exception messages embed what they were given
    (an HTTP error its URL, with the bot token; a parse error the customer's text)."""
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
    """Mask `secret` in every record the root logger's handlers write (call after logging is set up)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _Mask) and f.secret == secret for f in handler.filters):
            handler.addFilter(_Mask(secret))
