"""Settings and the feeds file: where data lives and which feeds to fetch."""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import yaml

DATA_DIR_ENV = "FEEDWAREHOUSE_DATA_DIR"
FEEDS_ENV = "FEEDWAREHOUSE_FEEDS"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FEEDS_FILE = REPO_ROOT / "feeds.yml"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"

_FEED_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_SCHEMES = ("http://", "https://", "file://")
_ARCHIVE_FIELDS = frozenset({"Y", "m", "d"})


class ConfigError(ValueError):
    """The feeds file or a setting is unusable; the message says where and why."""


@dataclass(frozen=True)
class Feed:
    """One configured feed; the last two fields come from the feeds file that listed it."""

    id: str
    url: str
    archive_url: str | None = None
    # the feeds file's `allow_private_hosts: true`: fetch loopback/private addresses
    allow_private_host: bool = False
    # the feeds file's directory: file:// URLs are read under it (and the data directory)
    file_root: str | None = None
    # an Airflow Connection holding the feed's credentials (never the secret itself)
    conn_id: str | None = None


@dataclass(frozen=True)
class Paths:
    """Every location under the data directory, derived from one root."""

    data_dir: Path

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.data_dir / "published" / "warehouse.duckdb"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "warehouse.lock"


def data_paths(data_dir: str | Path | None = None) -> Paths:
    """Paths under `data_dir`, else $FEEDWAREHOUSE_DATA_DIR, else ./data (made absolute)."""
    root = data_dir or os.environ.get(DATA_DIR_ENV) or "data"
    return Paths(Path(root).expanduser().resolve())


def feeds_file(path: str | Path | None = None) -> Path:
    """The feeds file: `path`, else $FEEDWAREHOUSE_FEEDS, else the repo's feeds.yml."""
    return Path(path or os.environ.get(FEEDS_ENV) or DEFAULT_FEEDS_FILE).expanduser().resolve()


def load_feeds(path: str | Path) -> list[Feed]:
    """Parse and check a feeds file; every problem names the file and the entry."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"feeds file {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"feeds file {path} is not valid YAML: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("feeds"), list):
        raise ConfigError(f"feeds file {path}: expected a top-level 'feeds:' list")
    allow_private = document.get("allow_private_hosts", False)
    if not isinstance(allow_private, bool):
        raise ConfigError(f"feeds file {path}: 'allow_private_hosts' must be true or false")
    file_root = str(path.resolve().parent)
    feeds: list[Feed] = []
    for index, entry in enumerate(document["feeds"]):
        where = f"feeds file {path}, feeds[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a mapping with 'id' and 'url', got {entry!r}")
        unknown = set(entry) - {"id", "url", "archive_url", "conn_id"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        feed_id, url = entry.get("id"), entry.get("url")
        if not isinstance(feed_id, str) or not _FEED_ID.match(feed_id):
            raise ConfigError(
                f"{where}: 'id' must be lowercase letters, digits, '-' or '_', got {feed_id!r}"
            )
        for key in ("url", "archive_url"):
            if "@" in urlsplit(str(entry.get(key) or "")).netloc:
                raise ConfigError(
                    f"{where} ({feed_id}): '{key}' carries credentials (user:password@host), "
                    "which would be stored with every fetch and shown in logs; put them in an "
                    "Airflow Connection and name it with 'conn_id'"
                )
        if not isinstance(url, str) or not url.startswith(_SCHEMES):
            raise ConfigError(f"{where} ({feed_id}): 'url' must start with {_SCHEMES}, got {url!r}")
        archive_url = entry.get("archive_url")
        if archive_url is not None and not str(archive_url).startswith(_SCHEMES):
            raise ConfigError(f"{where} ({feed_id}): 'archive_url' must be a URL template")
        if archive_url is not None:
            _check_archive_template(str(archive_url), f"{where} ({feed_id})")
        if any(feed.id == feed_id for feed in feeds):
            raise ConfigError(f"{where}: duplicate feed id {feed_id!r}")
        conn_id = entry.get("conn_id")
        if conn_id is not None and not (isinstance(conn_id, str) and _FEED_ID.match(conn_id)):
            raise ConfigError(
                f"{where} ({feed_id}): 'conn_id' must name an Airflow Connection "
                f"(lowercase letters, digits, '-' or '_'), got {conn_id!r}"
            )
        feeds.append(Feed(feed_id, url, archive_url, allow_private, file_root, conn_id))
    if not feeds:
        raise ConfigError(f"feeds file {path}: the 'feeds' list is empty")
    return feeds


def archive_url_for(template: str, day: date) -> str:
    """A feed's archive URL for one day: `{Y}`, `{m}`, `{d}` become 2026, 11, 03."""
    return template.format(Y=f"{day.year:04d}", m=f"{day.month:02d}", d=f"{day.day:02d}")


def _check_archive_template(template: str, where: str) -> None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ConfigError(f"{where}: 'archive_url' is not a valid template: {exc}") from None
    if not fields <= _ARCHIVE_FIELDS:
        raise ConfigError(
            f"{where}: 'archive_url' may only use {{Y}}, {{m}} and {{d}}, got {sorted(fields)}"
        )
