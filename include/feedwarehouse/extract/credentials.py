"""A private feed's credentials: from an Airflow Connection, never from the feeds file or a URL.

Inside an Airflow task, `airflow_connection_headers` reads the feed's `conn_id` through the
Task SDK (`Connection.get`): the metadata DB, the environment or any secrets backend, as the
deployment configures. Outside Airflow (`feedwarehouse run`) `connection_headers` reads the same
Connection the way Airflow's environment backend does, from `AIRFLOW_CONN_<CONN_ID>`: JSON
(`{"login": …, "password": …, "extra": {"headers": {…}}}`) or a URI
(`http://login:password@host`). Values are only turned into request headers; nothing here logs
or stores them.
"""

from __future__ import annotations

import base64
import json
import os
from urllib.parse import unquote, urlsplit


def auth_headers(
    login: str | None, password: str | None, extra_headers: dict[str, str] | None = None
) -> dict[str, str]:
    """Request headers for a private feed: Basic with login+password, Bearer with a token alone."""
    headers = dict(extra_headers or {})
    if login and password:
        token = base64.b64encode(f"{login}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    elif password:
        headers["Authorization"] = f"Bearer {password}"
    return headers


class MissingCredentials(LookupError):
    """The feed names a Connection that is not defined where this process can read it."""


def env_name(conn_id: str) -> str:
    """Airflow's own rule (so a conn_id with '-' cannot come from the environment: use '_')."""
    return f"AIRFLOW_CONN_{conn_id.upper()}"


def connection_headers(conn_id: str) -> dict[str, str]:
    """Request headers for Connection `conn_id` from the environment; raise if it is unset."""
    name = env_name(conn_id)
    value = os.environ.get(name, "").strip()
    if not value:
        raise MissingCredentials(
            f"Connection {conn_id!r} is not set: define it in Airflow (Admin > Connections) "
            f"or as ${name} (JSON with login/password, or a URI)"
        )
    if value.startswith("{"):
        try:
            conn = json.loads(value)
        except json.JSONDecodeError as exc:
            # the position only: the text holds the secret
            raise MissingCredentials(
                f"${name} is not valid JSON (line {exc.lineno}, column {exc.colno})"
            ) from None
        extra = conn.get("extra") or {}
        if isinstance(extra, str):
            extra = json.loads(extra or "{}")
        return auth_headers(conn.get("login"), conn.get("password"), extra.get("headers"))
    parts = urlsplit(value)
    return auth_headers(
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


def airflow_connection_headers(conn_id: str) -> dict[str, str]:
    """Request headers for Connection `conn_id` through Airflow's Task SDK (in a task only)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(conn_id)
    except AirflowNotFoundException:
        raise MissingCredentials(
            f"Connection {conn_id!r} is not defined in Airflow: add it in Admin > Connections, "
            "with `airflow connections add`, or in the configured secrets backend"
        ) from None
    return auth_headers(conn.login, conn.password, conn.extra_dejson.get("headers"))
