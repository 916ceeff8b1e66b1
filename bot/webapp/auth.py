"""Who is asking: every /app/api/ request carries `Authorization: tma <initData>`, validated here.

A request without valid initData gets 401 and nothing else (no data, no change); a customer asking a
staff endpoint gets 403. Changes are rate-limited per user, as a chat user is by Telegram's own limits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from aiohttp import web

from bot.flood_control import TokenBucket
from bot.webapp.init_data import InvalidInitData, WebAppUser, validate_init_data
from domain.clock import Clock

__all__ = ["Gate", "USER_KEY", "auth_middleware"]

log = structlog.get_logger(__name__)

USER_KEY = "webapp_user"  # request[USER_KEY]: the WebAppUser (aiohttp 3.13 has no typed RequestKey)
_SCHEME = "tma "


@dataclass
class Gate:
    bot_token: str
    clock: Clock
    max_age_seconds: int
    staff_ids: frozenset[int]
    writes_per_second: float = 2.0
    burst: float = 10.0
    _buckets: dict[int, TokenBucket] = field(default_factory=dict)

    def user(self, request: web.Request) -> WebAppUser:
        header = request.headers.get("Authorization", "")
        raw = header[len(_SCHEME) :] if header.startswith(_SCHEME) else ""
        try:
            return validate_init_data(
                raw, self.bot_token, now=self.clock.now(), max_age_seconds=self.max_age_seconds
            )
        except InvalidInitData as error:
            log.warning("webapp_auth_refused", reason=str(error), path=request.path)  # no data, no user id
            raise web.HTTPUnauthorized(
                text='{"error": "unauthorized"}', content_type="application/json"
            ) from None

    def allow_write(self, user_id: int) -> bool:
        now = self.clock.now().timestamp()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) > 10_000:  # forget idle users rather than grow without bound
                self._buckets = {k: b for k, b in self._buckets.items() if not b.is_full(now)}
            bucket = self._buckets[user_id] = TokenBucket(self.writes_per_second, self.burst, now)
        if bucket.wait_time(now) > 0:
            return False
        bucket.take(now)
        return True


def auth_middleware(gate: Gate) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def check(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
        if not request.path.startswith("/app/api/"):
            return await handler(request)
        user = gate.user(request)
        if request.path.startswith("/app/api/desk/") and user.id not in gate.staff_ids:
            log.warning("webapp_staff_refused", path=request.path)
            raise web.HTTPForbidden(text='{"error": "staff only"}', content_type="application/json")
        if request.method != "GET" and not gate.allow_write(user.id):
            raise web.HTTPTooManyRequests(text='{"error": "slow down"}', content_type="application/json")
        request[USER_KEY] = user
        return await handler(request)

    return check
