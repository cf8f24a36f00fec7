"""HTTP(S) and file:// fetching: one client setup, bounded bodies, retries on 429/5xx."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from feedwarehouse import __version__

USER_AGENT = (
    f"feedwarehouse/{__version__} (+https://github.com/feedwarehouse/feedwarehouse; daily feed ELT)"
)
MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchPolicy:
    """How hard one fetch tries; defaults suit a daily job, tests shrink them."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    attempts: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_body_bytes: int = MAX_BODY_BYTES
    file_roots: tuple[Path, ...] = ()


@dataclass
class FetchResult:
    """What one feed fetch produced: a body, or an error a person can act on."""

    url: str
    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None


class BodyTooLarge(Exception):
    pass


def fetch_url(
    url: str,
    policy: FetchPolicy | None = None,
    *,
    request_headers: dict[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """Fetch one URL; never raises for network or HTTP failures, records them instead."""
    policy = policy or FetchPolicy()
    if url.startswith("file://"):
        return _read_file(url, policy)
    with http_client(policy) as client:
        return _fetch_http(client, url, policy, request_headers or {}, sleep)


def http_client(policy: FetchPolicy) -> httpx.Client:
    """The one HTTP client configuration used for every feed."""
    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    return httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        trust_env=False,
    )


def _fetch_http(
    client: httpx.Client,
    url: str,
    policy: FetchPolicy,
    request_headers: dict[str, str],
    sleep: Callable[[float], None],
) -> FetchResult:
    result = FetchResult(url=url)
    for attempt in range(1, policy.attempts + 1):
        result.attempts = attempt
        retry_after: float | None = None
        try:
            with client.stream("GET", url, headers=request_headers) as response:
                result.status = response.status_code
                result.headers = _kept_headers(response.headers)
                if response.status_code == 304:
                    result.error = None
                    return result
                if response.status_code in RETRY_STATUSES:
                    retry_after = _retry_after(response.headers.get("Retry-After"))
                    result.error = f"HTTP {response.status_code} from {url}"
                elif response.status_code >= 400:
                    result.error = (
                        f"HTTP {response.status_code} {response.reason_phrase} from {url}: "
                        "not retried (client error); check the feed URL"
                    )
                    return result
                else:
                    result.body = _read_capped(response, policy.max_body_bytes)
                    result.error = None
                    return result
        except BodyTooLarge:
            result.error = f"body of {url} exceeds the {policy.max_body_bytes}-byte cap"
            return result
        except httpx.TooManyRedirects:
            result.error = f"more than {MAX_REDIRECTS} redirects fetching {url}"
            return result
        except httpx.TimeoutException as exc:
            result.error = f"timed out fetching {url} ({type(exc).__name__})"
        except httpx.HTTPError as exc:
            result.error = f"{type(exc).__name__} fetching {url}: {exc}"
        if attempt < policy.attempts:
            sleep(_backoff(attempt, policy, retry_after))
    result.error = f"{result.error} (gave up after {result.attempts} attempts)"
    return result


def _read_capped(response: httpx.Response, cap: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _backoff(attempt: int, policy: FetchPolicy, retry_after: float | None) -> float:
    if retry_after is not None:
        return min(retry_after, policy.backoff_max)
    delay = min(policy.backoff_base * 2 ** (attempt - 1), policy.backoff_max)
    return delay * random.uniform(0.5, 1.0)  # jitter spreads retries across feeds


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _kept_headers(headers: httpx.Headers) -> dict[str, str]:
    wanted = ("etag", "last-modified", "content-type", "content-encoding", "content-length")
    return {name: headers[name] for name in wanted if name in headers}


def _read_file(url: str, policy: FetchPolicy) -> FetchResult:
    path = Path(unquote(urlparse(url).path)).resolve()
    result = FetchResult(url=url, attempts=1)
    if policy.file_roots and not any(path.is_relative_to(root) for root in policy.file_roots):
        result.error = (
            f"{url} is outside the allowed file roots {list(map(str, policy.file_roots))}"
        )
        return result
    try:
        size = path.stat().st_size
        if size > policy.max_body_bytes:
            result.error = f"{url} is {size} bytes, over the {policy.max_body_bytes}-byte cap"
            return result
        result.body = path.read_bytes()
    except OSError as exc:
        result.error = f"cannot read {url}: {exc.strerror or exc}"
        return result
    result.status = 200
    return result
