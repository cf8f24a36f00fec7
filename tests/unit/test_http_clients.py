"""A small pooled client per host: made once per host, bounded, closed, used hop by hop."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import Any

import httpx
import pytest
from helpers.in_flight import six_at_once
from helpers.landing_feed import DAY, FAST, RSS
from pytest_httpserver import HTTPServer

from feedwarehouse.config import Feed, Paths
from feedwarehouse.extract import http_clients, http_get
from feedwarehouse.extract.feeds import extract_all
from feedwarehouse.extract.fetch import fetch_url
from feedwarehouse.extract.fetch_policy import FetchPolicy, HostLimiter
from feedwarehouse.extract.http_clients import HostClients
from feedwarehouse.extract.land import read_manifest


def test_a_client_per_host_name_made_once_and_all_closed() -> None:
    clients = HostClients(FAST)
    with clients.client("http://a.example/one") as first:
        pass
    with clients.client("https://A.example:8443/two") as again:
        pass
    with clients.client("http://b.example/") as other:
        pass
    assert again is first  # by host name, as HostLimiter counts a host
    assert other is not first
    assert clients.hosts() == ["a.example", "b.example"]
    assert (first.is_closed, other.is_closed) == (False, False)
    clients.close()
    assert (first.is_closed, other.is_closed) == (True, True)
    assert clients.hosts() == []
    with pytest.raises(RuntimeError, match=r"^these host clients are closed$"):
        clients.client("http://a.example/").__enter__()


def test_idle_clients_past_max_open_hosts_close_least_recently_used_first() -> None:
    with HostClients(replace(FAST, max_open_hosts=2)) as clients:
        with clients.client("http://a.example/") as a:
            pass
        with clients.client("http://b.example/") as b:
            pass
        with clients.client("http://a.example/"):
            pass
        with clients.client("http://c.example/") as c:
            pass
        assert clients.hosts() == ["a.example", "c.example"]
        assert (a.is_closed, b.is_closed, c.is_closed) == (False, True, False)


def test_a_client_in_use_is_never_closed_under_its_request() -> None:
    with (
        HostClients(replace(FAST, max_open_hosts=1)) as clients,
        clients.client("http://a.example/") as a,
    ):
        with clients.client("http://b.example/") as b:
            pass
        assert clients.hosts() == ["a.example"]
        assert (a.is_closed, b.is_closed) == (False, True)


def test_each_hosts_connections_are_bounded_by_per_host() -> None:
    limiter = HostLimiter(6)  # lets six through: only the host's client bounds them here
    with HostClients(FAST) as clients:
        results, peak = six_at_once(
            lambda url: fetch_url(url, FAST, client=clients, limiter=limiter), RSS
        )
    assert [r.body for r in results] == [RSS] * 6
    assert peak == 2  # per_host: the host's client holds two connections at most


def test_extract_all_makes_a_client_per_host_and_closes_them(
    httpserver: HTTPServer, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[tuple[httpx.Client, dict[str, Any]]] = []
    real = http_clients.http_client

    def recorded(policy: FetchPolicy, **options: Any) -> httpx.Client:
        client = real(policy, **options)
        made.append((client, options))
        return client

    monkeypatch.setattr(http_clients, "http_client", recorded)
    httpserver.expect_request("/a").respond_with_data(RSS)
    httpserver.expect_request("/b").respond_with_data(RSS)
    httpserver.expect_request("/c").respond_with_data(RSS)
    port = httpserver.port
    feeds = [
        Feed("a", f"http://127.0.0.1:{port}/a"),
        Feed("b", f"http://localhost:{port}/b"),
        Feed("c", f"http://127.0.0.1:{port}/c"),
    ]
    manifests = extract_all(feeds, DAY, paths, FAST)
    assert [read_manifest(m).ok for m in manifests] == [True, True, True]
    assert len(made) == 2
    assert [options["max_connections"] for _, options in made] == [2, 2]
    assert [client.is_closed for client, _ in made] == [True, True]
    hosts = sorted(request.headers["Host"] for request, _ in httpserver.log)
    assert hosts == [f"127.0.0.1:{port}", f"127.0.0.1:{port}", f"localhost:{port}"]


def test_a_cross_host_redirect_uses_the_targets_client_without_credentials(
    httpserver: HTTPServer,
) -> None:
    port = httpserver.port
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": f"http://localhost:{port}/feed"}
    )
    httpserver.expect_request("/feed").respond_with_data(RSS)
    headers = {"Authorization": "Bearer tok", "X-Trace": "1"}
    with HostClients(FAST) as clients:
        url = f"http://127.0.0.1:{port}/start"
        result = fetch_url(url, FAST, request_headers=headers, client=clients)
        hosts = clients.hosts()
    assert (result.ok, result.body) == (True, RSS)
    assert hosts == ["127.0.0.1", "localhost"]
    (first, _), (second, _) = httpserver.log
    assert (first.path, first.headers.get("Authorization")) == ("/start", "Bearer tok")
    assert (second.path, second.headers.get("Authorization")) == ("/feed", None)
    assert second.headers.get("X-Trace") == "1"


def test_a_cross_host_redirect_to_a_private_host_is_still_refused(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = http_get._addresses

    def public_ip_literal(host: str) -> list[object]:
        # only the guard is fooled: the literal 127.0.0.1 passes as public, "localhost" does not
        return [ipaddress.ip_address("93.184.215.14")] if host == "127.0.0.1" else real(host)

    monkeypatch.setattr(http_get, "_addresses", public_ip_literal)
    port = httpserver.port
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": f"http://localhost:{port}/internal"}
    )
    policy = FetchPolicy(attempts=1)
    with HostClients(policy) as clients:
        result = fetch_url(f"http://127.0.0.1:{port}/start", policy, client=clients)
        hosts = clients.hosts()
    assert result.error is not None
    assert result.error.startswith(
        f"refused http://localhost:{port}/internal: localhost resolves to non-public address "
    )
    assert hosts == ["127.0.0.1"]  # the refused host never got a client
    assert [request.path for request, _ in httpserver.log] == ["/start"]
