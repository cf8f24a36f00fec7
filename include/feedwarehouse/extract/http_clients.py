"""The HTTP client every fetch uses, and a small pooled client per host for many feeds at once.

httpcore's pool does work in the number of its connections for every request it hands out
(encode/httpcore#1035): one client holding 64 connections to 100 hosts spent most of a fetch
run's CPU choosing a connection. A client per host holds at most `per_host` connections, so
that choice is over two, and the host's limiter slot means its pool never has to wait.
"""

from __future__ import annotations

import ssl
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from urllib.parse import urlparse

import httpx

from feedwarehouse import __version__
from feedwarehouse.extract.fetch_policy import FetchPolicy

USER_AGENT = (
    f"feedwarehouse/{__version__} (+https://github.com/feedwarehouse/feedwarehouse; daily feed ELT)"
)


def http_client(
    policy: FetchPolicy,
    *,
    max_connections: int | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> httpx.Client:
    """The one HTTP client configuration used for every feed (thread-safe, pooled).

    It keeps up to `max_connections` (default policy.max_workers) connections, so a worker's
    connection is there for its next feed on the same host. `ssl_context` shares one loaded CA
    bundle between clients (loading it costs ~30 ms of CPU per client).
    """
    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    connections = max(1, policy.max_workers if max_connections is None else max_connections)
    return httpx.Client(
        timeout=timeout,
        follow_redirects=False,  # followed by hand: every hop's host is checked
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        trust_env=False,
        verify=ssl_context or httpx.create_ssl_context(trust_env=False),
    )


@dataclass
class _Held:
    client: httpx.Client
    users: int = 0  # requests using it now: it is never closed under them


class HostClients:
    """One http_client per host (by name, as HostLimiter counts), made on first use, shared by
    threads; each keeps at most policy.per_host connections. Past policy.max_open_hosts clients
    the least recently used idle ones are closed (their sockets with them); leaving `with`
    closes every one.
    """

    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy
        self._ssl_context = httpx.create_ssl_context(trust_env=False)
        self._lock = threading.Lock()
        self._held: OrderedDict[str, _Held] = OrderedDict()  # least recently used first
        self._closed = False

    @contextmanager
    def client(self, url: str) -> Iterator[httpx.Client]:
        """The client for the URL's host, held for one request."""
        host = (urlparse(url).hostname or "").lower()
        with self._lock:
            if self._closed:
                raise RuntimeError("these host clients are closed")
            held = self._held.get(host)
            if held is None:
                client = http_client(
                    self._policy,
                    max_connections=self._policy.per_host,
                    ssl_context=self._ssl_context,
                )
                held = self._held[host] = _Held(client)
            self._held.move_to_end(host)
            held.users += 1
        try:
            yield held.client
        finally:
            with self._lock:
                held.users -= 1
                idle = self._past_the_cap()
            for client in idle:
                client.close()

    def hosts(self) -> list[str]:
        """The hosts whose clients are open, least recently used first."""
        with self._lock:
            return list(self._held)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            clients = [held.client for held in self._held.values()]
            self._held.clear()
        for client in clients:
            client.close()

    def __enter__(self) -> HostClients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _past_the_cap(self) -> list[httpx.Client]:
        """Idle clients over max_open_hosts, least recently used first, taken out (lock held)."""
        excess = len(self._held) - max(1, self._policy.max_open_hosts)
        idle = [host for host, held in self._held.items() if held.users == 0][: max(0, excess)]
        return [self._held.pop(host).client for host in idle]


def client_for(
    clients: httpx.Client | HostClients, url: str
) -> AbstractContextManager[httpx.Client]:
    """The client to send a request for `url` with: a single client serves every host."""
    if isinstance(clients, HostClients):
        return clients.client(url)
    return nullcontext(clients)
