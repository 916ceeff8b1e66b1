"""Keep bot tokens out of logs: HTTP client loggers print request URLs, and Bot API URLs carry the token."""

from __future__ import annotations

import logging

__all__ = ["quiet_http_loggers"]

_URL_LOGGERS = ("httpx", "httpcore", "aiohttp.client")


def quiet_http_loggers() -> None:
    for name in _URL_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
