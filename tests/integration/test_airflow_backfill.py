"""A three-date backfill by Airflow's scheduler publishes exactly the marts of three on-time runs.

Setup, all under pytest's tmp_path and on 127.0.0.1 only:

- For each logical date D1..D3 (well over a day before today, so the DAG treats them as a
  backfill) `generate_sample(..., end_date=D)` writes `feeds/snap/<D>/<feed>.xml`: what each feed
  looked like that day. A different sample (another seed), `feeds/live/`, is what the feeds
  serve *now*.
- Airflow's feeds file lists each feed with `url` = the live file and `archive_url` = a
  `file://…/snap/{Y}-{m}-{d}/<feed>.xml` template. A backfill must read the archive only; a
  single read of the live url would put foreign posts into the marts.
- Reference: in this process, `daily.run_all` once per date in order, live mode, with `url` =
  that date's snapshot: exactly what the on-time daily runs would have fetched and built.
- Airflow, started while the reference is built: what `airflow standalone` runs (SQLite,
  LocalExecutor, the execution api-server on a free port of 127.0.0.1, dag-processor, scheduler;
  no triggerer and no log servers, which listen on every interface on fixed ports) in one new
  process group, always killed whole at the end. The repo's DAG folder, the writer pool created,
  then `airflow backfill create` exactly as the README says; the scheduler runs the backfill.
  Its three runs run at once (a backfill has its own max_active_runs, 10 by default; the DAG's
  max_active_runs=1 does not apply to it); the one-slot writer pool and the file lock serialise
  their writes (transform, outside the pool, only the lock).
  The scheduler's own timetable is switched off (`[scheduler] use_job_schedule = False`):
  otherwise the unpaused DAG starts today's scheduled (live) run into the same data directory,
  and the exports/watchdog DAGs run too. Backfill runs are created by the CLI, not the timetable.

Checked: three backfill runs, every task successful on its first try (refetch skipped: no feed
failed) but for the builds a later run redoes (transform, validate_marts and publish skipped
together, never in the last run: orchestration/coalesce.py), no other run; raw.fetches
holds one archive fetch per (feed, date) from that date's snapshot; every table of schema marts in
the two published BI files is equal row for row, and marts.posts holds exactly the distinct guids
of the snapshots.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from feedwarehouse.config import archive_url_for, data_paths, load_feeds
from feedwarehouse.orchestration import daily
from feedwarehouse.orchestration.steps import MARTS_SUITES, RAW_SUITES, gx_dir
from feedwarehouse.quality import reports
from feedwarehouse.quality.gx_checkpoint import data_docs_index, pending_dir
from feedwarehouse_dev.sample import SampleSet, generate_sample

DAG_ID = "feed_warehouse_daily"
DATES = (date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18))
REPO = Path(__file__).resolve().parents[2]
AIRFLOW = Path(sys.executable).parent / "airflow"
TASKS = (  # (task_id, map index) of one run: extract is mapped over one batch of both feeds
    ("extract", 0),
    ("failed_feeds", -1),
    ("feeds", -1),
    ("load_raw", -1),
    ("publish", -1),
    ("transform", -1),
    ("validate_marts", -1),
    ("validate_raw", -1),
)
BUILD = ("transform", "validate_marts", "publish")
# no feed failed: refetch, mapped over the failed feeds, had nothing to map and was skipped
NO_REFETCH = ("refetch", -1, None, "skipped", 0)
PARSE_DEADLINE_S = 300
RUN_DEADLINE_S = 15 * 60
STOP_GRACE_S = 20


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _write_feeds_file(path: Path, entries: list[dict[str, str]]) -> Path:
    path.write_text(yaml.safe_dump({"feeds": entries}, sort_keys=False), encoding="utf-8")
    return path


def _query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read Airflow's SQLite metadata DB read-only; retried while a writer holds it."""
    for _ in range(20):
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
            try:
                return conn.execute(sql, params).fetchall()
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "no such table" not in str(exc):
                raise
            time.sleep(0.5)
    raise AssertionError(f"Airflow's metadata DB {db} stayed locked")


def _tail(path: Path, lines: int) -> str:
    if not path.is_file():
        return f"({path} does not exist)"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


COMPONENTS = {  # `airflow standalone` minus the triggerer, and no log servers on 0.0.0.0:879x
    "api-server": ["api-server", "--apps", "execution", "--workers", "1"],
    "dag-processor": ["dag-processor"],
    "scheduler": ["scheduler", "--skip-serve-logs"],
}


