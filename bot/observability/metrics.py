"""Prometheus metrics, on a registry built at start-up (never at import time) and passed around."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["Metrics", "CONTENT_TYPE"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry
    updates: Counter
    handler_latency: Histogram
    outbox_backlog: Gauge
    outbox_failures: Counter
    outbox_sent: Counter
    payment_attempts: Counter
    payment_successes: Counter
    tracking_polls: Counter
    job_runs: Counter
    sql_statements: Counter  # counted only when SHOPBOT_COUNT_SQL_STATEMENTS is set (benchmarks)

    @classmethod
    def create(cls) -> Metrics:
        r = CollectorRegistry()
        return cls(
            registry=r,
            updates=Counter(
                "shopbot_updates_total", "Telegram updates processed", ["type", "outcome"], registry=r
            ),
            handler_latency=Histogram(
                "shopbot_handler_seconds", "Time to handle one update", ["type"], registry=r
            ),
            outbox_backlog=Gauge("shopbot_outbox_backlog", "Outbox messages waiting to be sent", registry=r),
            outbox_failures=Counter("shopbot_outbox_failures_total", "Messages given up on", registry=r),
            outbox_sent=Counter("shopbot_outbox_sent_total", "Messages delivered", registry=r),
            payment_attempts=Counter(
                "shopbot_payment_attempts_total", "Payment attempts", ["method"], registry=r
            ),
            payment_successes=Counter(
                "shopbot_payment_successes_total", "Successful payments", ["method"], registry=r
            ),
            tracking_polls=Counter(
                "shopbot_tracking_polls_total", "Carrier tracking requests", ["outcome"], registry=r
            ),
            job_runs=Counter("shopbot_job_runs_total", "Scheduled job runs", ["job", "outcome"], registry=r),
            sql_statements=Counter(
                "shopbot_sql_statements", "SQL statements sent (when counted)", registry=r
            ),
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
