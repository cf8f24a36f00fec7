"""Test-wide settings: an Airflow home of our own, never the user's, and no example DAGs."""

import os
import tempfile

import pytest
from helpers.faultkit import Ledger

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="feedwarehouse-airflow-"))
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

_LEDGER = Ledger()


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """pytest-httpserver listens on 127.0.0.1 (not "localhost"): tests talk to nothing else."""
    return ("127.0.0.1", 0)


@pytest.fixture
def fault_ledger(request: pytest.FixtureRequest) -> Ledger:
    """This test's fault records (tests/helpers/faultkit.py), tallied and printed at the end."""
    return Ledger(properties=request.node.user_properties)


# the fault suite's shared days (tests/faults/conftest.py): built once, by one worker
FAULT_DAYS_FIXTURES = frozenset({"feed_days", "after_day1", "undisturbed"})


# every test below these folders runs dbt, Great Expectations or Airflow: `slow`, left out of
# `make check` (the edit loop) and run by `make test`
SLOW_FOLDERS = frozenset({"integration", "faults", "dags"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Groups for `pytest -n N --dist loadgroup` (make test): a module runs on one worker, and
    every test of the fault days on one worker, so module and session fixtures build once.
    Tests in SLOW_FOLDERS are marked slow."""
    for item in items:
        if SLOW_FOLDERS & set(item.path.relative_to(item.config.rootpath).parts[1:2]):
            item.add_marker(pytest.mark.slow)
        uses_days = FAULT_DAYS_FIXTURES & set(getattr(item, "fixturenames", ()))
        group = "fault-days" if uses_days else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "teardown":
        _LEDGER.collect(report.user_properties)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _LEDGER.records:
        terminalreporter.write_sep("=", _LEDGER.summary())
