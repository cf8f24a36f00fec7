"""One URL's fetch, http(s) or file://: retries and the outcome."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx
from tenacity import Retrying, retry_if_result, stop_after_attempt

from feedwarehouse.extract.fetch_policy import FILE_ROOTS_ENV, FetchPolicy, HostLimiter
from feedwarehouse.extract.http_clients import HostClients, http_client
from feedwarehouse.extract.http_get import BodyTooSlow, Refused, get_following_redirects

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class FetchResult:
    """What one feed fetch produced: a body, or an error a person can act on."""

    url: str
    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    attempts: int = 0
    is_transient: bool = False  # the error may pass (timeouts, 5xx, 429): worth a later retry

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None


def fetch_url(
    url: str,
    policy: FetchPolicy | None = None,
    *,
    request_headers: dict[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    client: httpx.Client | HostClients | None = None,
    limiter: HostLimiter | None = None,
) -> FetchResult:
    """Fetch one URL; never raises for network or HTTP failures, records them instead.

    Pass `client` (one httpx.Client, or HostClients: a client per host) and `limiter` to share
    connections and per-host limits across many feeds.
    """
    policy = policy or FetchPolicy()
    scheme = urlparse(url).scheme
    if scheme == "file":
        return _read_file(url, policy)
    if scheme not in ("http", "https"):
        return FetchResult(url=url, error=f"{url}: only http, https and file URLs are fetched")
    limiter = limiter or HostLimiter(policy.per_host)
    if client is not None:
        return _fetch_http(client, url, policy, request_headers or {}, sleep, limiter)
    with http_client(policy) as own_client:
        return _fetch_http(own_client, url, policy, request_headers or {}, sleep, limiter)


def _fetch_http(
    client: httpx.Client | HostClients,
    url: str,
    policy: FetchPolicy,
    request_headers: dict[str, str],
    sleep: Callable[[float], None],
    limiter: HostLimiter,
) -> FetchResult:
    """Attempts until one is final (a body, 304, a client error, a refusal) or none are left."""
    result = FetchResult(url=url)
    retry_after: list[float | None] = [None]  # the last attempt's Retry-After, for the wait

    def attempt() -> bool:
        result.attempts += 1
        is_final, retry_after[0] = _attempt(client, url, policy, request_headers, limiter, result)
        return is_final

    is_final = Retrying(
        stop=stop_after_attempt(policy.attempts),
        wait=lambda state: _backoff(state.attempt_number, policy, retry_after[0]),
        retry=retry_if_result(lambda final: not final),
        retry_error_callback=lambda _state: False,
        sleep=sleep,
    )(attempt)
    if not is_final:
        result.error = f"{result.error} (gave up after {result.attempts} attempts)"
        result.is_transient = True
    return result


def _attempt(
    client: httpx.Client | HostClients,
    url: str,
    policy: FetchPolicy,
    request_headers: dict[str, str],
    limiter: HostLimiter,
    result: FetchResult,
) -> tuple[bool, float | None]:
    """One attempt recorded on `result`: (whether it is final, the Retry-After it asked for)."""
    try:
        response = get_following_redirects(client, url, policy, request_headers, limiter)
    except Refused as exc:
        result.error = str(exc)
        return True, None
    except httpx.TimeoutException as exc:
        result.error = f"timed out fetching {url} ({type(exc).__name__})"
        return False, None
    except BodyTooSlow:
        result.error = (
            f"timed out fetching {url} (body still arriving after the "
            f"{policy.attempt_timeout:g} s attempt_timeout)"
        )
        return False, None
    except httpx.HTTPError as exc:
        result.error = f"{type(exc).__name__} fetching {url}: {exc}"
        return False, None
    status, headers, body = response
    result.status, result.headers = status, headers
    if status == 304:
        result.error = None
        return True, None
    if status in RETRY_STATUSES:
        result.error = f"HTTP {status} from {url}"
        return False, _retry_after(headers.get("retry-after"))
    if status >= 400:
        result.error = (
            f"HTTP {status} {httpx.codes.get_reason_phrase(status)} from {url}: "
            "not retried (client error); check the feed URL"
        )
        return True, None
    result.body, result.error = body, None
    return True, None


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


def _read_file(url: str, policy: FetchPolicy) -> FetchResult:
    path = Path(unquote(urlparse(url).path)).resolve()
    result = FetchResult(url=url, attempts=1)
    if not any(path.is_relative_to(root) for root in policy.file_roots):
        result.error = (
            f"{url} is outside the allowed file roots {list(map(str, policy.file_roots))}; "
            f"put the file under one of them or add its directory to ${FILE_ROOTS_ENV}"
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
