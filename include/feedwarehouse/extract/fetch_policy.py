"""How hard and how wide fetches go: the fetch policy, its environment settings, host limits.

A deployment sets $FEEDWAREHOUSE_ALLOW_PRIVATE_HOSTS and $FEEDWAREHOUSE_FILE_ROOTS; a feeds file
may allow private hosts for its feeds (extract applies that per feed).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from feedwarehouse.settings import env_name, settings

MAX_BODY_BYTES = 20 * 1024 * 1024
ALLOW_PRIVATE_ENV = env_name("allow_private_hosts")
FILE_ROOTS_ENV = env_name("file_roots")


@dataclass(frozen=True)
class FetchPolicy:
    """How hard one fetch tries and what it may reach; defaults suit a daily job."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # one attempt, request to last body byte: a server trickling bytes never trips read_timeout
    attempt_timeout: float = 300.0
    attempts: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_body_bytes: int = MAX_BODY_BYTES
    # file:// URLs are read only under these directories; none means no file URL is read
    file_roots: tuple[Path, ...] = ()
    # loopback, private, link-local and reserved addresses are refused unless this is set
    allow_private: bool = False
    # the most requests in flight at once; the pool is sized to what per_host lets the feeds'
    # hosts take (pool_size), so threads never sit blocked on one busy host
    max_workers: int = 64
    per_host: int = 2
    # hosts whose connections extract_all keeps open between feeds (up to per_host each); past
    # this the least recently used idle host's are closed, so sockets stay bounded
    max_open_hosts: int = 128
    max_archive_pages: int = 10


def default_policy() -> FetchPolicy:
    """The policy of a deployment: $FEEDWAREHOUSE_ALLOW_PRIVATE_HOSTS, $FEEDWAREHOUSE_FILE_ROOTS."""
    deployment = settings()
    return FetchPolicy(
        allow_private=deployment.allow_private_hosts, file_roots=deployment.file_roots
    )


class HostLimiter:
    """At most `per_host` requests in flight to one host, across every worker thread."""

    def __init__(self, per_host: int) -> None:
        self._per_host = max(1, per_host)
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        host = (urlparse(url).hostname or "").lower()
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.BoundedSemaphore(self._per_host))
        with semaphore:
            yield


def pool_size(urls: list[str], policy: FetchPolicy) -> int:
    """Workers worth starting for these URLs: per_host for each host, capped by max_workers."""
    hosts = {(urlparse(url).hostname or "").lower() for url in urls}
    return max(1, min(policy.max_workers, policy.per_host * len(hosts), len(urls)))
