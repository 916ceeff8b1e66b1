"""The bot process of `shopbot run`: a Telegram runtime, the HTTP server, and (unless `--no-jobs`) the
outbox relay and scheduled jobs, over one database; stopped gracefully on SIGINT/SIGTERM.

Both modes store every update in the durable inbox before Telegram learns it arrived, and an inbox
processor feeds it through the runtime from there (per chat in order, retried when handling fails).
Webhook mode: Telegram posts to `/webhooks/telegram`; the update is stored before the 200.
Polling mode: `InboxPoller` stores each getUpdates batch before the next call confirms it.
Stop order: polling stops, /readyz turns 503, the HTTP server stops taking requests (finishing those in
hand), the processor finishes the updates in hand, the scheduler and relay stop, the runtime closes, the
database engine is disposed.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Literal

import structlog
from aiohttp import web

from bot.background.express_replies import ExpressReplies
from bot.background.inbox_processor import InboxProcessor
from bot.http.ops_routes import add_ops_routes
from bot.http.server import http_app, start_http_server
from bot.observability.instrumentation import InstrumentedHandler
from bot.observability.metered import MeteredNotifier
from bot.observability.metrics import Metrics
from bot.observability.scrubbing import mask_in_logs
from bot.processes.collector import settle_collector
from bot.processes.signals import stop_on_signals
from bot.settings import Settings
from bot.telegram.connection import TelegramConnection
from bot.telegram.notifier import BotApiNotifier
from bot.telegram.polling import InboxPoller
from bot.telegram.runtime import RuntimeName, build_runtime
from bot.telegram.webhook import WEBHOOK_PATH, check_secret, telegram_webhook
from bot.webapp.mount import mount_miniapp, offer_menu_button
from bot.wiring.background import build_relay, start_background
from bot.wiring.bootstrap import assemble
from domain.clock import Clock
from storage.analytics.backlogs import count_backlogs
from storage.database.engine import session_factory
from storage.database.schema_status import describe_schema, migration_heads, schema_status, shown_url
from storage.queues.inbox import SqlAlchemyInbox

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
    own_process: bool = False  # the process is the bot's alone (the CLI): its collector is settled once ready


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
    for value in (connection.token, secret):  # the webhook secret rides in every update's headers
        if value:
            mask_in_logs(value)
    async with AsyncExitStack() as stack:
        if stop is None:
            stop = stack.enter_context(stop_on_signals())
        metrics = Metrics.create()
        shop = await stack.enter_async_context(
            assemble(settings, clock=clock, migrate=options.jobs, metrics=metrics)
        )
        heads = migration_heads()
        problem = describe_schema(await schema_status(shop.engine, heads), shown_url(settings.database_url))
        if problem is not None:
            raise NotReady(problem)
        sessions = session_factory(shop.engine)
        notifier = BotApiNotifier(connection)
        stack.push_async_callback(notifier.aclose)
        worker = shop.uow_factory.worker  # holds the replies this process sends right after each turn
        metered = MeteredNotifier(notifier, metrics)
        relay = build_relay(settings, sessions, metered, shop.clock, shop.uow_factory, worker=worker)
        handler = InstrumentedHandler(ExpressReplies(shop.handler, relay, shop.clock), metrics)
        runtime = build_runtime(options.runtime, connection, handler, answers=notifier)
        stack.push_async_callback(runtime.stop)  # after the processor has finished the updates in hand
        if options.jobs:
            background = await start_background(
                settings,
                uow_factory=shop.uow_factory,
                notifier=notifier,
                tracking=shop.tracking,  # one client: the merchant desk registers, the jobs poll
                clock=shop.clock,
                metrics=metrics,
                outbox_relay=relay,
                gateway=shop.payments.gateway if settings.stripe_secret_key is not None else None,
            )
            stack.push_async_callback(background.stop)
        stopping = False
        app = http_app(health=_alive, stripe_webhook=shop.payments.stripe_webhook)
        mount_miniapp(
            app,
            settings,
            handler,
            shop.uow_factory,
            shop.clock,
            bot_token=connection.token,
            engine=shop.uow_factory.reports,  # the figures page reads off the event loop's thread (SQLite)
        )

        async def refresh() -> None:
            backlogs = await count_backlogs(sessions)
            metrics.outbox_backlog.set(backlogs["outbox"])

        add_ops_routes(
            app, engine=shop.engine, heads=heads, metrics=metrics, stopping=lambda: stopping, refresh=refresh
        )
        inbox = SqlAlchemyInbox(sessions)
        processor = InboxProcessor(inbox, runtime.feed, shop.clock, worker=worker)
        stack.push_async_callback(processor.stop)
        if options.mode == "webhook":
            receive = telegram_webhook(inbox, secret, shop.clock, on_stored=processor.wake)
            app.router.add_post(WEBHOOK_PATH, receive)
        runner = await start_http_server(app, settings.http_host, settings.http_port)
        stack.push_async_callback(runner.cleanup)
        if options.mode == "webhook":
            await runtime.start_webhook(settings.public_url.rstrip("/") + WEBHOOK_PATH, secret)
        else:
            await runtime.start_feeding()
            poller = InboxPoller(connection, inbox, shop.clock, on_stored=processor.wake)
            await poller.start()
            stack.push_async_callback(poller.stop)  # the first to go: no more getUpdates
        processor.start()  # the runtime can take updates now; what is already stored goes first
        await offer_menu_button(settings, notifier)
        if options.own_process:
            settle_collector()  # short collector pauses from here on (bot.processes.collector)
        log.info(
            "bot_running", mode=options.mode, runtime=options.runtime, jobs=options.jobs, port=_port(runner)
        )
        await stop.wait()
        stopping = True
        log.info("bot_stopping", mode=options.mode)
    log.info("bot_stopped")


async def _alive() -> bool:
    return True  # liveness: the event loop answers; the database is /readyz's business


def _port(runner: web.AppRunner) -> int | None:
    return runner.addresses[0][1] if runner.addresses else None
