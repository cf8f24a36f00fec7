"""A cleared extract or refetch after a fix reads the feed from the feeds file as it is now
(by id), not from the list the run captured when it started: the README's recipe "fix the
feed, clear its red refetch box" fetches the fixed URL.

Tested on the tasks' own callables as the DagBag built them (Airflow's Variables and task
context patched in); the scheduler path of a clear is Airflow's own.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import airflow.sdk
import pytest
import yaml

from feedwarehouse.config import DATA_DIR_ENV, FEEDS_ENV, ConfigError, data_paths
from feedwarehouse.extract.land import read_manifest
from feedwarehouse_dev.sample import generate_sample

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
RUN_AFTER = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(str(DAGS_DIR)).dags["feed_warehouse_daily"]


@pytest.fixture
def fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], str, Path]:
    """The feed as the run captured it (a wrong URL), the fixed URL, and the data dir; the
    feeds file on disk already holds the fix."""
    sample = generate_sample(tmp_path / "sample", feeds=1, items=3, seed=4)
    good = sample.feeds[0].path.as_uri()
    captured = {"id": sample.feeds[0].feed_id, "url": good.replace(".xml", "-old.xml")}
    feeds_file = tmp_path / "feeds.yml"
    feeds_file.write_text(yaml.safe_dump({"feeds": [{"id": captured["id"], "url": good}]}))
    settings = {DATA_DIR_ENV: str(tmp_path / "data"), FEEDS_ENV: str(feeds_file)}
    context = {
        "logical_date": RUN_AFTER,
        "ti": SimpleNamespace(try_number=2),  # a clear or a retry: fetch again
        "dag_run": SimpleNamespace(run_after=RUN_AFTER, start_date=RUN_AFTER),
    }
    monkeypatch.setattr(
        airflow.sdk.Variable, "get", lambda name, default=None: settings.get(name, default)
    )
    monkeypatch.setattr(airflow.sdk, "get_current_context", lambda: context)
    captured["file_root"] = str(tmp_path)
    return captured, good, tmp_path / "data"


def landed_url(data_dir: Path, feed_id: str) -> str:
    target = data_paths(data_dir).landing_dir / "manifests" / "2026-11-23" / f"{feed_id}.json"
    manifest = read_manifest(target)
    assert manifest.ok, manifest.error
    return manifest.url


def test_a_cleared_refetch_fetches_the_url_the_feeds_file_has_now(dag, fixed):
    captured, good, data_dir = fixed
    manifest = dag.get_task("refetch").python_callable(feed=captured)
    assert json.loads(Path(manifest).read_text())["url"] == good
    assert landed_url(data_dir, captured["id"]) == good


def test_a_cleared_extract_batch_fetches_the_url_the_feeds_file_has_now(dag, fixed):
    captured, good, data_dir = fixed
    outcome = dag.get_task("extract").python_callable(
        batch={"label": captured["id"], "feeds": [captured]}
    )
    assert outcome == {"landed": 1, "failed": {}}
    assert landed_url(data_dir, captured["id"]) == good


def test_a_feed_the_file_no_longer_lists_fails_naming_it(fixed):
    from feedwarehouse.config import Feed
    from feedwarehouse.extract.batches import as_configured_now

    captured, _, data_dir = fixed
    feeds_file = data_dir.parent / "feeds.yml"
    gone = Feed("gone", "https://gone.example/feed/")
    with pytest.raises(ConfigError) as failure:
        as_configured_now([Feed(captured["id"], captured["url"]), gone], feeds_file)
    assert str(failure.value) == (
        f"feeds file {feeds_file} no longer lists gone: nothing to fetch (clear the run's "
        "`feeds` task with Downstream to run the file as it is now)"
    )
