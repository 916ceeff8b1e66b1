"""Keep bot tokens out of logs.

HTTP client loggers print request URLs, and Bot API URLs carry the token; python-telegram-bot also logs
its base URL at DEBUG. So the URL loggers are quieted, and every record reaching the root handlers has the
token masked, whatever level the shop runs at.
"""

from __future__ import annotations

import logging

from bot.logging_setup import scrub_record

__all__ = ["quiet_http_loggers", "mask_in_logs"]

_URL_LOGGERS = ("httpx", "httpcore", "aiohttp.client")
MASK = "<secret>"


def quiet_http_loggers() -> None:
    for name in _URL_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


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
