"""Settings and the feeds file: where data lives and which feeds to fetch."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from feedwarehouse.errors import ConfigError
from feedwarehouse.settings import env_name, settings

DATA_DIR_ENV = env_name("data_dir")
FEEDS_ENV = env_name("feeds")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FEEDS_FILE = REPO_ROOT / "feeds.yml"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"

_FEED_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_SCHEMES = ("http://", "https://", "file://")
_ARCHIVE_FIELDS = frozenset({"Y", "m", "d"})


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
    root = data_dir or settings().data_dir
    return Paths(Path(root).expanduser().resolve())


def feeds_file(path: str | Path | None = None) -> Path:
    """The feeds file: `path`, else $FEEDWAREHOUSE_FEEDS, else the repo's feeds.yml."""
    return Path(path or settings().feeds or DEFAULT_FEEDS_FILE).expanduser().resolve()


class _FeedsFile(BaseModel):
    """The feeds file's top level; other keys are left for other tools."""

    feeds: list[Any]  # each entry is validated alone (_feed_entry), so an error names its index
    allow_private_hosts: StrictBool = False


class _FeedEntry(BaseModel):
    """One entry of `feeds:`; every message names the field, load_feeds adds file and feed."""

    model_config = ConfigDict(extra="forbid")

    # the validators run before pydantic's type checks, so their messages name the field
    id: str = Field(default=None, validate_default=True)
    url: str = Field(default=None, validate_default=True)
    archive_url: str | None = None
    conn_id: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> str:
        if not isinstance(value, str) or not _FEED_ID.match(value):
            raise ValueError(f"'id' must be lowercase letters, digits, '-' or '_', got {value!r}")
        return value

    @field_validator("url", mode="before")
    @classmethod
    def _url(cls, value: Any) -> str:
        _refuse_credentials("url", value)
        if not isinstance(value, str) or not value.startswith(_SCHEMES):
            raise ValueError(f"'url' must start with {_SCHEMES}, got {value!r}")
        return value

    @field_validator("archive_url", mode="before")
    @classmethod
    def _archive_url(cls, value: Any) -> str | None:
        if value is None:
            return None
        _refuse_credentials("archive_url", value)
        if not str(value).startswith(_SCHEMES):
            raise ValueError("'archive_url' must be a URL template")
        _check_archive_template(str(value))
        return str(value)

    @field_validator("conn_id", mode="before")
    @classmethod
    def _conn_id(cls, value: Any) -> str | None:
        if value is not None and not (isinstance(value, str) and _FEED_ID.match(value)):
            raise ValueError(
                "'conn_id' must name an Airflow Connection "
                f"(lowercase letters, digits, '-' or '_'), got {value!r}"
            )
        return value


def load_feeds(path: str | Path) -> list[Feed]:
    """Parse and check a feeds file; every problem names the file and the entry."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"feeds file {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"feeds file {path} is not valid YAML: {exc}") from None
    try:
        top = _FeedsFile.model_validate(document)
    except ValidationError as exc:
        if all(error["loc"] == ("allow_private_hosts",) for error in exc.errors()):
            raise ConfigError(
                f"feeds file {path}: 'allow_private_hosts' must be true or false"
            ) from None
        raise ConfigError(f"feeds file {path}: expected a top-level 'feeds:' list") from None
    file_root = str(path.resolve().parent)
    feeds: list[Feed] = []
    for index, raw in enumerate(top.feeds):
        where = f"feeds file {path}, feeds[{index}]"
        entry = _feed_entry(raw, where)
        if any(feed.id == entry.id for feed in feeds):
            raise ConfigError(f"{where}: duplicate feed id {entry.id!r}")
        feeds.append(
            Feed(
                entry.id,
                entry.url,
                entry.archive_url,
                top.allow_private_hosts,
                file_root,
                entry.conn_id,
            )
        )
    if not feeds:
        raise ConfigError(f"feeds file {path}: the 'feeds' list is empty")
    return feeds


def _feed_entry(raw: Any, where: str) -> _FeedEntry:
    """One entry, validated; a ConfigError names the entry, its id when known, and the field."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with 'id' and 'url', got {raw!r}")
    try:
        return _FeedEntry.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden")
    if unknown:
        raise ConfigError(f"{where}: unknown keys {unknown}") from None
    first = errors[0]
    # the message of our own validators, without pydantic's "Value error, " prefix
    message = str(first["ctx"]["error"]) if first["type"] == "value_error" else first["msg"]
    if first["loc"] == ("id",):
        raise ConfigError(f"{where}: {message}") from None
    raise ConfigError(f"{where} ({raw.get('id')}): {message}") from None


def _refuse_credentials(key: str, value: Any) -> None:
    if "@" in urlsplit(str(value or "")).netloc:
        raise ValueError(
            f"'{key}' carries credentials (user:password@host), which would be stored with "
            "every fetch and shown in logs; put them in an Airflow Connection and name it "
            "with 'conn_id'"
        )


def archive_url_for(template: str, day: date) -> str:
    """A feed's archive URL for one day: `{Y}`, `{m}`, `{d}` become 2026, 11, 03."""
    return template.format(Y=f"{day.year:04d}", m=f"{day.month:02d}", d=f"{day.day:02d}")


def _check_archive_template(template: str) -> None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ValueError(f"'archive_url' is not a valid template: {exc}") from None
    if not fields <= _ARCHIVE_FIELDS:
        raise ValueError(f"'archive_url' may only use {{Y}}, {{m}} and {{d}}, got {sorted(fields)}")
