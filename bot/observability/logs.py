"""Structured logging: key/value events, console or JSON, with secrets and personal data scrubbed."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from bot.observability.scrubbing import quiet_http_loggers, scrub_record

__all__ = ["configure_logging", "scrub"]

# Keys whose values are never logged: secrets, and what a person typed or is called.
_SENSITIVE_KEYS = re.compile(
    r"phone|address|street|token|secret|password|recipient|api_key"
    r"|first_name|last_name|full_name|customer_name|username|caption|^text$|message_text|query",
    re.I,
)
# A Telegram bot token, also inside a Bot API URL ("/bot123:ABC..."), where no word boundary precedes it.
_TOKEN = re.compile(r"(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}(?![A-Za-z0-9_-])")
_STRIPE_KEY = re.compile(r"\b(?:sk|rk|whsec)_[A-Za-z0-9_]{8,}\b")
_PHONE = re.compile(r"\+?\d[\d ()-]{7,}\d")


def scrub(value: str) -> str:
    value = _TOKEN.sub("[token]", value)
    value = _STRIPE_KEY.sub("[secret]", value)
    return _PHONE.sub("[phone]", value)


def _scrub_event(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if _SENSITIVE_KEYS.search(key):
            event[key] = "[redacted]"
        elif isinstance(event[key], str):
            event[key] = scrub(event[key])
    return event


class _ScrubFilter(logging.Filter):
    """Scrubs records of third-party stdlib loggers too (frameworks log request URLs with the token)."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record, scrub)
        return True


def configure_logging(level: str = "INFO", fmt: str = "console") -> None:
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            # Tracebacks as plain text, before scrubbing: no locals (they hold tokens, phones, addresses),
            # and the exception message goes through `scrub` like every other value.
            structlog.processors.format_exc_info,
            _scrub_event,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),  # after scrubbing: dates look like phones
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ScrubFilter())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    quiet_http_loggers()  # request URLs carry the bot token
    for noisy in ("aiohttp.access", "apscheduler.executors.default"):  # a line per request / per job run
        logging.getLogger(noisy).setLevel(logging.WARNING)
