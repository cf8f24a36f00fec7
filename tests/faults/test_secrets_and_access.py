"""Secrets and access: credentials only from Connections or the environment, never shown or
stored; no default password in the compose stack; the BI file is read-only for its readers.

The Airflow side (Connections made with `airflow connections add`, read through the Task SDK,
the password grepped for in every task log, landing file and table after `airflow dags test`)
is tests/dags/test_failing_feed.py.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from cryptography.fernet import Fernet
from helpers.faultkit import Ledger
from helpers.faultruns import Undisturbed
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedwarehouse.config import ConfigError, Feed, data_paths, load_feeds
from feedwarehouse.extract.credentials import MissingCredentials, connection_headers
from feedwarehouse.extract.feeds import extract_all
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse.extract.land import read_manifest
from feedwarehouse_dev.deploy import write_env

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-4d2b8e-secret"  # noqa: S105 - a throwaway test secret
DAY = date(2026, 11, 24)
FEED = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Private</title>'
    "<link>https://private.example.com/</link><item><guid>p1</guid><title>Members only</title>"
    "</item></channel></rss>"
)
NOBODY = 65534


def test_credentials_in_a_feed_url_are_refused(tmp_path: Path, fault_ledger: Ledger) -> None:
    feeds = tmp_path / "feeds.yml"
    feeds.write_text(
        f"feeds:\n- id: members\n  url: https://reader:{PASSWORD}@blog.example.com/feed/\n"
    )
    with pytest.raises(ConfigError) as refused:
        load_feeds(feeds)
    assert str(refused.value) == (
        f"feeds file {feeds}, feeds[0] (members): 'url' carries credentials "
        "(user:password@host), which would be stored with every fetch and shown in logs; put "
        "them in an Airflow Connection and name it with 'conn_id'"
    )
    fault_ledger.record("secrets: a password written into a feed URL")


def test_a_connection_is_read_from_the_environment_the_airflow_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = base64.b64encode(f"reader:{PASSWORD}".encode()).decode()
    monkeypatch.setenv(
        "AIRFLOW_CONN_MEMBERS",
        f'{{"conn_type": "http", "login": "reader", "password": "{PASSWORD}", '
        '"extra": {"headers": {"X-Plan": "gold"}}}',
    )
    assert connection_headers("members") == {"X-Plan": "gold", "Authorization": f"Basic {token}"}
    monkeypatch.setenv("AIRFLOW_CONN_MEMBERS", f"http://reader:{PASSWORD.replace('-', '%2D')}@x")
    assert connection_headers("members") == {"Authorization": f"Basic {token}"}
    unclosed = f'{{"password": "{PASSWORD}"'
    monkeypatch.setenv("AIRFLOW_CONN_MEMBERS", unclosed)
    with pytest.raises(MissingCredentials) as bad:
        connection_headers("members")
    # where, never what: the text holds the password
    end = len(unclosed) + 1
    assert str(bad.value) == f"$AIRFLOW_CONN_MEMBERS is not valid JSON (line 1, column {end})"


def test_a_feed_without_its_connection_or_with_a_wrong_one_fails_alone(
    tmp_path: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fault_ledger: Ledger,
) -> None:
    def members_only(request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {PASSWORD}":
            return Response("login required", status=401)
        return Response(FEED, content_type="application/rss+xml")

    httpserver.expect_request("/members").respond_with_handler(members_only)
    httpserver.expect_request("/public").respond_with_data(FEED)
    feeds = [
        Feed("unset", httpserver.url_for("/members"), conn_id="unset_conn"),
        Feed("wrong", httpserver.url_for("/members"), conn_id="wrong_conn"),
        Feed("right", httpserver.url_for("/members"), conn_id="right_conn"),
        Feed("public", httpserver.url_for("/public")),
    ]
    monkeypatch.setenv("AIRFLOW_CONN_WRONG_CONN", '{"password": "not-it"}')
    monkeypatch.setenv("AIRFLOW_CONN_RIGHT_CONN", f'{{"password": "{PASSWORD}"}}')
    paths = data_paths(tmp_path / "data")
    caplog.set_level("DEBUG")
    manifests = extract_all(feeds, DAY, paths, FetchPolicy(allow_private=True, attempts=1))

    errors = {path.stem: read_manifest(path).error for path in manifests}
    assert errors == {
        "unset": "feed unset: Connection 'unset_conn' is not set: define it in Airflow (Admin > "
        "Connections) or as $AIRFLOW_CONN_UNSET_CONN (JSON with login/password, or a URI)",
        "wrong": f"HTTP 401 Unauthorized from {feeds[1].url}: not retried (client error); "
        "check the feed URL",
        "right": None,
        "public": None,
    }
    landing = [p.read_bytes() for p in paths.landing_dir.rglob("*") if p.is_file()]
    assert not [text for text in landing if PASSWORD.encode() in text]
    assert PASSWORD not in caplog.text
    fault_ledger.record("secrets: a missing or wrong Connection")


def test_the_compose_stack_has_no_default_password(tmp_path: Path, fault_ledger: Ledger) -> None:
    example = ROOT / ".env.example"
    first, second = tmp_path / "first.env", tmp_path / "second.env"
    filled = write_env(example, first)
    write_env(example, second)
    assert filled == [
        "POSTGRES_PASSWORD",
        "AIRFLOW_FERNET_KEY",
        "AIRFLOW_API_SECRET_KEY",
        "AIRFLOW_JWT_SECRET",
        "LAKE_PASSWORD",
        "BI_READER_PASSWORD",
    ]
    values = [_env(path) for path in (first, second)]
    for name in filled:
        assert _env(example)[name] == ""  # nothing to copy: compose refuses an empty one
        assert values[0][name] != values[1][name]  # generated per machine
        assert len(values[0][name]) >= 43  # 256 bits, URL-safe base64
    Fernet(values[0]["AIRFLOW_FERNET_KEY"].encode())  # a usable Fernet key
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError, match="is kept"):
        write_env(example, first)
    fault_ledger.record("secrets: the compose stack started from .env.example")


def _env(path: Path) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in path.read_text().splitlines() if "=" in line]
    return {key: value for key, value in pairs if not key.startswith("#")}


@pytest.fixture
def readers_dir() -> Iterator[Path]:
    """A folder every account can reach (pytest's tmp folders are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="feedwarehouse-bi-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_the_bi_file_is_read_only_for_its_readers(
    undisturbed: Undisturbed, readers_dir: Path, fault_ledger: Ledger
) -> None:
    published = undisturbed.paths.published
    assert stat.S_IMODE(published.stat().st_mode) == 0o444
    # a reader's account (root ignores file modes, so a child process drops to nobody)
    target = str(shutil.copy2(published, readers_dir / published.name))
    assert _as_reader(target, read_only=False) == (
        f'IOException: IO Error: Cannot open file "{target}": Permission denied'
    )
    posts = sum(undisturbed.bi_day2["marts.posts"].values())
    assert _as_reader(target, read_only=True) == f"read {posts} posts"
    fault_ledger.record("access: a BI reader opening the published file for writing")


def _as_reader(path: str, *, read_only: bool) -> str:
    """Open the file as a non-root user in a forked child; what happened, as one line."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        outcome = "child failed"
        try:
            signal.alarm(60)  # forked from a threaded process: never hang the suite
            os.close(read)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            conn = duckdb.connect(path, read_only=read_only)
            outcome = f"read {conn.execute('select count(*) from marts.posts').fetchone()[0]} posts"
        except Exception as exc:
            outcome = f"{type(exc).__name__}: {exc}"
        finally:
            os.write(write, outcome.encode())
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        outcome = pipe.read()
    os.waitpid(pid, 0)
    return outcome
