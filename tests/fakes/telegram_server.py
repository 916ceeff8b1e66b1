"""A fake Telegram Bot API server on loopback, speaking the real wire format.

Frameworks and the notifier talk to it over real HTTP at `{url}/bot{token}/{method}` with JSON, form or
multipart bodies and get `{"ok": true, "result": ...}` back. It records every request for assertions, keeps
the messages it sent (so edits are checked like Telegram checks them) and can be told to fail a method.
What users do (write, press, share a contact, pay) is pushed through `tests.fakes.telegram_users`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.telegram_methods import ApiError, BotApiMethods, UploadedFile
from tests.fakes.telegram_users import TelegramUsers

__all__ = ["FakeTelegram", "Call", "UploadedFile", "ApiError"]

_JSON_FIELDS = {
    "reply_markup", "prices", "allowed_updates", "commands", "entities", "caption_entities",
    "link_preview_options", "reply_parameters", "scope", "suggested_tip_amounts", "media", "menu_button",
}  # fmt: skip
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "user_id", "cache_time", "max_tip_amount"}
_FLOAT_FIELDS = {"timeout"}
_BOOL_FIELDS = {"ok", "show_alert", "drop_pending_updates", "disable_notification", "protect_content"}


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    params: dict[str, Any]
    status: int
    result: Any = None


@dataclass(slots=True)
class _Failure:
    status: int
    description: str
    parameters: dict[str, Any] | None
    times: int


@dataclass
class _Queue:
    updates: list[dict[str, Any]] = field(default_factory=list)
    allowed: list[str] | None = None
    ids: itertools.count = field(default_factory=lambda: itertools.count(1000))


class FakeTelegram(BotApiMethods, TelegramUsers):
    def __init__(self, token: str = "123456:TEST-token") -> None:
        super().__init__()
        self.token = token
        self.calls: list[Call] = []  # answered requests
        self.asked: list[str] = []  # every request's method as it arrives (a long poll before it ends)
        self._failures: dict[str, _Failure] = {}
        self._hanging: set[str] = set()
        self._queue = _Queue()
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle ---------------------------------------------------------------------------------------
    async def start(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._serve)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        self._closing = True
        await self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- test controls -----------------------------------------------------------------------------------
    def fail(
        self, method: str, status: int, description: str, *, retry_after: int | None = None, times: int = 1
    ) -> None:
        """Answer the next `times` calls of `method` with this error, as Telegram would."""
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        self._failures[method] = _Failure(status, description, parameters, times)

    def hang(self, method: str) -> None:
        """Never answer `method` (until the server closes): for client timeouts."""
        self._hanging.add(method)

    async def push_update(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._queue.ids), kind: body}
        self._queue.updates.append(update)
        await self._notify()
        return update

    async def push_raw_update(self, kind: str, body_json: str) -> int:
        """An update whose body is this JSON text, sent as it is: one no JSON encoder here could write (an
        object nested 50,000 deep, say). Returns its update_id."""
        update = {"update_id": next(self._queue.ids), kind: _RawJson(body_json)}
        self._queue.updates.append(update)
        await self._notify()
        return update["update_id"]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper's deadline, named as tests call it
    ) -> Call:
        """The first recorded call of `method` whose params satisfy `predicate`, waiting for it to come."""

        def found() -> Call | None:
            return next((c for c in self.calls_of(method) if predicate is None or predicate(c.params)), None)

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), timeout)
            except TimeoutError:
                seen = [(c.method, c.params) for c in self.calls if c.method != "getUpdates"]
                raise AssertionError(f"no matching {method} within {timeout} s; calls: {seen}") from None
        call = found()
        assert call is not None
        return call

    async def wait_until_asked(
        self,
        method: str,
        *,
        after: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper's deadline, named as tests call it
    ) -> None:
        """Until more than `after` requests for `method` have arrived, answered or not: a bot that started
        polling is seen as its first `getUpdates` comes in, not when that long poll ends empty."""
        async with self._changed:
            try:
                arrived = self._changed.wait_for(lambda: self.asked.count(method) > after)
                await asyncio.wait_for(arrived, timeout)
            except TimeoutError:
                raise AssertionError(f"no {method} request within {timeout} s") from None

    async def bot_reply_to(self, user_id: int, text: str) -> int:
        """The user writes `text`; the id of the bot's next new message (in whichever chat)."""
        before = len(self.calls_of("sendMessage"))
        await self.push_text(user_id, text)
        await self.wait_for("sendMessage", lambda p: len(self.calls_of("sendMessage")) > before)
        return self.calls_of("sendMessage")[before].result["message_id"]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- HTTP --------------------------------------------------------------------------------------------
    async def _serve(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        self.asked.append(method)
        await self._notify()
        params = await _read_params(request)
        status, result, error = 200, None, None
        try:
            result = await self._dispatch(method, params)
        except ApiError as exc:
            status, error = exc.status, exc
        self.calls.append(Call(method, params, status, result))
        await self._notify()
        if error is not None:
            return _error(error.status, error.description, error.parameters)
        return web.Response(text=_encode({"ok": True, "result": result}), content_type="application/json")

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        failure = self._failures.get(method)
        if failure is not None:
            failure.times -= 1
            if failure.times <= 0:
                del self._failures[method]
            raise ApiError(failure.status, failure.description, failure.parameters)
        if method in self._hanging:
            async with self._changed:
                await self._changed.wait_for(lambda: self._closing)
        if method.lower() == "getupdates":
            return await self._get_updates(params)
        implementation = self.methods.get(method.lower())
        if implementation is None:
            raise ApiError(404, "Not Found: method not found")
        return implementation(params)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        queue = self._queue
        offset = params.get("offset") or 0
        queue.updates = [u for u in queue.updates if u["update_id"] >= offset]
        if params.get("allowed_updates") is not None:
            queue.allowed = params["allowed_updates"] or None

        def ready() -> list[dict[str, Any]]:
            allowed = queue.allowed
            wanted = [u for u in queue.updates if allowed is None or _kind(u) in allowed]
            return wanted[: params.get("limit") or 100]

        deadline = time.monotonic() + float(params.get("timeout") or 0)
        async with self._changed:
            while not ready() and not self._closing and (left := deadline - time.monotonic()) > 0:
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    break
        return ready()

    def pending_updates(self) -> int:
        return len(self._queue.updates)


@dataclass(frozen=True, slots=True)
class _RawJson:
    text: str


def _encode(body: Any) -> str:
    """JSON text of `body`, with each `_RawJson` written as its own text."""
    raws: list[str] = []

    def mark(value: Any) -> str:
        if not isinstance(value, _RawJson):
            raise TypeError(f"{type(value).__name__} is not JSON")
        raws.append(value.text)
        return f"\u0000raw{len(raws) - 1}\u0000"

    text = json.dumps(body, default=mark)
    for n, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\u0000raw{n}\u0000"), raw)
    return text


def _kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


async def _read_params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return await request.json()
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part.filename:
                params[part.name] = UploadedFile(part.filename, await part.read())
            else:
                params[part.name] = await part.text()
    elif request.can_read_body:
        params.update(await request.post())
    decoded = {key: _decode(key, value) for key, value in params.items()}
    for key, value in list(decoded.items()):  # aiogram names uploads in the field: "attach://<part name>"
        if isinstance(value, str) and value.startswith("attach://"):
            decoded[key] = decoded.pop(value.removeprefix("attach://"))
    return decoded


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        return json.loads(value)
    if key in _INT_FIELDS:
        return int(value) if value.lstrip("-").isdigit() else value
    if key in _FLOAT_FIELDS:
        return float(value)
    if key in _BOOL_FIELDS:
        return value.lower() == "true"
    return value
