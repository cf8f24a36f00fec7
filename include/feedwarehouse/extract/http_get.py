"""One HTTP GET attempt: redirects followed by hand, every hop's host checked, the body capped."""

from __future__ import annotations

import ipaddress
import socket
import time
from urllib.parse import urljoin, urlparse

import httpx

from feedwarehouse.extract.fetch_policy import ALLOW_PRIVATE_ENV, FetchPolicy, HostLimiter
from feedwarehouse.extract.http_clients import HostClients, client_for

MAX_REDIRECTS = 5
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class BodyTooLarge(Exception):
    pass


class BodyTooSlow(Exception):
    """The body was still arriving when the attempt's time ran out."""


class Refused(Exception):
    """A fetch that must not happen (policy) or that retrying cannot fix."""


def get_following_redirects(
    clients: httpx.Client | HostClients,
    url: str,
    policy: FetchPolicy,
    request_headers: dict[str, str],
    limiter: HostLimiter,
) -> tuple[int, dict[str, str], bytes | None]:
    """One attempt: (status, kept headers, body if 2xx), following bounded redirects.

    With HostClients each hop goes out on its own host's client, inside that host's slot.
    """
    deadline = time.monotonic() + policy.attempt_timeout
    current = url
    hops = [url]
    for _hop in range(MAX_REDIRECTS + 1):
        _check_host(current, policy)
        with (
            limiter.slot(current),
            client_for(clients, current) as client,
            client.stream("GET", current, headers=request_headers) as r,
        ):
            location = r.headers.get("location")
            if r.status_code in REDIRECT_STATUSES and location:
                target = urljoin(current, location)
                if urlparse(target).netloc != urlparse(current).netloc:
                    # credentials are for the feed's host, never for where it redirects to
                    request_headers = _without_credentials(request_headers)
                current = target
                hops.append(current)
                if urlparse(current).scheme not in ("http", "https"):
                    raise Refused(f"{url} redirects to {current}: only http(s) is followed")
                continue
            headers = _kept_headers(r.headers)
            if not 200 <= r.status_code < 300:
                return r.status_code, headers, None
            try:
                return r.status_code, headers, _read_capped(r, policy.max_body_bytes, deadline)
            except BodyTooLarge:
                raise Refused(
                    f"body of {url} exceeds the {policy.max_body_bytes}-byte cap"
                ) from None
            except httpx.DecodingError as exc:
                encoding = r.headers.get("content-encoding", "none")
                raise Refused(
                    f"body of {url} could not be decoded (Content-Encoding {encoding}): {exc}; "
                    "the server sent a corrupt compressed body"
                ) from None
    raise Refused(f"more than {MAX_REDIRECTS} redirects fetching {url}: {_redirect_chain(hops)}")


def _redirect_chain(hops: list[str]) -> str:
    """The loop in a chain of redirects (its first repeated URL, there and back), else the chain."""
    for index, hop in enumerate(hops):
        if hop in hops[:index]:
            return "redirect loop " + " -> ".join(hops[hops.index(hop) : index + 1])
    return " -> ".join(hops)


def _without_credentials(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS}


def _check_host(url: str, policy: FetchPolicy) -> None:
    """Refuse loopback/private/link-local targets unless allowed (checked before each hop).

    The name is resolved here and again by the connection, so a DNS answer that changes in
    between is not caught; this guards against configuration mistakes and plain redirects.
    """
    if policy.allow_private:
        return
    host = urlparse(url).hostname or ""
    for address in _addresses(host):
        if not address.is_global:
            raise Refused(
                f"refused {url}: {host} resolves to non-public address {address}; "
                f"set {ALLOW_PRIVATE_ENV}=true or 'allow_private_hosts: true' in the feeds file "
                "to fetch private hosts"
            )


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address a host name resolves to; none if it does not resolve (connect reports it)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _read_capped(response: httpx.Response, cap: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge
        if time.monotonic() > deadline:
            raise BodyTooSlow
        chunks.append(chunk)
    return b"".join(chunks)


def _kept_headers(headers: httpx.Headers) -> dict[str, str]:
    wanted = (
        "etag",
        "last-modified",
        "content-type",
        "content-encoding",
        "content-length",
        "retry-after",
    )
    return {name: headers[name] for name in wanted if name in headers}