def _diagnostics(home: Path) -> str:
    """The end of each component's output and of the most recent task logs."""
    parts = [
        f"--- {name} (last lines) ---\n{_tail(home / f'{name}.log', 40)}" for name in COMPONENTS
    ]
    task_logs = sorted((home / "logs").rglob("*.log"), key=lambda p: p.stat().st_mtime)
    for log in task_logs[-6:]:
        parts.append(f"--- {log.relative_to(home)} ---\n{_tail(log, 30)}")
    return "\n".join(parts)


def _airflow(args: list[str], env: dict[str, str], home: Path) -> subprocess.CompletedProcess:
    """Run an `airflow` command; again (3 tries in all) only when SQLite said "database is
    locked": the running scheduler holds the SQLite file's one write lock (Airflow's known SQLite
    limit, seen here on a loaded machine); the command's transaction rolled back, so the retry
    repeats nothing, and the test still asserts exactly the three backfill runs."""
    for attempt in range(3):
        done = subprocess.run(
            [str(AIRFLOW), *args], env=env, cwd=home, capture_output=True, text=True, timeout=300
        )
        if done.returncode == 0 or "database is locked" not in done.stderr + done.stdout:
            break
        print(f"airflow {args[0]}: SQLite database is locked (try {attempt + 1})", flush=True)
        time.sleep(5)
    assert done.returncode == 0, f"airflow {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _start(env: dict[str, str], home: Path, started: list[subprocess.Popen]) -> None:
    """Start the components into `started`, in one new process group led by the first one."""
    for name, args in COMPONENTS.items():
        with (home / f"{name}.log").open("wb") as output:
            group = started[0].pid if started else 0  # 0: a new group, led by this process
            started.append(
                subprocess.Popen(
                    [str(AIRFLOW), *args],
                    env=env,
                    cwd=home,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    process_group=group,
                )
            )


def _exited(components: list[subprocess.Popen]) -> bool:
    """Poll (and so reap) every component; True if any of them has exited."""
    codes = [process.poll() for process in components]
    return any(code is not None for code in codes)


def _signal_group(group: int, sig: int) -> bool:
    """Send `sig` to a process group; False once no process is left in it."""
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        return False
    return True


def _stop(components: list[subprocess.Popen]) -> None:
    """Stop the components and every process they started: their whole process group."""
    if not components:
        return
    group = components[0].pid
    for sig, wait_s in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 10)):
        deadline = time.monotonic() + wait_s
        alive = _signal_group(group, sig)
        while alive and time.monotonic() < deadline:
            time.sleep(0.5)
            _exited(components)  # reaps the components that have exited
            alive = _signal_group(group, 0)
        if not alive:
            break
    for process in components:
        process.wait(timeout=10)


def _marts(database: Path) -> dict[str, list[tuple]]:
    conn = duckdb.connect(str(database), read_only=True)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {t: conn.execute(f"select * from marts.{t} order by all").fetchall() for t in tables}
    finally:
        conn.close()


def _fetches(database: Path) -> list[tuple]:
    conn = duckdb.connect(str(database), read_only=True)
    try:
        return conn.execute(
            "select feed_id, logical_date, fetch_mode, url, error, entry_count, page_count "
            "from raw.fetches order by all"
        ).fetchall()
    finally:
        conn.close()


def _guids(samples: list[SampleSet]) -> set[str]:
    return {item.guid for sample in samples for feed in sample.feeds for item in feed.items}


