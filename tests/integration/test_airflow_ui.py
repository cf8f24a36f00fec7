"""A data engineer's backfill in the Airflow UI of `make airflow`, in a real (headless) browser.

`make airflow` starts the local stack (PostgreSQL metadata DB, api-server, scheduler,
dag-processor, triggerer) on free ports of 127.0.0.1, with its Airflow home and data directory
in this test's tmp dir. In Debian's Chromium, driven by selenium: log in with the login that
`make airflow` printed, open the DAG, Trigger > Backfill for three past dates with every other
option left at the dialog's default, one click on "Run Backfill"; then wait for three
successful backfill runs (the dialog's default unpauses the DAG, so today's scheduled run
starts too: it is allowed, not waited for). The published BI file must hold each date's posts:
a post is first seen on the first of the three dates whose archive snapshot lists it. Last,
both docs pages, opened from the UI's navigation, must show their text with nothing loaded
from outside 127.0.0.1. `make airflow-stop` must then stop all five processes.

Screenshots of every step are kept in the test's tmp dir (`screens/`); the stack itself lives in
a temporary folder of its own, removed after `make airflow-stop`.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import feedparser
import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
DAG_ID = "feed_warehouse_daily"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)
START_DEADLINE_S = 600
RUNS_DEADLINE_S = 20 * 60
FEED_IDS = ("sample-blog-2", "webrtc-blog")

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Stack:
    url: str
    password: str
    home: Path
    data_dir: Path
    make_vars: list[str]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _make(target: str, make_vars: list[str], timeout: float) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "FEEDWAREHOUSE_", "MAKE", "MFLAGS"))
    }
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), target, *make_vars],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    assert CHROMIUM.is_file(), "apt-get install chromium chromium-driver (.ci/run does)"
    assert CHROMEDRIVER.is_file(), "apt-get install chromium chromium-driver (.ci/run does)"
    # not under pytest's basetemp: a concurrent pytest session's cleanup of old basetemps would
    # delete the running PostgreSQL's data directory; removed here once the stack has stopped
    root = Path(tempfile.mkdtemp(prefix="feedwarehouse-airflow-ui-"))
    port = _free_port()
    make_vars = [
        f"AIRFLOW_HOME={root / 'airflow'}",
        f"FEEDWAREHOUSE_DATA_DIR={root / 'data'}",
        f"AIRFLOW_PORT={port}",
        f"AIRFLOW_PG_PORT={_free_port()}",
    ]
    started = _make("airflow", make_vars, START_DEADLINE_S)
    try:
        assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
        printed = r"Airflow UI:\s+(http://\S+?)/?\s+\(login: admin / (\S+)\)"
        login = re.search(printed, started.stdout)
        assert login, started.stdout
        assert login.group(1) == f"http://127.0.0.1:{port}"
        yield Stack(
            login.group(1), login.group(2), root / "airflow" / "local", root / "data", make_vars
        )
    finally:
        stopped = _make("airflow-stop", make_vars, 300)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "stopped: api-server, scheduler, dag-processor, triggerer, postgres" in stopped.stdout
    assert not list((root / "airflow" / "local" / "run").glob("*.pid"))
    shutil.rmtree(root)


def test_the_stacks_secret_files_are_readable_by_their_owner_only(stack: Stack):
    """Airflow writes the admin password world-readable; `make airflow` restricts it."""
    names = ("airflow.env", "secrets.json", "simple_auth_manager_passwords.json.generated")
    modes = {name: stat.S_IMODE((stack.home / name).stat().st_mode) for name in names}
    assert modes == dict.fromkeys(names, 0o600)


@pytest.fixture(scope="module")
def browser(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(15)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screens")


def _click_text(driver, text: str, tag: str = "*") -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.XPATH, f"//{tag}[normalize-space(.)='{text}']").click()


def _pick_date(driver, index: int, day: date) -> None:
    """Type a date (00:00) into the backfill dialog's From (0) or To (1) date picker."""
    from selenium.common.exceptions import (
        ElementNotInteractableException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.find_elements(By.CSS_SELECTOR, "[data-testid='datetime-input']")[index].click()
    deadline = time.monotonic() + 15
    while True:  # the picker's input is shown before it takes keys
        day_input = _visible(driver, "input[placeholder='YYYY/MM/DD']")
        try:
            day_input.send_keys(f"{day:%Y/%m/%d}")
            break
        except (ElementNotInteractableException, StaleElementReferenceException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    _visible(driver, "input[placeholder='HH:mm']").send_keys("00:00")
    day_input.send_keys(Keys.ESCAPE)


def _visible(driver, css: str):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            shown = [e for e in driver.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]
        except StaleElementReferenceException:  # React re-rendered it between find and check
            shown = []
        if shown:
            return shown[0]
        time.sleep(0.2)
    raise AssertionError(f"no visible {css}")


def _api(stack: Stack) -> httpx.Client:
    """A REST API client logged in as the admin (generous timeouts: two cores, busy)."""
    token = httpx.post(
        f"{stack.url}/auth/token",
        json={"username": "admin", "password": stack.password},
        timeout=60,
    ).json()["access_token"]
    return httpx.Client(
        base_url=stack.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )


def _wait_for_backfill(stack: Stack, dates: list[date]) -> list[dict]:
    """The backfill's runs once all are finished; fail at once if one failed."""
    deadline = time.monotonic() + RUNS_DEADLINE_S
    with _api(stack) as api:
        while time.monotonic() < deadline:
            try:
                runs = api.get(f"/api/v2/dags/{DAG_ID}/dagRuns", params={"run_type": "backfill"})
            except httpx.TimeoutException:  # the api-server is slow to answer under load
                continue
            backfill = runs.json()["dag_runs"]
            failed = [r["dag_run_id"] for r in backfill if r["state"] == "failed"]
            assert not failed, f"backfill runs failed: {failed}"
            if len(backfill) == len(dates) and all(r["state"] == "success" for r in backfill):
                return backfill
            time.sleep(5)
    raise AssertionError(f"the backfill of {dates} did not finish in {RUNS_DEADLINE_S} s")


def _snapshot_guids(stack: Stack, day: date) -> set[str]:
    """The guids of every feed's archive snapshot for `day`, as `make airflow` wrote them."""
    folder = stack.data_dir / "sample" / "archive" / f"{day:%Y/%m/%d}"
    return {
        entry.id
        for feed_id in FEED_IDS
        for entry in feedparser.parse((folder / f"{feed_id}.xml").read_bytes()).entries
    }


def _assert_offline(driver, base: str) -> None:
    """Everything the page loaded came from the local server (or is inline)."""
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    foreign = [u for u in urls if not u.startswith((base, "data:", "blob:"))]
    assert foreign == []


def test_backfill_from_the_ui_publishes_each_dates_posts_and_docs_open_offline(
    stack: Stack, browser, screens: Path
) -> None:
    from selenium.webdriver.common.by import By

    today = date.today()
    dates = [today - timedelta(days=n) for n in (9, 8, 7)]  # backfills: over a day behind today

    browser.get(f"{stack.url}/")
    browser.find_element(By.NAME, "username").send_keys("admin")
    browser.find_element(By.NAME, "password").send_keys(stack.password)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    browser.find_element(By.CSS_SELECTOR, "button[aria-label='Browse']")  # logged in: the nav
    browser.save_screenshot(screens / "01-home.png")

    browser.get(f"{stack.url}/dags/{DAG_ID}")
    browser.find_element(By.CSS_SELECTOR, "button[aria-label='Trigger Dag']").click()
    _click_text(browser, "Backfill")
    _pick_date(browser, 0, dates[0])
    _pick_date(browser, 1, dates[-1])
    dialog = _visible(browser, "[role=dialog]")
    assert "3 runs will be triggered." in dialog.text
    browser.save_screenshot(screens / "02-backfill-dialog.png")
    _click_text(browser, "Run Backfill", "button")
    browser.find_element(By.XPATH, "//*[normalize-space(text())='Backfill generated']")
    browser.save_screenshot(screens / "03-backfill-started.png")

    runs = _wait_for_backfill(stack, dates)
    assert sorted(r["logical_date"][:10] for r in runs) == [d.isoformat() for d in dates]
    browser.get(f"{stack.url}/dags/{DAG_ID}/runs")
    browser.find_element(By.XPATH, f"//*[contains(., 'backfill__{dates[0]:%Y-%m-%d}')]")
    browser.save_screenshot(screens / "04-runs.png")

    # each date's posts: first seen on the first backfilled date whose snapshot lists them
    expected: dict[str, date] = {}
    for day in dates:
        for guid in _snapshot_guids(stack, day):
            expected.setdefault(guid, day)
    conn = duckdb.connect(str(stack.data_dir / "published" / "warehouse.duckdb"), read_only=True)
    try:
        seen = dict(
            conn.execute(
                "select guid, first_seen_on from marts.posts where first_seen_on <= ?",
                [dates[-1]],
            ).fetchall()
        )
        validated = conn.execute(
            "select distinct logical_date from quality.validation_runs "
            "where logical_date <= ? order by 1",
            [dates[-1]],
        ).fetchall()
    finally:
        conn.close()
    assert seen == expected
    assert [row[0] for row in validated] == dates

    # the docs, from the UI's navigation: each page is shown inside Airflow
    _open_docs(browser, stack, "dbt docs (feed warehouse)", "dbt")
    _wait_for_text(browser, "Welcome to the auto-generated documentation")
    browser.execute_script("window.location.hash = '#!/model/model.feedwarehouse.posts'")
    _wait_for_text(browser, "One row per blog post")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "post_id" in body
    assert "warehouse.marts.posts" in body
    _assert_offline(browser, stack.url)
    browser.switch_to.default_content()
    browser.save_screenshot(screens / "05-docs-dbt.png")

    _open_docs(browser, stack, "Quality results (feed warehouse)", "quality")
    _wait_for_text(browser, f"Logical date {dates[0]}")  # the oldest date comes last
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Feed warehouse: quality results" in body
    for day in dates:
        assert f"Logical date {day}" in body
    assert "marts_posts marts.posts" in body
    _assert_offline(browser, stack.url)
    browser.switch_to.default_content()
    browser.save_screenshot(screens / "06-docs-quality.png")


def _open_docs(driver, stack: Stack, name: str, path: str) -> None:
    """Docs menu > `name`: the page in the UI's iframe, which the driver then switches into."""
    from selenium.webdriver.common.by import By

    driver.get(f"{stack.url}/dags/{DAG_ID}")
    driver.find_element(By.CSS_SELECTOR, "button[aria-label='Docs']").click()
    _click_text(driver, name)
    frame = driver.find_element(By.TAG_NAME, "iframe")
    assert frame.get_attribute("src").endswith(f"/feedwarehouse/docs/{path}")
    driver.switch_to.frame(frame)


def _wait_for_text(driver, text: str, timeout: float = 120) -> None:
    """Until the page shows `text` (the 3 MB dbt page takes a while to render on two cores)."""
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while text not in driver.find_element(By.TAG_NAME, "body").text:
        assert time.monotonic() < deadline, f"no {text!r} on {driver.current_url}"
        time.sleep(0.5)
