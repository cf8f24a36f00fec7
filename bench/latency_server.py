"""A feed server on loopback addresses only that answers every feed request after a fixed delay.

Serves `<root>/<name>.xml` with an ETag and honours If-None-Match with 304, like WordPress
behind a cache. `/_stats` (no delay) reports statuses served and the peak of requests in flight;
`/_reset` zeroes them. Run it in its own process so it never competes with the client for the
GIL: `python -m bench.latency_server --root DIR --hosts 100 --latency 0.1` prints
`{"port": N, "hosts": [...]}` once it listens on 127.0.0.1 .. 127.0.0.<hosts>.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
from collections import Counter
from pathlib import Path

LAST_MODIFIED = "Mon, 23 Nov 2026 12:30:00 GMT"


class FeedServer:
    def __init__(self, root: Path, latency: float) -> None:
        self.latency = latency
        self.bodies = {f"/{p.name}": p.read_bytes() for p in sorted(root.glob("*.xml"))}
        self.etags = {k: f'"{hashlib.sha256(v).hexdigest()[:20]}"' for k, v in self.bodies.items()}
        self.statuses: Counter[int] = Counter()
        self.in_flight = 0
        self.peak_in_flight = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    break
                request_line, *lines = head.decode("latin-1").split("\r\n")
                method, path = [*request_line.split(" "), "", ""][:2]
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines if line)
                }
                status, extra, body = await self.respond(method, path, headers)
                keep_alive = headers.get("connection", "").lower() != "close"
                response = [f"HTTP/1.1 {status} {_REASONS[status]}", *extra]
                response.append(f"Content-Length: {len(body)}")
                response.append("Connection: keep-alive" if keep_alive else "Connection: close")
                writer.write(("\r\n".join(response) + "\r\n\r\n").encode("latin-1") + body)
                await writer.drain()
                if not keep_alive:
                    break
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def respond(
        self, method: str, path: str, headers: dict[str, str]
    ) -> tuple[int, list[str], bytes]:
        if path == "/_stats":
            stats = {"statuses": dict(self.statuses), "peak_in_flight": self.peak_in_flight}
            return 200, ["Content-Type: application/json"], json.dumps(stats).encode()
        if path == "/_reset":
            self.statuses.clear()
            self.peak_in_flight = 0
            return 200, [], b"reset"
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
        finally:
            self.in_flight -= 1
        path = path.split("?", 1)[0]
        if method != "GET":
            status, extra, body = 405, [], b""
        elif path not in self.bodies:
            status, extra, body = 404, [], b"not found"
        else:
            validators = [f"ETag: {self.etags[path]}", f"Last-Modified: {LAST_MODIFIED}"]
            if headers.get("if-none-match") == self.etags[path]:
                status, extra, body = 304, validators, b""
            else:
                content_type = "Content-Type: application/rss+xml; charset=UTF-8"
                status, extra, body = 200, [*validators, content_type], self.bodies[path]
        self.statuses[status] += 1
        return status, extra, body


_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found", 405: "Method Not Allowed"}


def loopback_hosts(count: int) -> list[str]:
    """`count` distinct loopback addresses: 127.0.0.1, 127.0.0.2, … (Linux routes all of 127/8)."""
    return [f"127.0.{index // 254}.{index % 254 + 1}" for index in range(count)]


async def serve(root: Path, hosts: int, latency: float) -> None:
    server = FeedServer(root, latency)
    addresses = loopback_hosts(hosts)
    first = await asyncio.start_server(server.handle, addresses[0], 0, backlog=1024)
    port = first.sockets[0].getsockname()[1]
    others = [
        await asyncio.start_server(server.handle, address, port, backlog=1024)
        for address in addresses[1:]
    ]
    print(json.dumps({"port": port, "hosts": addresses}), flush=True)
    async with first:
        await asyncio.gather(first.serve_forever(), *(o.serve_forever() for o in others))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, required=True, help="folder of <name>.xml feeds")
    parser.add_argument("--hosts", type=int, default=1, help="loopback addresses to listen on")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds before each answer")
    args = parser.parse_args()
    asyncio.run(serve(args.root, args.hosts, args.latency))


if __name__ == "__main__":
    main()
