"""Structured logging: key/value events, console or JSON, with secrets and personal data scrubbed."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from bot.observability.scrubbing import mask_secrets, quiet_framework_loggers, scrub_record

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
    return _PHONE.sub("[phone]", mask_secrets(value))


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
    """Every line, from structlog or from the standard library (PTB, aiogram, APScheduler, Stripe, httpx,
    Alembic, aiohttp, asyncio), goes through one structlog formatter: with `fmt="json"` each line is one
    JSON object, a traceback inside it as its `exception` field."""
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
    )
    numeric = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Tracebacks as plain text, before scrubbing: no locals (they hold tokens, phones, addresses),
            # and the exception message goes through `scrub` like every other value.
            structlog.processors.format_exc_info,
            _scrub_event,
            structlog.processors.TimeStamper(fmt="iso", utc=True),  # after scrubbing: dates look like phones
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ScrubFilter())
    handler.setFormatter(formatter)
    logging.basicConfig(level=numeric, handlers=[handler], force=True)
    quiet_framework_loggers(numeric)
