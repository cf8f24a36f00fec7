"""Tests for feedwarehouse.config: the feeds file and the data directory layout."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from feedwarehouse.cli import main
from feedwarehouse.config import (
    DATA_DIR_ENV,
    DEFAULT_FEEDS_FILE,
    FEEDS_ENV,
    ConfigError,
    Feed,
    Paths,
    archive_url_for,
    data_paths,
    feeds_file,
    load_feeds,
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_feeds_happy_path(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "feeds:\n"
        "  - id: bloggeek\n"
        "    url: https://bloggeek.me/feed/\n"
        "    archive_url: https://bloggeek.me/{Y}/{m}/{d}/feed/\n"
        "  - id: local_blog-2\n"
        "    url: file:///srv/feeds/local.xml\n"
        "  - id: plain\n"
        "    url: http://example.org/rss\n",
    )
    root = str(tmp_path.resolve())
    assert load_feeds(path) == [
        Feed(
            "bloggeek",
            "https://bloggeek.me/feed/",
            "https://bloggeek.me/{Y}/{m}/{d}/feed/",
            file_root=root,
        ),
        Feed("local_blog-2", "file:///srv/feeds/local.xml", None, file_root=root),
        Feed("plain", "http://example.org/rss", None, file_root=root),
    ]


def test_load_feeds_accepts_str_path(tmp_path: Path) -> None:
    path = _write(tmp_path, "feeds:\n  - {id: a, url: 'https://a.example/feed'}\n")
    assert load_feeds(str(path)) == [
        Feed("a", "https://a.example/feed", file_root=str(tmp_path.resolve()))
    ]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yml"
    with pytest.raises(ConfigError, match=f"^feeds file {re.escape(str(path))} does not exist$"):
        load_feeds(path)


def test_bad_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path, "feeds: [\n  - id: a\n")
    with pytest.raises(
        ConfigError, match=f"^feeds file {re.escape(str(path))} is not valid YAML: "
    ):
        load_feeds(path)


@pytest.mark.parametrize(
    "text",
    ["", "- id: a\n  url: https://a.example/\n", "feeds:\n", "feeds: {id: a}\n", "other: []\n"],
    ids=["empty-file", "top-level-list", "feeds-null", "feeds-mapping", "no-feeds-key"],
)
def test_no_feeds_list(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    message = f"^feeds file {re.escape(str(path))}: expected a top-level 'feeds:' list$"
    with pytest.raises(ConfigError, match=message):
        load_feeds(path)


def test_empty_feeds_list(tmp_path: Path) -> None:
    path = _write(tmp_path, "feeds: []\n")
    with pytest.raises(ConfigError, match=f"^feeds file {re.escape(str(path))}: the 'feeds' list"):
        load_feeds(path)


def test_entry_not_a_mapping(tmp_path: Path) -> None:
    path = _write(tmp_path, "feeds:\n  - https://a.example/feed\n")
    message = (
        f"^feeds file {re.escape(str(path))}, feeds\\[0\\]: expected a mapping with 'id' and "
        "'url', got 'https://a.example/feed'$"
    )
    with pytest.raises(ConfigError, match=message):
        load_feeds(path)


@pytest.mark.parametrize(
    ("bad_id", "shown"),
    [("Bad Id", "'Bad Id'"), ("-dash", "'-dash'"), ("x" * 65, repr("x" * 65)), ("a.b", "'a.b'")],
)
def test_bad_id(tmp_path: Path, bad_id: str, shown: str) -> None:
    path = _write(
        tmp_path,
        f"feeds:\n  - id: ok\n    url: https://a.example/\n"
        f"  - id: '{bad_id}'\n    url: https://b.example/\n",
    )
    message = (
        f"^feeds file {re.escape(str(path))}, feeds\\[1\\]: 'id' must be lowercase letters, "
        f"digits, '-' or '_', got {re.escape(shown)}$"
    )
    with pytest.raises(ConfigError, match=message):
        load_feeds(path)


def test_missing_id(tmp_path: Path) -> None:
    path = _write(tmp_path, "feeds:\n  - url: https://a.example/\n")
    with pytest.raises(ConfigError, match=r"feeds\[0\]: 'id' must be .*, got None$"):
        load_feeds(path)


def test_numeric_id_is_rejected(tmp_path: Path) -> None:
    # YAML turns a bare 7 into an int: still an error, not a crash.
    path = _write(tmp_path, "feeds:\n  - id: 7\n    url: https://a.example/\n")
    with pytest.raises(ConfigError, match=r"feeds\[0\]: 'id' must be .*, got 7$"):
        load_feeds(path)


@pytest.mark.parametrize("url", ["ftp://a.example/feed", "a.example/feed", "HTTPS://a.example/"])
def test_bad_url_scheme(tmp_path: Path, url: str) -> None:
    path = _write(tmp_path, f"feeds:\n  - id: blog\n    url: '{url}'\n")
    message = (
        f"^feeds file {re.escape(str(path))}, feeds\\[0\\] \\(blog\\): 'url' must start with "
        f"{re.escape(str(('http://', 'https://', 'file://')))}, got '{re.escape(url)}'$"
    )
    with pytest.raises(ConfigError, match=message):
        load_feeds(path)


def test_missing_url(tmp_path: Path) -> None:
    path = _write(tmp_path, "feeds:\n  - id: blog\n")
    with pytest.raises(ConfigError, match=r"feeds\[0\] \(blog\): 'url' must start with .*None$"):
        load_feeds(path)


def test_bad_archive_url(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "feeds:\n  - id: blog\n    url: https://a.example/\n    archive_url: /{Y}/\n"
    )
    message = (
        f"^feeds file {re.escape(str(path))}, feeds\\[0\\] \\(blog\\): 'archive_url' must be "
        "a URL template$"
    )
    with pytest.raises(ConfigError, match=message):
        load_feeds(path)


def test_unknown_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "feeds:\n  - id: blog\n    url: https://a.example/\n    titel: x\n    auth: y\n",
    )
    message = (
        f"^feeds file {re.escape(str(path))}, feeds\\[0\\]: unknown keys \\['auth', 'titel'\\]$"
    )
    with pytest.raises(ConfigError, match=message):
        load_feeds(path)


def test_duplicate_id(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "feeds:\n"
        "  - {id: blog, url: 'https://a.example/'}\n"
        "  - {id: other, url: 'https://b.example/'}\n"
        "  - {id: blog, url: 'https://c.example/'}\n",
    )
    message = f"^feeds file {re.escape(str(path))}, feeds\\[2\\]: duplicate feed id 'blog'$"
    with pytest.raises(ConfigError, match=message):
        load_feeds(path)


def test_a_bad_feeds_file_is_a_usage_error_of_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nope.yml"
    argv = ["run", "--feeds", str(path), "--date", "2026-11-23", "--data-dir", str(tmp_path)]
    assert main(argv) == 2
    assert capsys.readouterr().err == f"error: feeds file {path} does not exist\n"
    assert list(tmp_path.iterdir()) == []  # nothing was fetched or written


def test_data_paths_argument_wins_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "from-env"))
    assert data_paths(tmp_path / "arg") == Paths((tmp_path / "arg").resolve())
    assert data_paths(str(tmp_path / "arg")).data_dir == (tmp_path / "arg").resolve()


def test_data_paths_env_wins_over_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "from-env"))
    assert data_paths().data_dir == (tmp_path / "from-env").resolve()


def test_data_paths_default_is_cwd_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert data_paths().data_dir == tmp_path.resolve() / "data"


def test_data_paths_empty_env_falls_back_to_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, "")
    monkeypatch.chdir(tmp_path)
    assert data_paths().data_dir == tmp_path.resolve() / "data"


def test_data_paths_relative_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert data_paths("rel/dir").data_dir == tmp_path.resolve() / "rel" / "dir"


def test_derived_paths(tmp_path: Path) -> None:
    paths = data_paths(tmp_path)
    root = tmp_path.resolve()
    assert paths.data_dir == root
    assert paths.warehouse == root / "warehouse.duckdb"
    assert paths.published == root / "published" / "warehouse.duckdb"
    assert paths.landing_dir == root / "landing"
    assert paths.lock_file == root / "warehouse.lock"


def test_feeds_file_argument_wins_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FEEDS_ENV, str(tmp_path / "env.yml"))
    assert feeds_file(tmp_path / "arg.yml") == (tmp_path / "arg.yml").resolve()


def test_feeds_file_env_wins_over_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FEEDS_ENV, str(tmp_path / "env.yml"))
    assert feeds_file() == (tmp_path / "env.yml").resolve()


def test_feeds_file_default_is_repo_feeds_yml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FEEDS_ENV, raising=False)
    repo_root = Path(__file__).resolve().parents[2]
    assert feeds_file() == DEFAULT_FEEDS_FILE == repo_root / "feeds.yml"


def test_allow_private_hosts_applies_to_every_feed(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "allow_private_hosts: true\nfeeds:\n  - {id: a, url: 'http://127.0.0.1:8080/feed'}\n",
    )
    [feed] = load_feeds(path)
    assert (feed.allow_private_host, feed.file_root) == (True, str(tmp_path.resolve()))


def test_allow_private_hosts_must_be_a_boolean(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "allow_private_hosts: 'yes please'\nfeeds:\n  - {id: a, url: 'http://a/'}\n"
    )
    message = f"^feeds file {re.escape(str(path))}: 'allow_private_hosts' must be true or false$"
    with pytest.raises(ConfigError, match=message):
        load_feeds(path)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        (
            "https://a.example/{Y}/{month}/feed/",
            "may only use {Y}, {m} and {d}, got ['Y', 'month']",
        ),
        ("https://a.example/{Y}/{m/feed/", "is not a valid template: "),
    ],
    ids=["unknown-field", "unbalanced-brace"],
)
def test_bad_archive_template(tmp_path: Path, template: str, problem: str) -> None:
    path = _write(
        tmp_path,
        f"feeds:\n  - id: blog\n    url: https://a.example/\n    archive_url: '{template}'\n",
    )
    message = f"^feeds file {re.escape(str(path))}, feeds\\[0\\] \\(blog\\): 'archive_url' "
    with pytest.raises(ConfigError, match=message + re.escape(problem)):
        load_feeds(path)


def test_archive_url_for() -> None:
    template = "https://bloggeek.me/{Y}/{m}/{d}/feed/"
    assert archive_url_for(template, date(2026, 3, 7)) == "https://bloggeek.me/2026/03/07/feed/"
    assert archive_url_for("https://a.example/?m={Y}{m}", date(2026, 12, 31)) == (
        "https://a.example/?m=202612"
    )


def test_conn_id_names_an_airflow_connection(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yml"
    path.write_text(
        "feeds:\n  - id: private\n    url: https://example.com/feed/\n    conn_id: private_feed\n"
    )
    assert [feed.conn_id for feed in load_feeds(path)] == ["private_feed"]
    path.write_text("feeds:\n  - id: private\n    url: https://example.com/feed/\n    conn_id: 7\n")
    with pytest.raises(
        ConfigError, match=r"\(private\): 'conn_id' must name an Airflow Connection"
    ):
        load_feeds(path)