@pytest.mark.slow
def test_backfill_by_the_scheduler_publishes_the_marts_of_on_time_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = datetime.now(UTC).date()
    assert DATES[-1] < today - timedelta(days=1), "the dates must be backfills for the DAG"
    for name in list(os.environ):  # the caller's settings must not steer either side
        if name.startswith(("FEEDWAREHOUSE_", "AIRFLOW__")):
            monkeypatch.delenv(name)

    feeds_dir = tmp_path / "feeds"  # the feeds files' directory: file:// URLs are read under it
    shape = {"feeds": 2, "items": 20}
    snapshots = {
        day: generate_sample(feeds_dir / "snap" / day.isoformat(), **shape, seed=7, end_date=day)
        for day in DATES
    }
    live = generate_sample(feeds_dir / "live", **shape, seed=8, end_date=today)
    feed_ids = [feed.feed_id for feed in live.feeds]
    assert (
        [f.feed_id for f in snapshots[DATES[0]].feeds]
        == feed_ids
        == ["webrtc-blog", "sample-blog-2"]
    )
    expected_guids = _guids(list(snapshots.values()))
    assert expected_guids.isdisjoint(_guids([live])), "a live read must show in the marts"

    snap_root = (feeds_dir / "snap").as_uri()
    airflow_feeds = _write_feeds_file(
        feeds_dir / "feeds.yml",
        [
            {
                "id": feed.feed_id,
                "url": feed.path.resolve().as_uri(),
                "archive_url": f"{snap_root}/{{Y}}-{{m}}-{{d}}/{feed.feed_id}.xml",
            }
            for feed in live.feeds
        ],
    )
    archive_templates = {feed.id: feed.archive_url for feed in load_feeds(airflow_feeds)}
    snapshot_urls = {
        (feed.feed_id, day): feed.path.resolve().as_uri()
        for day, sample in snapshots.items()
        for feed in sample.feeds
    }
    for (feed_id, day), url in snapshot_urls.items():
        assert archive_url_for(str(archive_templates[feed_id]), day) == url

    home, airflow_data, ontime_data = tmp_path / "airflow", tmp_path / "data", tmp_path / "ontime"
    home.mkdir()
    port = _free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        # four processes share one SQLite file: wait for its lock (60 s) instead of pysqlite's
        # 5 s default, which a busy scheduler exceeded ("database is locked" in backfill create)
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}?timeout=60",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__CORE__PARALLELISM": "8",  # at most 6 tasks at once here; 32 idle workers else
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "FEEDWAREHOUSE_DATA_DIR": str(airflow_data),
        "FEEDWAREHOUSE_FEEDS": str(airflow_feeds),
        "GX_ANALYTICS_ENABLED": "False",
    }
    db = home / "airflow.db"
    started = time.monotonic()
    _airflow(["db", "migrate"], env, home)
    _airflow(["pools", "set", "feedwarehouse_writer", "1", "DuckDB has one writer"], env, home)
    components: list[subprocess.Popen] = []
    try:
        _start(env, home, components)
        # the on-time reference, while Airflow starts: one live run per date, in date order
        for day in DATES:
            ontime_feeds = _write_feeds_file(
                feeds_dir / f"ontime-{day.isoformat()}.yml",
                [{"id": i, "url": snapshot_urls[(i, day)]} for i in feed_ids],
            )
            summary = daily.run_all(load_feeds(ontime_feeds), day, data_paths(ontime_data))
            assert summary.ok, summary
            assert summary.loaded == dict.fromkeys(feed_ids, 20)
        print(f"\non-time reference built in {time.monotonic() - started:.0f} s", flush=True)

        deadline = time.monotonic() + PARSE_DEADLINE_S
        while not _query(
            db,
            "select 1 from dag join serialized_dag using (dag_id) "
            "where dag_id = ? and not is_paused",
            (DAG_ID,),
        ):
            if _exited(components) or time.monotonic() > deadline:
                pytest.fail(f"{DAG_ID} was never parsed and active\n{_diagnostics(home)}")
            time.sleep(2)
        while not _listening(port):  # the execution API the tasks call
            if _exited(components) or time.monotonic() > deadline:
                pytest.fail(f"the api-server never listened on {port}\n{_diagnostics(home)}")
            time.sleep(1)
        print(f"{DAG_ID} parsed after {time.monotonic() - started:.0f} s", flush=True)

        first, last = DATES[0].isoformat(), DATES[-1].isoformat()
        _airflow(
            ["backfill", "create", "--dag-id", DAG_ID, "--from-date", first, "--to-date", last],
            env,
            home,
        )

        deadline, last_progress = time.monotonic() + RUN_DEADLINE_S, None
        while True:
            runs = _query(db, "select run_id, state from dag_run where dag_id = ?", (DAG_ID,))
            tasks = _query(
                db,
                "select run_id, task_id, map_index, state from task_instance where dag_id = ?",
                (DAG_ID,),
            )
            progress = (sorted(runs), sorted(state or "none" for *_, state in tasks))
            if progress != last_progress:
                elapsed = time.monotonic() - started
                states = {s: progress[1].count(s) for s in sorted(set(progress[1]))}
                runs_now = [s for _, s in progress[0]]
                print(f"{elapsed:5.0f} s  runs {runs_now}  tasks {states}", flush=True)
                last_progress = progress
            bad = [t for t in tasks if t[3] in ("failed", "up_for_retry", "upstream_failed")]
            if bad or any(state == "failed" for _, state in runs):
                pytest.fail(f"backfill failed: {bad or runs}\n{_diagnostics(home)}")
            done = _query(
                db,
                "select count(*) from backfill where dag_id = ? and completed_at is not null",
                (DAG_ID,),
            )[0][0]
            if done and len(runs) == len(DATES) and all(s == "success" for _, s in runs):
                break
            if _exited(components) or time.monotonic() > deadline:
                pytest.fail(f"backfill not done in time: {runs}\n{_diagnostics(home)}")
            time.sleep(3)
        print(f"backfill done after {time.monotonic() - started:.0f} s", flush=True)
    finally:
        stopping = time.monotonic()
        _stop(components)
        print(f"Airflow stopped in {time.monotonic() - stopping:.0f} s", flush=True)

    # Airflow ran exactly the three backfill runs, every task once, and nothing else
    runs = _query(db, "select dag_id, substr(logical_date, 1, 10), run_type, state from dag_run")
    assert sorted(runs) == [(DAG_ID, d.isoformat(), "backfill", "success") for d in DATES]
    tasks = _query(
        db,
        "select substr(r.logical_date, 1, 10), t.task_id, t.map_index, t.rendered_map_index, "
        "t.state, t.try_number from task_instance t join dag_run r using (dag_id, run_id)",
    )
    batch = f"{feed_ids[0]} … {feed_ids[1]} (2 feeds)"
    # an earlier run whose build a later run redoes skips it (coalesce.py): its transform,
    # validate_marts and publish are all skipped or all successful; the last run always builds
    built = {
        day: next(t[4] for t in tasks if t[0] == day.isoformat() and t[1] == "transform")
        for day in DATES
    }
    assert built[DATES[-1]] == "success"
    assert set(built.values()) <= {"success", "skipped"}
    assert sorted(tasks) == sorted(
        [
            (
                day.isoformat(),
                task,
                index,
                batch if index >= 0 else None,
                built[day] if task in BUILD else "success",
                # a skipped transform ran (and said why); the two after it never started
                0 if task in BUILD[1:] and built[day] == "skipped" else 1,
            )
            for day in DATES
            for task, index in TASKS
        ]
        + [(day.isoformat(), *NO_REFETCH) for day in DATES]
    )
    assert _query(
        db,
        "select dag_id, substr(from_date, 1, 10), substr(to_date, 1, 10), "
        "completed_at is not null from backfill",
    ) == [(DAG_ID, first, last, 1)]

    # every fetch came from that date's archive, never from the live url
    assert _fetches(data_paths(airflow_data).warehouse) == sorted(
        (feed_id, day, "archive", url, None, 20, 1) for (feed_id, day), url in snapshot_urls.items()
    )
    assert _fetches(data_paths(ontime_data).warehouse) == sorted(
        (feed_id, day, "live", url, None, 20, 1) for (feed_id, day), url in snapshot_urls.items()
    )

    backfilled = _marts(data_paths(airflow_data).published)
    on_time = _marts(data_paths(ontime_data).published)
    assert sorted(backfilled) == sorted(on_time)
    assert set(reports.MARTS) <= set(backfilled)
    for table, rows in on_time.items():
        assert rows, f"marts.{table} is empty: the comparison would prove nothing"
        assert backfilled[table] == rows, f"marts.{table} differs"
    conn = duckdb.connect(str(data_paths(airflow_data).published), read_only=True)
    try:
        guids = [guid for (guid,) in conn.execute("select guid from marts.posts").fetchall()]
    finally:
        conn.close()
    assert len(guids) == len(expected_guids) == 40
    assert set(guids) == expected_guids

    # Data Docs: a page per raw suite and date (a run whose marts a later run builds left its
    # pages to that run's build), a page per marts suite and building run (the first before
    # anything was published: without the suite that compares with the BI file); the index
    # links every page and nothing is left pending
    quality = gx_dir(data_paths(airflow_data))
    site = data_docs_index(quality).parent
    pages = sorted(path.relative_to(site) for path in site.glob("validations/*/*/*/*.html"))
    builds = sum(state == "success" for state in built.values())
    assert sorted(page.parts[1] for page in pages) == sorted(
        [*RAW_SUITES * len(DATES), *MARTS_SUITES[:-1], *MARTS_SUITES * (builds - 1)]
    )
    index = data_docs_index(quality).read_text(encoding="utf-8")
    assert [page for page in pages if str(page) not in index] == []
    assert list(pending_dir(quality).glob("*")) == []
