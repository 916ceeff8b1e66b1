"""The bot process of `shopbot run`: a Telegram runtime, the HTTP server, and (unless `--no-jobs`) the
outbox relay and scheduled jobs, over one database; stopped gracefully on SIGINT/SIGTERM.

Webhook mode: Telegram posts to `/webhooks/telegram`; the update is stored in the inbox before the 200,
and an inbox processor feeds it through the runtime. Stop order: /readyz turns 503, the HTTP server stops
taking requests (finishing those in hand), the processor finishes the updates in hand, the scheduler and
relay stop, the runtime closes, the database engine is disposed.
Polling mode: the runtime polls getUpdates; the HTTP server still serves Stripe, health and metrics.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Literal

import structlog
from aiohttp import web

from bot.background.inbox_processor import InboxProcessor
from bot.background.outbox_relay import worker_name
from bot.http.ops_routes import add_ops_routes
from bot.http.server import http_app, start_http_server
from bot.observability.instrumentation import InstrumentedHandler
from bot.observability.metrics import Metrics
from bot.observability.scrubbing import mask_in_logs
from bot.processes.signals import stop_on_signals
from bot.settings import Settings
from bot.telegram.connection import TelegramConnection
from bot.telegram.notifier import BotApiNotifier
from bot.telegram.runtime import Runtime, RuntimeName, build_runtime
from bot.telegram.webhook import WEBHOOK_PATH, check_secret, telegram_webhook
from bot.webapp.mount import mount_miniapp, offer_menu_button
from bot.wiring.background import start_background
from bot.wiring.bootstrap import assemble
from domain.clock import Clock
from storage.backlogs import count_backlogs
from storage.engine import session_factory
from storage.inbox import SqlAlchemyInbox
from storage.schema_status import migration_heads, schema_status

__all__ = ["RunOptions", "run_bot", "NotReady"]

log = structlog.get_logger("shopbot.run")

Mode = Literal["polling", "webhook"]


class NotReady(RuntimeError):
    """The process cannot start: a setting is missing or the database is not migrated."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    runtime: RuntimeName = "ptb"
    mode: Mode = "polling"
    jobs: bool = True  # relay and scheduler in this process (False: a `shopbot worker` does them)


def _require(settings: Settings, mode: Mode) -> tuple[TelegramConnection, str]:
    if settings.telegram_token is None:
        raise NotReady("SHOPBOT_TELEGRAM_TOKEN is not set (the token @BotFather gave you)")
    secret = ""
    if mode == "webhook":
        if settings.telegram_webhook_secret is None:
            raise NotReady("webhook mode needs SHOPBOT_TELEGRAM_WEBHOOK_SECRET (A-Z, a-z, 0-9, _ and -)")
        try:
            secret = check_secret(settings.telegram_webhook_secret.get_secret_value())
        except ValueError as exc:
            raise NotReady(str(exc)) from None
    return TelegramConnection.from_settings(settings), secret


async def run_bot(
    settings: Settings, options: RunOptions, *, clock: Clock | None = None, stop: asyncio.Event | None = None
) -> None:
    """Run until `stop` is set (default: until SIGINT or SIGTERM). A process that runs the jobs migrates
    the database first (one process); web processes of a scale-out (`jobs=False`) wait for
    `shopbot db upgrade` and refuse to start on an old schema."""
    connection, secret = _require(settings, options.mode)
    mask_in_logs(connection.token)
    async with AsyncExitStack() as stack:
        if stop is None:
            stop = stack.enter_context(stop_on_signals())
        metrics = Metrics.create()
        shop = await stack.enter_async_context(
            assemble(settings, clock=clock, migrate=options.jobs, metrics=metrics)
        )
        heads = migration_heads()
        status = await schema_status(shop.engine, heads)
        if not status.ready:
            raise NotReady(f"database not ready ({status}); run `shopbot db upgrade`")
        sessions = session_factory(shop.engine)
        runtime = build_runtime(options.runtime, connection, InstrumentedHandler(shop.handler, metrics))
        if options.mode == "webhook":
            stack.push_async_callback(runtime.stop)  # after the processor has finished the updates in hand
        if options.jobs:
            notifier = BotApiNotifier(connection)
            stack.push_async_callback(notifier.aclose)
            background = await start_background(
                settings,
                uow_factory=shop.uow_factory,
                notifier=notifier,
                tracking=shop.tracking,  # one client: the merchant desk registers, the jobs poll
                clock=shop.clock,
                metrics=metrics,
            )
            stack.push_async_callback(background.stop)
        stopping = False
        app = http_app(health=_alive, stripe_webhook=shop.payments.stripe_webhook)
        mount_miniapp(app, settings, shop.handler, shop.uow_factory, shop.clock, bot_token=connection.token)

        async def refresh() -> None:
            backlogs = await count_backlogs(sessions)
            metrics.outbox_backlog.set(backlogs["outbox"])

        add_ops_routes(
            app, engine=shop.engine, heads=heads, metrics=metrics, stopping=lambda: stopping, refresh=refresh
        )
        if options.mode == "webhook":
            inbox = SqlAlchemyInbox(sessions)
            processor = InboxProcessor(inbox, runtime.feed, shop.clock, worker=worker_name())
            receive = telegram_webhook(inbox, secret, shop.clock, on_stored=processor.wake)
            app.router.add_post(WEBHOOK_PATH, receive)
            stack.push_async_callback(processor.stop)
        runner = await start_http_server(app, settings.http_host, settings.http_port)
        stack.push_async_callback(runner.cleanup)
        if options.mode == "polling":
            stack.push_async_callback(runtime.stop)  # the first to go: no more getUpdates
        await _receive(runtime, settings, options, secret)
        menu = BotApiNotifier(connection)
        try:
            await offer_menu_button(settings, menu)
        finally:
            await menu.aclose()
        if options.mode == "webhook":
            processor.start()  # the runtime can take updates now; what is already stored goes first
        log.info(
            "bot_running", mode=options.mode, runtime=options.runtime, jobs=options.jobs, port=_port(runner)
        )
        await stop.wait()
        stopping = True
        log.info("bot_stopping", mode=options.mode)
    log.info("bot_stopped")


async def _receive(runtime: Runtime, settings: Settings, options: RunOptions, secret: str) -> None:
    if options.mode == "webhook":
        await runtime.start_webhook(settings.public_url.rstrip("/") + WEBHOOK_PATH, secret)
    else:
        await runtime.start()


async def _alive() -> bool:
    return True  # liveness: the event loop answers; the database is /readyz's business


def _port(runner: web.AppRunner) -> int | None:
    return runner.addresses[0][1] if runner.addresses else None
