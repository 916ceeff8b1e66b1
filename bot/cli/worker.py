"""`shopbot worker`: the scheduled jobs and the outbox relay, without the Telegram runtime.

Run as many as you like (one per host, or two for failover): leases keep them from doing the same
work twice. Stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio

import click

from bot.cli.output import fail
from bot.cli.preflight import load_settings, require_database
from bot.observability.logs import configure_logging

__all__ = ["worker"]


@click.command()
@click.option("--no-relay", is_flag=True, help="Run the jobs only; another process relays.")
@click.option("--no-jobs", is_flag=True, help="Run the outbox relay only.")
@click.option(
    "--metrics-port",
    type=int,
    default=0,
    show_default=True,
    help="Serve Prometheus metrics on this port (0: off).",
)
def worker(no_relay: bool, no_jobs: bool, metrics_port: int) -> None:
    """Run the scheduled jobs and the outbox relay (no Telegram updates are handled here)."""
    settings = load_settings()
    if settings.telegram_token is None:
        raise fail("SHOPBOT_TELEGRAM_TOKEN is not set: the worker delivers messages through it.")
    require_database(settings.database_url)
    configure_logging(settings.log_level, settings.log_format)
    from bot.processes.worker import run_worker  # the worker process's modules: not for `shopbot run`

    asyncio.run(
        run_worker(
            settings, jobs=not no_jobs, relay=not no_relay, metrics_port=metrics_port, own_process=True
        )
    )
