"""A fake 17TRACK v2.2 API on loopback (aiohttp), speaking the real wire format.

It enforces what the real one does and the client must respect: the `17token` header (401), at most
40 numbers per request and registration before tracking (rejected items), and a request rate
(429 when more than `rate` requests arrive within one second). Tests set statuses, refuse numbers and
queue faults (HTTP 500, malformed JSON, slow answers).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from aiohttp import web

from tests.fakes.loopback import LoopbackServer

__all__ = ["FakeSeventeenTrack", "TOKEN"]

TOKEN = "test-17token"
_NOT_REGISTERED = -18019902
_TOO_MANY_NUMBERS = -18010012


class FakeSeventeenTrack(LoopbackServer):
    path = "/track/v2.2"

    def __init__(self, *, rate: float = 3.0, max_numbers: int = 40) -> None:
        super().__init__()
        self.rate = rate
        self.max_numbers = max_numbers
        self.statuses: dict[str, str] = {}
        self.registered: set[str] = set()
        self.refused: dict[str, str] = {}  # number -> reason given at registration and tracking
        # "500", "malformed", "garbage" (JSON of the wrong shape), "slow", "429", "429:<Retry-After>"
        self.faults: deque[str] = deque()  # one per request
        self.requests = 0
        self.too_many_requests = 0
        self.largest_batch = 0
        self.oversized = 0
        self._arrivals: deque[float] = deque()

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/track/v2.2/register", self._register)
        app.router.add_post("/track/v2.2/gettrackinfo", self._track)

    # -- request handling ---------------------------------------------------------------------------
    async def _gate(self, request: web.Request) -> web.Response | list[dict[str, Any]]:
        self.requests += 1
        if request.headers.get("17token") != TOKEN:
            return web.json_response({"code": 401, "data": {"errors": [{"code": -18010002}]}}, status=401)
        now = time.monotonic()
        while self._arrivals and self._arrivals[0] <= now - 0.95:  # 5% slack for timer jitter
            self._arrivals.popleft()
        self._arrivals.append(now)
        if len(self._arrivals) > self.rate:
            self.too_many_requests += 1
            return web.json_response({"code": 429, "data": {}}, status=429, headers={"Retry-After": "1"})
        fault = self.faults.popleft() if self.faults else None
        if fault == "500":
            return web.Response(status=500, text="upstream error")
        if fault == "429":
            self.too_many_requests += 1
            return web.json_response({"code": 429, "data": {}}, status=429, headers={"Retry-After": "1"})
        if fault is not None and fault.startswith("429:"):
            self.too_many_requests += 1
            return web.json_response({"code": 429}, status=429, headers={"Retry-After": fault[4:]})
        if fault == "garbage":
            return web.json_response({"code": 0, "data": GARBAGE})
        if fault == "malformed":
            return web.Response(
                status=200, text='{"code": 0, "data": {"accepted": [', content_type="application/json"
            )
        if fault == "slow":
            await asyncio.sleep(1)
        body = await request.json()
        self.largest_batch = max(self.largest_batch, len(body))
        if len(body) > self.max_numbers:
            self.oversized += 1
            return web.json_response({"code": _TOO_MANY_NUMBERS, "data": {"errors": []}})
        return body

    async def _register(self, request: web.Request) -> web.Response:
        return await self._answer(request, self._register_one)

    async def _track(self, request: web.Request) -> web.Response:
        return await self._answer(request, self._track_one)

    async def _answer(self, request: web.Request, one) -> web.Response:  # noqa: ANN001
        body = await self._gate(request)
        if isinstance(body, web.Response):
            return body
        accepted, rejected = [], []
        for item in body:
            number = item["number"]
            if number in self.refused:
                rejected.append(_rejected(number, -18019903, self.refused[number]))
                continue
            ok, answer = one(item)
            (accepted if ok else rejected).append(answer)
        return web.json_response({"code": 0, "data": {"accepted": accepted, "rejected": rejected}})

    def _register_one(self, item: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        number = item["number"]
        if number in self.registered:
            return False, _rejected(number, -18019901, "The tracking number is already registered.")
        self.registered.add(number)
        return True, {"origin": 1, "number": number, "carrier": item.get("carrier", 3011)}

    def _track_one(self, item: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        number = item["number"]
        if number not in self.registered:
            return False, _rejected(number, _NOT_REGISTERED, "The tracking number is not registered.")
        return True, _tracked(number, self.statuses.get(number, "NotFound"))


GARBAGE = {  # well-formed JSON, every field the wrong shape
    "accepted": [
        "junk",
        {"number": "G1", "track_info": "banana"},
        {"number": "G2", "track_info": {"latest_status": ["Delivered"], "latest_event": 7}},
        {"number": "G3", "track_info": {"latest_status": {"status": "Delivered"}, "latest_event": "x"}},
        {"number": {"nested": 1}, "track_info": {"latest_status": {"status": {"x": 1}}}},
    ],
    "rejected": [{"number": "G4", "error": "nope"}, {"number": "G5", "error": ["x"]}, 42],
}


def _rejected(number: str, code: int, message: str) -> dict[str, Any]:
    return {"number": number, "error": {"code": code, "message": message}}


def _tracked(number: str, status: str) -> dict[str, Any]:
    return {
        "number": number,
        "carrier": 3011,
        "track_info": {
            "latest_status": {"status": status, "sub_status": f"{status}_Other", "sub_status_descr": None},
            "latest_event": {"time_utc": "2026-01-01T10:00:00Z", "description": f"Parcel {status}"},
        },
    }
