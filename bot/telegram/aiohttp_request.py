"""python-telegram-bot's networking over aiohttp: a `telegram.request.BaseRequest`, PTB's own extension
point for another HTTP library.

PTB's default (`HTTPXRequest`) costs about 1 ms of CPU per Bot API call here, and more the more
connections its pool holds (httpcore checks each pooled connection on every request); aiohttp, which the
rest of shopbot speaks (the notifier, the HTTP server, aiogram), about 0.2 ms. Errors are PTB's:
`TimedOut` when Telegram does not answer in time, `NetworkError` when it cannot be reached.

Application.builder().request(AiohttpRequest()).get_updates_request(AiohttpRequest(pool=1))
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

_UNSET = type(BaseRequest.DEFAULT_NONE)  # PTB's "not given by the caller" values are of this class


class AiohttpRequest(BaseRequest):
    def __init__(self, *, pool: int = 64, read_timeout: float = 5.0, connect_timeout: float = 5.0) -> None:
        self._pool = pool
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, _UNSET) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, _UNSET) else connect_timeout
        timeout = aiohttp.ClientTimeout(sock_read=read, sock_connect=connect)
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _body(request_data: RequestData | None) -> Any:
    """Form fields as PTB prepares them (each value already JSON where needed), multipart with files."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
