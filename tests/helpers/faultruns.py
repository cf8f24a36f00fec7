"""The days the crash, concurrency and idempotency faults run: feeds, runs and their outcome.

- `FeedDays`: what a local HTTP server on 127.0.0.1 serves. `/live/<feed>.xml` is what the feed
  holds on `FeedDays.today`; `/archive/<YYYY-MM-DD>/<feed>.xml` what it held that day (the
  feeds file's archive_url). Each day is a `generate_sample(..., end_date=day)`.
- `run_day` runs a day undisturbed in this process; `run_killed` runs it as `feedwarehouse run`
  in a child process that SIGKILLs itself at a failpoint (feedwarehouse.failpoints).
- `Undisturbed`: the rows every disturbed run must end with (fixtures in tests/faults/).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedwarehouse.config import Paths, data_paths, load_feeds
from feedwarehouse.extract.fetch_policy import FetchPolicy
from feedwarehouse.orchestration.daily import RunSummary, run_all
from helpers.faultkit import Rows

DAY1 = date(2026, 11, 23)
DAY2 = date(2026, 11, 24)
SHAPE = {"feeds": 2, "seed": 11}
# posts per feed on each day: day 2 adds one, and moves every earlier post's date (an edit)
ITEMS = {DAY1: 6, DAY2: 7}
POLICY = FetchPolicy(allow_private=True, attempts=1)
FEED_PATH = re.compile(r"/(?:live|archive/(\d{4}-\d{2}-\d{2}))/([a-z0-9-]+)\.xml")


@dataclass
class FeedDays:
    server: HTTPServer
    snapshots: dict[date, dict[str, bytes]]
    feeds_file: Path
    today: date = DAY1
    requests: list[str] = field(default_factory=list)

    def respond(self, request: Request) -> Response:
        self.requests.append(request.full_path.rstrip("?"))
        match = FEED_PATH.fullmatch(request.path)
        if match is None or request.args.get("paged", "1") != "1":
            return Response("no such page", status=404)  # a WordPress archive of one page
        day = date.fromisoformat(match.group(1)) if match.group(1) else self.today
        body = self.snapshots.get(day, {}).get(match.group(2))
        if body is None:
            return Response("no such feed", status=404)
        return Response(body, content_type="application/rss+xml; charset=UTF-8")


@dataclass(frozen=True)
class Undisturbed:
    paths: Paths
    warehouse: Rows  # raw, marts and snapshot rows after days 1 and 2
    bi_day1: Rows  # the marts of the BI file after day 1
    bi_day2: Rows  # ... and after day 2


def run_day(
    feed_days: FeedDays, data_dir: Path, day: date, *, today: date | None = None
) -> RunSummary:
    """One undisturbed run in this process; `today` later than `day` + 1 makes it a backfill."""
    feed_days.today = today or day
    summary = run_all(
        load_feeds(feed_days.feeds_file), day, data_paths(data_dir), POLICY, today=today or day
    )
    assert summary.ok, summary
    return summary


def run_killed(feed_days: FeedDays, data_dir: Path, day: date, failpoint: str) -> None:
    """`feedwarehouse run` in a child process that SIGKILLs itself at `failpoint`."""
    feed_days.today = day
    result = subprocess.run(
        cli_run(feed_days, data_dir, day),
        env=cli_env(FEEDWAREHOUSE_FAILPOINT=failpoint),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, (
        f"{failpoint}: expected the run to be killed, exit {result.returncode}\n"
        f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    )


def cli_run(feed_days: FeedDays, data_dir: Path, day: date, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "feedwarehouse.cli", "run", "--feeds", str(feed_days.feeds_file),
        "--date", day.isoformat(), "--today", day.isoformat(), "--data-dir", str(data_dir),
        *extra,
    ]  # fmt: skip  # argv: flags by values


def cli_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "FEEDWAREHOUSE_ALLOW_PRIVATE_HOSTS": "1", **extra}


def copy_data(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def backfill_today() -> date:
    """A wall-clock date that makes DAY1 and DAY2 backfills (read from the archive)."""
    return DAY2 + timedelta(days=7)
