"""A TCP proxy that holds every chunk for a fixed time each way: a database on another host, for the load
benchmark (`bench/load.py --db-latency-ms`), where loopback answers in microseconds.

    python bench/latency_proxy.py --to 127.0.0.1:5432 --delay-ms 0.25      # prints the port it listens on

Each chunk read from one side is written to the other `delay` later, in order (the event loop runs
timers of equal delay in the order they were set); a round trip then takes at least twice the delay. The
event loop wakes its timers at millisecond granularity, so a delay under 1 ms holds a chunk about 1 ms:
with `--delay-ms 0.5`, `SELECT 1` took 2.4 ms a round trip through the proxy, 0.12 ms straight.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    loop = asyncio.get_running_loop()
    try:
        while chunk := await reader.read(65536):
            loop.call_later(delay, writer.write, chunk)
    finally:
        await asyncio.sleep(delay)  # what is still held goes first
        with contextlib.suppress(OSError):
            writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--to", required=True, help="host:port of the server")
    parser.add_argument("--delay-ms", type=float, required=True, help="held each way, in milliseconds")
    options = parser.parse_args()
    host, _, port = options.to.rpartition(":")
    delay = options.delay_ms / 1000

    async def serve(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(host, int(port))
        await asyncio.gather(
            _pump(client_reader, server_writer, delay),
            _pump(server_reader, client_writer, delay),
            return_exceptions=True,
        )

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
