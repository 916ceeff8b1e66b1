"""`CarrierTracking` over the 17TRACK tracking API v2.2 (httpx).

Wire format: `POST {base}/register` and `POST {base}/gettrackinfo` with a JSON array body
`[{"number": "...", "carrier": 3011}]` (carrier optional: a 17TRACK carrier code; omitted, 17TRACK
detects it), header `17token: <key>`. Answer: `{"code": 0, "data": {"accepted": [...],
"rejected": [{"number": "...", "error": {"code": -18019901, "message": "..."}}]}}`; an accepted
gettrackinfo item holds `track_info.latest_status.status` (NotFound, InfoReceived, InTransit, ...).

Requests carry at most 40 numbers and are spaced to `requests_per_second` (3 by default: the API's
limit). A 429, 5xx, timeout or garbled body is retried with exponential backoff a few times, then
surfaces as `RetryLater` / `DeliveryFailed` for the caller to reschedule just that batch.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from bot.flood_control import Monotonic, Sleep, TokenBucket
from domain.errors import DeliveryFailed, RetryLater
from domain.ports import TrackingStatus
from domain.tracking.statuses import REJECTED, UNREGISTERED

__all__ = ["SeventeenTrackClient", "MAX_NUMBERS"]

log = logging.getLogger("shopbot.tracking")

MAX_NUMBERS = 40
_ALREADY_REGISTERED = -18019901
_NOT_REGISTERED = -18019902
MAX_WAIT_SECONDS = 60.0  # a longer Retry-After goes back to the caller as RetryLater
_LONGEST_RETRY_AFTER = 24 * 3600.0


class SeventeenTrackClient:
    def __init__(
        self,
        api_key: str,
        base_url: str = "https://api.17track.net/track/v2.2",
        *,
        requests_per_second: float = 3.0,
        timeout: float = 20.0,
        retries: int = 3,
        backoff_seconds: float = 1.0,
        client: httpx.AsyncClient | None = None,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"17token": api_key, "Content-Type": "application/json"}
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._retries = retries
        self._backoff = backoff_seconds
        self._monotonic = monotonic
        self._sleep = sleep
        self._bucket = TokenBucket(requests_per_second, 1, monotonic())
        self._lock = asyncio.Lock()
        self.requests = 0

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- CarrierTracking ---------------------------------------------------------------------------
    async def register(self, tracking_number: str, carrier: str | None = None) -> None:
        refused = await self.register_many([(tracking_number, carrier)])
        if tracking_number in refused:
            raise DeliveryFailed(f"tracking number refused: {refused[tracking_number]}", permanent=True)

    async def register_many(self, parcels: Sequence[tuple[str, str | None]]) -> dict[str, str]:
        refused: dict[str, str] = {}
        for start in range(0, len(parcels), MAX_NUMBERS):
            body = [_item(number, carrier) for number, carrier in parcels[start : start + MAX_NUMBERS]]
            data = await self._post("register", body)
            for item in _list(data, "rejected"):
                error, number = _dict(item.get("error")), _number(item)
                if error.get("code") != _ALREADY_REGISTERED and number:
                    refused[number] = str(error.get("message") or "refused")
        return refused

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[TrackingStatus]:
        statuses: list[TrackingStatus] = []
        for start in range(0, len(tracking_numbers), MAX_NUMBERS):
            body = [{"number": n} for n in tracking_numbers[start : start + MAX_NUMBERS]]
            data = await self._post("gettrackinfo", body)
            statuses += [s for s in map(_status, _list(data, "accepted")) if s is not None]
            for item in _list(data, "rejected"):
                error, number = _dict(item.get("error")), _number(item)
                if number:
                    status = UNREGISTERED if error.get("code") == _NOT_REGISTERED else REJECTED
                    statuses.append(TrackingStatus(number, status, str(error.get("message", ""))[:200]))
        return statuses

    # -- HTTP --------------------------------------------------------------------------------------
    async def _post(self, path: str, body: list[dict[str, Any]]) -> dict[str, Any]:
        last: Exception = DeliveryFailed("no attempt made")
        for attempt in range(self._retries + 1):
            try:
                return await self._post_once(path, body)
            except RetryLater as exc:
                if exc.seconds > MAX_WAIT_SECONDS:
                    raise  # the caller reschedules the batch rather than hold the job this long
                last, wait = exc, max(exc.seconds, self._backoff)
            except DeliveryFailed as exc:
                if exc.permanent:
                    raise
                last, wait = exc, self._backoff * 2**attempt
            if attempt < self._retries:
                log.info("tracking_retry path=%s attempt=%s error=%s", path, attempt + 1, last)
                await self._sleep(wait)
        raise last

    async def _post_once(self, path: str, body: list[dict[str, Any]]) -> dict[str, Any]:
        async with self._lock:  # one request at a time, evenly spaced
            while (wait := self._bucket.wait_time(self._monotonic())) > 0:
                await self._sleep(wait)
            self._bucket.take(self._monotonic())
            self.requests += 1
            try:
                response = await self._client.post(f"{self._base}/{path}", json=body, headers=self._headers)
            except httpx.TimeoutException as exc:
                raise DeliveryFailed(f"17TRACK {path} timed out") from exc
            except httpx.TransportError as exc:
                raise DeliveryFailed(f"17TRACK {path} unreachable: {type(exc).__name__}") from exc
        if response.status_code == 429:
            raise RetryLater(_retry_after(response))
        if response.status_code in (401, 403):
            raise DeliveryFailed("17TRACK refused the API key (SHOPBOT_TRACKING_API_KEY)", permanent=True)
        if response.status_code >= 400:
            raise DeliveryFailed(f"17TRACK {path} answered HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError as exc:
            raise DeliveryFailed(f"17TRACK {path} answered malformed JSON") from exc
        if (
            not isinstance(payload, dict)
            or payload.get("code") != 0
            or not isinstance(payload.get("data"), dict)
        ):
            code = payload.get("code") if isinstance(payload, dict) else None
            raise DeliveryFailed(f"17TRACK {path} answered an error (code {code})")
        return payload["data"]


def _item(number: str, carrier: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"number": number}
    if carrier and carrier.strip().isdigit():  # a 17TRACK carrier code; a name is left to auto-detect
        item["carrier"] = int(carrier)
    return item


def _list(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(item: dict[str, Any]) -> str | None:
    number = item.get("number")
    return number if isinstance(number, str) and number else None


def _status(item: dict[str, Any]) -> TrackingStatus | None:
    """An accepted item's status, or None when it says nothing usable (17TRACK's shape, not ours)."""
    info = _dict(item.get("track_info"))
    number, status = _number(item), _dict(info.get("latest_status")).get("status")
    if not number or not isinstance(status, str) or not status:
        return None
    event = _dict(info.get("latest_event"))
    detail = str(event.get("description") or "")[:200]
    return TrackingStatus(number, status, detail, _time(event.get("time_utc")))


def _time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _retry_after(response: httpx.Response) -> float:
    """Retry-After in seconds, within [0, a day]; anything unreadable (a date, "nan") means one second."""
    try:
        seconds = float(response.headers.get("Retry-After", "1"))
    except ValueError:
        return 1.0
    return min(max(seconds, 0.0), _LONGEST_RETRY_AFTER) if math.isfinite(seconds) else 1.0
