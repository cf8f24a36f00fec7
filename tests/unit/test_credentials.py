"""Tests for feedwarehouse.extract.credentials: a Connection's login/password as request headers."""

from __future__ import annotations

from feedwarehouse.extract.credentials import auth_headers


def test_auth_headers_basic_bearer_and_extra() -> None:
    assert auth_headers("reader", "s3cret") == {"Authorization": "Basic cmVhZGVyOnMzY3JldA=="}
    assert auth_headers(None, "tok") == {"Authorization": "Bearer tok"}
    assert auth_headers(None, None, {"X-Api-Key": "k"}) == {"X-Api-Key": "k"}
